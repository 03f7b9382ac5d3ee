/**
 * The whole client journey, as MCP Inspector makes it: discovery from the
 * 401, authorization-server metadata, registration (or a client ID metadata
 * document), authorization with PKCE, token, MCP calls, refresh. Driven by
 * the MCP SDK's own client auth, so the server is judged by what a real
 * client does with its metadata.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/auth"
import {
  auth,
  discoverOAuthServerInfo,
  exchangeAuthorization,
  type OAuthClientProvider,
  refreshAuthorization,
  startAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/shared/auth"
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import { CLIENT_INFO, withClient } from "./_client.ts";

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
class MemoryOAuthClient implements OAuthClientProvider {
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
}

/** Connects with an access token and lists tools; a refusal is a failure of `step`. */
async function useTokens(
  context: ScenarioContext,
  accessToken: string,
  label: string,
  check: Checker,
  step: string,
): Promise<void> {
  try {
    await withClient(
      context,
      { value: accessToken, label },
      (connection) => connection.client.listTools(),
    );
  } catch (error) {
    check.fail(
      `The token from the ${step} was refused`,
      "initialize and tools/list to succeed",
      (error as Error).message,
    );
  }
}

/** Refreshes with the SDK, then checks the new access token works. */
async function refreshThenUse(
  context: ScenarioContext,
  check: Checker,
  authorizationServerUrl: string | URL,
  refresh: Omit<Parameters<typeof refreshAuthorization>[1], "resource">,
): Promise<void> {
  const refreshed = await refreshAuthorization(authorizationServerUrl, {
    ...refresh,
    resource: new URL(context.options.url),
  });
  await useTokens(
    context,
    refreshed.access_token,
    "refreshed access token",
    check,
    "refresh",
  );
}

/** The journey scenarios. */
export const JOURNEY_SCENARIOS: readonly Scenario[] = [
  {
    id: "journey.dynamic_registration",
    title:
      "a client that knows only the URL registers, authorizes with PKCE, calls tools and refreshes",
    spec:
      "MCP authorization 2025-06-18 §Authorization Flow; RFC 7591; RFC 7636; RFC 8707",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const provider = new MemoryOAuthClient();
      const fetchFn = context.probe.recordingFetch([]);
      // 1. Connect without a token: the SDK reads the 401 challenge, the
      //    resource metadata and the authorization server's metadata,
      //    registers, and asks for a redirect to the authorization endpoint.
      const first = new Client({ ...CLIENT_INFO });
      const transport = new StreamableHTTPClientTransport(
        new URL(context.options.url),
        {
          authProvider: provider,
          fetch: fetchFn,
        },
      );
      try {
        await first.connect(transport);
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
      } finally {
        await first.close();
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
      const result = await auth(provider, {
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
      // 3. The MCP session works with the token.
      await useTokens(
        context,
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
      const info = await discoverOAuthServerInfo(context.options.url, {
        fetchFn,
      });
      await refreshThenUse(context, check, info.authorizationServerUrl, {
        metadata: info.authorizationServerMetadata,
        clientInformation: provider.client,
        refreshToken,
        fetchFn,
      });
    },
  },
  {
    id: "journey.client_metadata_document",
    title:
      "a client identified by a client ID metadata document authorizes and calls tools",
    spec:
      "MCP authorization 2025-11-25 §Client ID Metadata Documents; RFC 7636; RFC 8707",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const fetchFn = context.probe.recordingFetch([]);
      const document = serveClientMetadata();
      try {
        const info = await discoverOAuthServerInfo(context.options.url, {
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
        const { authorizationUrl, codeVerifier } = await startAuthorization(
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
        const tokens = await exchangeAuthorization(
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
          tokens.access_token,
          "access token for the metadata-document client",
          check,
          "client ID metadata document flow",
        );
        if (tokens.refresh_token !== undefined) {
          await refreshThenUse(context, check, info.authorizationServerUrl, {
            metadata,
            clientInformation,
            refreshToken: tokens.refresh_token,
            fetchFn,
          });
        }
      } finally {
        await document.close();
      }
    },
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
