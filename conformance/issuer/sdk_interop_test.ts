/**
 * The MCP TypeScript SDK's own OAuth client helpers against the issuer: a
 * real client must accept its metadata, registration and token responses.
 */

import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
// @ts-types="@modelcontextprotocol/sdk/client/auth"
import {
  discoverAuthorizationServerMetadata,
  exchangeAuthorization,
  refreshAuthorization,
  registerClient,
  startAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { startMockIssuer } from "./server.ts";

const RESOURCE = {
  id: "res_sdk",
  url: "http://127.0.0.1:3002/mcp",
  scopes: ["todo:read", "todo:write"],
};
const REDIRECT = "http://127.0.0.1:6274/oauth/callback";

Deno.test("the MCP SDK client discovers, registers, authorizes, exchanges and refreshes", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const authorizationServer = new URL(issuer.resourceIssuer());
    const metadata = await discoverAuthorizationServerMetadata(
      authorizationServer,
    );
    assert.ok(metadata);
    assert.equal(metadata.issuer, issuer.resourceIssuer());

    const clientInformation = await registerClient(authorizationServer, {
      metadata,
      clientMetadata: {
        client_name: "SDK interop",
        redirect_uris: [REDIRECT],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      },
    });
    assert.match(clientInformation.client_id, /^m2m_/);

    const resource = new URL(RESOURCE.url);
    const { authorizationUrl, codeVerifier } = await startAuthorization(
      authorizationServer,
      {
        metadata,
        clientInformation,
        redirectUrl: REDIRECT,
        scope: "todo:read",
        state: "sdk-state",
        resource,
      },
    );
    const response = await fetch(authorizationUrl, { redirect: "manual" });
    await response.body?.cancel();
    assert.equal(response.status, 302);
    const callback = new URL(response.headers.get("location")!);
    assert.equal(callback.searchParams.get("state"), "sdk-state");

    const tokens = await exchangeAuthorization(authorizationServer, {
      metadata,
      clientInformation,
      authorizationCode: callback.searchParams.get("code")!,
      codeVerifier,
      redirectUri: REDIRECT,
      resource,
    });
    assert.equal(tokens.token_type, "Bearer");
    assert.equal(tokens.scope, "todo:read");
    assert.ok(tokens.refresh_token);
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(String(metadata.jwks_uri))),
      { issuer: issuer.url, audience: RESOURCE.url, algorithms: ["RS256"] },
    );
    assert.deepEqual(payload.aud, [RESOURCE.url, RESOURCE.id]);

    const refreshed = await refreshAuthorization(authorizationServer, {
      metadata,
      clientInformation,
      refreshToken: tokens.refresh_token,
      resource,
    });
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(decodeJwt(refreshed.access_token).sid, payload.sid);
  } finally {
    await issuer.close();
  }
});

Deno.test("the MCP SDK client authenticates a confidential client with HTTP Basic", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const authorizationServer = new URL(issuer.resourceIssuer());
    const metadata = await discoverAuthorizationServerMetadata(
      authorizationServer,
    );
    const clientInformation = await registerClient(authorizationServer, {
      metadata,
      clientMetadata: {
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: "client_secret_basic",
      },
    });
    assert.ok(clientInformation.client_secret);
    const { authorizationUrl, codeVerifier } = await startAuthorization(
      authorizationServer,
      { metadata, clientInformation, redirectUrl: REDIRECT },
    );
    const response = await fetch(authorizationUrl, { redirect: "manual" });
    await response.body?.cancel();
    const code = new URL(response.headers.get("location")!).searchParams.get(
      "code",
    )!;
    const tokens = await exchangeAuthorization(authorizationServer, {
      metadata,
      clientInformation,
      authorizationCode: code,
      codeVerifier,
      redirectUri: REDIRECT,
    });
    assert.equal(tokens.scope, "todo:read todo:write");
    // Registered without refresh_token and never asked for offline_access.
    assert.equal(tokens.refresh_token, undefined);
  } finally {
    await issuer.close();
  }
});

Deno.test("the MCP SDK finds the environment-level metadata too", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const metadata = await discoverAuthorizationServerMetadata(
      new URL(issuer.url),
    );
    assert.equal(metadata?.issuer, issuer.url);
    assert.equal(metadata?.registration_endpoint, undefined);
  } finally {
    await issuer.close();
  }
});
