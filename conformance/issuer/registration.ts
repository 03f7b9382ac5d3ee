/**
 * Dynamic client registration (RFC 7591), as Scalekit serves it at
 * `POST /api/v1/resources/<res>/clients:register`.
 *
 * @module
 */

import type { RegisteredClient, TokenEndpointAuthMethod } from "./types.ts";
import type { IssuerContext } from "./_context.ts";
import { OAuthError } from "./_errors.ts";
import { opaqueSecret, scalekitId } from "./_ids.ts";
import { parseAbsoluteUrl, redirectUriProblem } from "./_urls.ts";
import type { ClientRecord } from "./clients.ts";
import { isScopeToken } from "./resources.ts";

/** Grant types a client may register. */
export const SUPPORTED_GRANT_TYPES: readonly string[] = Object.freeze([
  "authorization_code",
  "client_credentials",
  "refresh_token",
]);

/** Client authentication methods the token endpoint supports. */
export const SUPPORTED_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = Object
  .freeze(["none", "client_secret_post", "client_secret_basic"]);

const INFORMATION_URIS = [
  "client_uri",
  "logo_uri",
  "tos_uri",
  "policy_uri",
] as const;

/**
 * Checks a registration request body and makes the client record. Throws
 * `invalid_redirect_uri` or `invalid_client_metadata` (RFC 7591 §3.2.2).
 *
 * Defaults follow RFC 7591 §2: `token_endpoint_auth_method` `none` (a public
 * client), `grant_types` `["authorization_code"]`. `redirect_uris` is
 * required unless the client registers no `authorization_code` grant.
 * Unknown fields are ignored.
 */
export function createClientRecord(
  body: unknown,
  resourceId: string,
  issuedAtSeconds: number,
): ClientRecord {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw metadataError("The registration request must be a JSON object");
  }
  const fields = body as Record<string, unknown>;

  const method = fields.token_endpoint_auth_method ?? "none";
  if (!SUPPORTED_AUTH_METHODS.includes(method as TokenEndpointAuthMethod)) {
    throw metadataError(
      `token_endpoint_auth_method ${
        JSON.stringify(method)
      } is not supported; use one of ${SUPPORTED_AUTH_METHODS.join(", ")}`,
    );
  }
  const authMethod = method as TokenEndpointAuthMethod;

  const grantTypes = stringArray(fields, "grant_types") ??
    ["authorization_code"];
  if (grantTypes.length === 0) throw metadataError("grant_types is empty");
  for (const grant of grantTypes) {
    if (!SUPPORTED_GRANT_TYPES.includes(grant)) {
      throw metadataError(`Grant type "${grant}" is not supported`);
    }
  }
  if (grantTypes.includes("client_credentials") && authMethod === "none") {
    throw metadataError(
      "The client_credentials grant needs a confidential client (client_secret_post or client_secret_basic)",
    );
  }

  const responseTypes = stringArray(fields, "response_types") ?? ["code"];
  for (const type of responseTypes) {
    if (type !== "code") {
      throw metadataError(`Response type "${type}" is not supported`);
    }
  }

  const redirectUris = redirectUrisOf(fields, grantTypes);

  const record: Record<string, unknown> = {
    client_id: scalekitId("m2m"),
    client_id_issued_at: issuedAtSeconds,
    redirect_uris: redirectUris,
    grant_types: [...new Set(grantTypes)],
    response_types: [...new Set(responseTypes)],
    token_endpoint_auth_method: authMethod,
    resource_id: resourceId,
  };
  if (authMethod !== "none") {
    record.client_secret = opaqueSecret();
    // RFC 7591 §3.2.1: 0 means the secret does not expire.
    record.client_secret_expires_at = 0;
  }
  const name = optionalString(fields, "client_name");
  if (name !== undefined) record.client_name = name;
  const scope = optionalString(fields, "scope");
  if (scope !== undefined) {
    const scopes = scope.split(" ").filter((s) => s !== "");
    const bad = scopes.find((s) => !isScopeToken(s));
    if (bad !== undefined) {
      throw metadataError(`scope has an invalid scope "${bad}"`);
    }
    record.scope = scopes.join(" ");
  }
  for (const key of INFORMATION_URIS) {
    const value = optionalString(fields, key);
    if (value === undefined) continue;
    if (parseAbsoluteUrl(value) === undefined) {
      throw metadataError(`${key} "${value}" is not an absolute URL`);
    }
    record[key] = value;
  }
  const contacts = stringArray(fields, "contacts");
  if (contacts !== undefined) record.contacts = contacts;
  return record as unknown as ClientRecord;
}

/**
 * Registers a client for a resource: checks the request, stores the client,
 * writes the state file when there is one, and returns the registration
 * response.
 */
export async function registerClient(
  context: IssuerContext,
  body: unknown,
  resourceId: string,
): Promise<RegisteredClient> {
  context.resources.require(resourceId);
  const record = createClientRecord(
    body,
    resourceId,
    Math.floor(context.settings.now() / 1000),
  );
  context.clients.add(record);
  await context.persist();
  return registrationResponse(record);
}

/** The registration response for a stored client (RFC 7591 §3.2.1). */
export function registrationResponse(record: ClientRecord): RegisteredClient {
  const { resource_id: _resource, ...client } = record;
  return client;
}

function redirectUrisOf(
  fields: Record<string, unknown>,
  grantTypes: readonly string[],
): string[] {
  const value = fields.redirect_uris;
  if (value === undefined || value === null) {
    if (grantTypes.includes("authorization_code")) {
      throw new OAuthError(
        "invalid_redirect_uri",
        "redirect_uris is required for the authorization_code grant",
      );
    }
    return [];
  }
  if (!Array.isArray(value) || !value.every((uri) => typeof uri === "string")) {
    throw new OAuthError(
      "invalid_redirect_uri",
      "redirect_uris must be an array of strings",
    );
  }
  if (value.length === 0 && grantTypes.includes("authorization_code")) {
    throw new OAuthError(
      "invalid_redirect_uri",
      "redirect_uris must not be empty for the authorization_code grant",
    );
  }
  for (const uri of value as string[]) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) {
      throw new OAuthError("invalid_redirect_uri", `Redirect URI ${problem}`);
    }
  }
  return [...new Set(value as string[])];
}

function stringArray(
  fields: Record<string, unknown>,
  key: string,
): string[] | undefined {
  const value = fields[key];
  // Some clients send null for fields they leave unset.
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw metadataError(`${key} must be an array of strings`);
  }
  return [...value];
}

function optionalString(
  fields: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw metadataError(`${key} must be a string`);
  return value;
}

function metadataError(description: string): OAuthError {
  return new OAuthError("invalid_client_metadata", description);
}
