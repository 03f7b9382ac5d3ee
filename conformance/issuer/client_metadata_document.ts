/**
 * Client ID metadata documents (draft-ietf-oauth-client-id-metadata-document):
 * a `client_id` that is a URL names a JSON document describing the client,
 * which the issuer fetches and checks before trusting its redirect URIs.
 *
 * @module
 */

import { OAuthError } from "./_errors.ts";
import { redirectUriProblem } from "./_urls.ts";
import type { ClientMetadataLoader, ResolvedClient } from "./clients.ts";

/** Options for {@link createClientMetadataLoader}. */
export interface ClientMetadataLoaderOptions {
  /** Fetch to use. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Time limit for one document, in milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /** Largest document accepted, in bytes. Default 65536. */
  readonly maxBytes?: number;
}

/**
 * A loader that fetches the document at a `client_id` URL and returns the
 * public client it describes. Every failure is `invalid_client`: the
 * document must answer 200 without redirecting, be a JSON object within the
 * size limit, carry a `client_id` equal to the URL exactly, list
 * `redirect_uris`, and ask for no client secret (draft §4.1).
 */
export function createClientMetadataLoader(
  options: ClientMetadataLoaderOptions = {},
): ClientMetadataLoader {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 65536;

  return async function loadClientMetadataDocument(clientId) {
    const text = await fetchDocument(clientId, fetchFn, timeoutMs, maxBytes);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw invalid(clientId, "is not JSON");
    }
    return clientFromDocument(clientId, document);
  };
}

async function fetchDocument(
  clientId: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
  maxBytes: number,
): Promise<string> {
  const controller = new AbortController();
  // A plain timer (not AbortSignal.timeout) so it is cleared when done.
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetchFn(clientId, {
        headers: { accept: "application/json" },
        redirect: "manual",
        signal: controller.signal,
      });
    } catch {
      throw invalid(
        clientId,
        controller.signal.aborted
          ? `did not answer within ${timeoutMs} ms`
          : "could not be fetched",
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw invalid(clientId, `answered HTTP ${response.status}`);
    }
    return await readLimited(clientId, response, maxBytes, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(
  clientId: string,
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw invalid(clientId, `is larger than ${maxBytes} bytes`);
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw invalid(clientId, `is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw invalid(
      clientId,
      signal.aborted ? "did not finish in time" : "could not be read",
    );
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid(clientId, "is not UTF-8");
  }
}

/**
 * Checks a parsed client ID metadata document and returns the public client
 * it describes; throws `invalid_client` naming the first problem.
 */
export function clientFromDocument(
  clientId: string,
  document: unknown,
): ResolvedClient {
  if (
    typeof document !== "object" || document === null || Array.isArray(document)
  ) {
    throw invalid(clientId, "is not a JSON object");
  }
  const fields = document as Record<string, unknown>;
  if (fields.client_id !== clientId) {
    throw invalid(
      clientId,
      `has client_id ${JSON.stringify(fields.client_id)}, not the document URL`,
    );
  }
  const redirectUris = fields.redirect_uris;
  if (
    !Array.isArray(redirectUris) || redirectUris.length === 0 ||
    !redirectUris.every((uri) => typeof uri === "string")
  ) {
    throw invalid(clientId, "has no redirect_uris array of strings");
  }
  for (const uri of redirectUris as string[]) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) {
      throw invalid(clientId, `has redirect URI ${problem}`);
    }
  }
  // Draft §4.1: no shared secrets; this issuer supports no private_key_jwt.
  if ("client_secret" in fields) {
    throw invalid(clientId, "contains a client_secret");
  }
  const method = fields.token_endpoint_auth_method;
  if (method !== undefined && method !== "none") {
    throw invalid(
      clientId,
      `asks for token_endpoint_auth_method ${
        JSON.stringify(method)
      }; only "none" is supported`,
    );
  }
  const grantTypes = fields.grant_types;
  if (
    grantTypes !== undefined &&
    (!Array.isArray(grantTypes) ||
      !grantTypes.every((grant) => typeof grant === "string"))
  ) {
    throw invalid(
      clientId,
      "has a grant_types value that is not an array of strings",
    );
  }
  return {
    clientId,
    kind: "metadata_document",
    secret: undefined,
    redirectUris: Object.freeze([...redirectUris as string[]]),
    grantTypes: grantTypes === undefined
      ? undefined
      : Object.freeze([...grantTypes as string[]]),
    resourceId: undefined,
  };
}

function invalid(clientId: string, problem: string): OAuthError {
  return new OAuthError(
    "invalid_client",
    `Client metadata document "${clientId}" ${problem}`,
  );
}
