/**
 * The whole client journey, as MCP Inspector makes it: discovery from the
 * 401, authorization-server metadata, registration (or a client ID metadata
 * document), authorization with PKCE, token, MCP calls, refresh. Driven by
 * the MCP SDK's own client auth (1.x for the legacy client, 2.x for the
 * modern one), so the server is judged by what a real client does with its
 * metadata.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/auth"
import * as legacyAuth from "@modelcontextprotocol/sdk/client/auth.js";
// @ts-types="@modelcontextprotocol/sdk/shared/auth"
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import * as modernClient from "@modelcontextprotocol/client";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import {
  connectClient,
  type Era,
  EraUnavailable,
  withClient,
} from "./_client.ts";
import { NEEDS_LOGIN, requireIssuer } from "./_helpers.ts";

/** Authorization-server metadata, as far as the journeys read it. */
type ServerMetadata = Record<string, unknown>;

/** The OAuth client functions a journey uses, from the SDK of one era. */
interface OAuthKit {
  auth(
    provider: MemoryOAuthClient,
    options: {
      serverUrl: string;
      authorizationCode?: string;
      fetchFn: typeof fetch;
    },
  ): Promise<string>;
  discoverOAuthServerInfo(
    serverUrl: string,
    options: { fetchFn: typeof fetch },
  ): Promise<
    {
      authorizationServerUrl: string;
      authorizationServerMetadata?: ServerMetadata;
    }
  >;
  startAuthorization(
    authorizationServerUrl: string,
    options: {
      metadata?: ServerMetadata;
      clientInformation: OAuthClientInformationMixed;
      redirectUrl: string;
      scope: string;
      state: string;
      resource: URL;
    },
  ): Promise<{ authorizationUrl: URL; codeVerifier: string }>;
  exchangeAuthorization(
    authorizationServerUrl: string,
    options: {
      metadata?: ServerMetadata;
      clientInformation: OAuthClientInformationMixed;
      authorizationCode: string;
      codeVerifier: string;
      redirectUri: string;
      resource: URL;
      fetchFn: typeof fetch;
    },
  ): Promise<OAuthTokens>;
  refreshAuthorization(
    authorizationServerUrl: string,
    options: {
      metadata?: ServerMetadata;
      clientInformation: OAuthClientInformationMixed;
      refreshToken: string;
      resource: URL;
      fetchFn: typeof fetch;
    },
  ): Promise<OAuthTokens>;
}

// The two SDKs take the same shapes; their declared types differ in detail
// (v2's metadata types are stricter), so each is viewed through OAuthKit.
const KITS: Readonly<Record<Era, OAuthKit>> = {
  legacy: legacyAuth as unknown as OAuthKit,
  modern: modernClient as unknown as OAuthKit,
};

/** Where the simulated browser is sent back to; nothing needs to listen there. */
const REDIRECT_URL = "http://127.0.0.1:53682/callback";

/**
 * Plays the user agent: follows the authorization URL to the mock issuer,
 * which logs the test user in and consents at once, and returns the code
 * from the redirect.
 */
async function authorizeInBrowser(
  context: ScenarioContext,
  authorizationUrl: URL,
  expectedState?: string,
): Promise<string> {
  const fetchFn = context.probe.recordingFetch([]);
  const response = await fetchFn(authorizationUrl, { redirect: "manual" });
  await response.body?.cancel();
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) {
    throw new Error(`authorization did not redirect (HTTP ${response.status})`);
  }
  const back = new URL(location);
  const error = back.searchParams.get("error");
  if (error !== null) {
    throw new Error(
      `authorization failed: ${error} ${
        back.searchParams.get("error_description") ?? ""
      }`,
    );
  }
  if (
    expectedState !== undefined &&
    back.searchParams.get("state") !== expectedState
  ) {
    throw new Error("authorization returned another state");
  }
  const code = back.searchParams.get("code");
  if (code === null) throw new Error("authorization returned no code");
  return code;
}

/** An in-memory OAuth client, like the one MCP Inspector keeps in the browser. */
class MemoryOAuthClient {
  client?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = "";
  pendingAuthorization?: URL;

  get redirectUrl(): string {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "mcp-scalekit conformance",
      redirect_uris: [REDIRECT_URL],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.pendingAuthorization = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  // SDK v2 binds the callback to the authorization server it discovered
  // (SEP-2352): it keeps what it learned here between the two legs.
  saveDiscoveryState(state: unknown) {
    this.discovered = state;
  }
  discoveryState() {
    return this.discovered;
  }
  discovered?: unknown;
}

/**
 * Skips a modern journey when it cannot apply: under an older revision, or
 * against a server that does not speak the 2026-07-28 era (found with a
 * minted token, before any registration).
 */
async function eraApplies(
  context: ScenarioContext,
  check: Checker,
  era: Era,
): Promise<void> {
  const issuer = requireIssuer(context, check, NEEDS_LOGIN);
  if (era === "legacy") return;
  if (context.spec !== "2026-07-28") {
    check.skip(`the 2026-07-28 era is not part of ${context.spec}`);
  }
  const probe = {
    value: await issuer.mint({ resourceId: context.options.resourceId }),
    label: "token for the era check",
  };
  try {
    await withClient(context, probe, () => {}, "modern");
  } catch (error) {
    if (error instanceof EraUnavailable) check.skip(error.message);
    throw error;
  }
}

/** Connects with an access token and lists tools; a refusal is a failure of `step`. */
async function useTokens(
  context: ScenarioContext,
  era: Era,
  accessToken: string,
  label: string,
  check: Checker,
  step: string,
): Promise<void> {
  try {
    await withClient(
      context,
      { value: accessToken, label },
      (connection) => connection.session.listTools(),
      era,
    );
  } catch (error) {
    check.fail(
      `The token from the ${step} was refused`,
      "connecting and tools/list to succeed",
      (error as Error).message,
    );
  }
}

/** Refreshes with the SDK, then checks the new access token works. */
async function refreshThenUse(
  context: ScenarioContext,
  era: Era,
  check: Checker,
  authorizationServerUrl: string,
  refresh: {
    metadata?: ServerMetadata;
    clientInformation: OAuthClientInformationMixed;
    refreshToken: string;
    fetchFn: typeof fetch;
  },
): Promise<void> {
  const refreshed = await KITS[era].refreshAuthorization(
    authorizationServerUrl,
    { ...refresh, resource: new URL(context.options.url) },
  );
  await useTokens(
    context,
    era,
    refreshed.access_token,
    "refreshed access token",
    check,
    "refresh",
  );
}

/** The journey of a client that registers dynamically (RFC 7591), as MCP Inspector does. */
async function dynamicRegistration(
  context: ScenarioContext,
  check: Checker,
  era: Era,
): Promise<void> {
  await eraApplies(context, check, era);
  const kit = KITS[era];
  const provider = new MemoryOAuthClient();
  const fetchFn = context.probe.recordingFetch([]);
  // 1. Connect without a token: the SDK reads the 401 challenge, the
  //    resource metadata and the authorization server's metadata,
  //    registers, and asks for a redirect to the authorization endpoint.
  try {
    const connection = await connectClient(context, {
      era,
      authProvider: provider,
      fetch: fetchFn,
    });
    await connection.close();
    check.fail(
      "The server let an unauthenticated client connect",
      "HTTP 401 and an authorization redirect",
      "connected",
    );
    return;
  } catch (error) {
    if (provider.pendingAuthorization === undefined) {
      check.fail(
        "The SDK client could not get from the 401 to an authorization request",
        "discovery, registration and an authorization URL",
        (error as Error).message,
      );
      return;
    }
  }
  if (provider.client === undefined) {
    check.fail(
      "No client was registered",
      "dynamic client registration",
      "none",
    );
    return;
  }
  // 2. The user agent logs in and consents; the client exchanges the code.
  const code = await authorizeInBrowser(
    context,
    provider.pendingAuthorization,
  );
  const result = await kit.auth(provider, {
    serverUrl: context.options.url,
    authorizationCode: code,
    fetchFn,
  });
  if (result !== "AUTHORIZED" || provider.saved === undefined) {
    check.fail(
      "The code could not be exchanged for a token",
      "tokens",
      result,
    );
    return;
  }
  // 3. MCP works with the token.
  await useTokens(
    context,
    era,
    provider.saved.access_token,
    "access token from the journey",
    check,
    "authorization code flow",
  );
  // 4. Refresh, and the refreshed token works too.
  const refreshToken = provider.saved.refresh_token;
  if (refreshToken === undefined) {
    check.fail(
      "No refresh token was issued",
      "a refresh token (the client registered the refresh_token grant)",
      "none",
    );
    return;
  }
  const info = await kit.discoverOAuthServerInfo(context.options.url, {
    fetchFn,
  });
  await refreshThenUse(context, era, check, info.authorizationServerUrl, {
    metadata: info.authorizationServerMetadata,
    clientInformation: provider.client,
    refreshToken,
    fetchFn,
  });
}

/** The journey of a client identified by a client ID metadata document. */
async function clientMetadataDocument(
  context: ScenarioContext,
  check: Checker,
  era: Era,
): Promise<void> {
  await eraApplies(context, check, era);
  const kit = KITS[era];
  const fetchFn = context.probe.recordingFetch([]);
  const document = serveClientMetadata();
  try {
    const info = await kit.discoverOAuthServerInfo(context.options.url, {
      fetchFn,
    });
    const metadata = info.authorizationServerMetadata;
    if (metadata?.client_id_metadata_document_supported !== true) {
      check.skip(
        "the authorization server does not support client ID metadata documents",
      );
    }
    const clientInformation = { client_id: document.url };
    const resource = new URL(context.options.url);
    const state = crypto.randomUUID();
    const { authorizationUrl, codeVerifier } = await kit.startAuthorization(
      info.authorizationServerUrl,
      {
        metadata,
        clientInformation,
        redirectUrl: REDIRECT_URL,
        scope: context.options.scopes.join(" "),
        state,
        resource,
      },
    );
    const code = await authorizeInBrowser(context, authorizationUrl, state);
    const tokens = await kit.exchangeAuthorization(
      info.authorizationServerUrl,
      {
        metadata,
        clientInformation,
        authorizationCode: code,
        codeVerifier,
        redirectUri: REDIRECT_URL,
        resource,
        fetchFn,
      },
    );
    await useTokens(
      context,
      era,
      tokens.access_token,
      "access token for the metadata-document client",
      check,
      "client ID metadata document flow",
    );
    if (tokens.refresh_token !== undefined) {
      await refreshThenUse(context, era, check, info.authorizationServerUrl, {
        metadata,
        clientInformation,
        refreshToken: tokens.refresh_token,
        fetchFn,
      });
    }
  } finally {
    await document.close();
  }
}

/** The journey scenarios, each with a legacy and a modern client. */
export const JOURNEY_SCENARIOS: readonly Scenario[] = [
  {
    id: "journey.dynamic_registration",
    title:
      "a client that knows only the URL registers, authorizes with PKCE, calls tools and refreshes (legacy client)",
    rule: "client_journey",
    run: (context: ScenarioContext, check: Checker) =>
      dynamicRegistration(context, check, "legacy"),
  },
  {
    id: "journey.dynamic_registration_modern",
    title:
      "a client that knows only the URL registers, authorizes with PKCE, calls tools and refreshes (modern client)",
    rule: "client_journey",
    run: (context: ScenarioContext, check: Checker) =>
      dynamicRegistration(context, check, "modern"),
  },
  {
    id: "journey.client_metadata_document",
    title:
      "a client identified by a client ID metadata document authorizes and calls tools (legacy client)",
    rule: "client_journey",
    run: (context: ScenarioContext, check: Checker) =>
      clientMetadataDocument(context, check, "legacy"),
  },
  {
    id: "journey.client_metadata_document_modern",
    title:
      "a client identified by a client ID metadata document authorizes and calls tools (modern client)",
    rule: "client_journey",
    run: (context: ScenarioContext, check: Checker) =>
      clientMetadataDocument(context, check, "modern"),
  },
];

/** Serves a client ID metadata document on loopback; its URL is the client id. */
function serveClientMetadata(): { url: string; close(): Promise<void> } {
  const controller = new AbortController();
  let url = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen() {},
  }, () =>
    Response.json({
      client_id: url,
      client_name: "mcp-scalekit conformance (metadata document)",
      redirect_uris: [REDIRECT_URL],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }));
  url = `http://127.0.0.1:${server.addr.port}/oauth/client-metadata.json`;
  return {
    url,
    async close() {
      controller.abort();
      await server.finished;
    },
  };
}
