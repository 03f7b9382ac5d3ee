import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import type { MockIssuer } from "./types.ts";
import { startMockIssuer } from "./server.ts";
import {
  authorizeUrl,
  basicAuth,
  fetchJson,
  formRequest,
  pkcePair,
} from "./_test_helpers.ts";

const RESOURCE = {
  id: "res_todo",
  url: "http://127.0.0.1:3002/mcp",
  scopes: ["todo:read", "todo:write", "todo:admin"],
};
const REDIRECT = "http://127.0.0.1:4000/callback";

const post = (
  url: string,
  params: Record<string, string>,
  headers?: Record<string, string>,
) => fetchJson(fetch, formRequest(url, params, headers));

/** Registers through the real endpoint, as an MCP client would. */
async function register(issuer: MockIssuer, body: Record<string, unknown>) {
  const response = await fetch(
    `${issuer.url}/api/v1/resources/${RESOURCE.id}/clients:register`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  assert.equal(response.status, 201);
  return await response.json() as { client_id: string; client_secret?: string };
}

/** Runs /oauth/authorize over HTTP and returns the code. */
async function authorizeCode(
  issuer: MockIssuer,
  clientId: string,
  challenge: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(
    authorizeUrl(`${issuer.resourceIssuer()}/oauth/authorize`, {
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "xyz",
      ...extra,
    }),
    { redirect: "manual" },
  );
  await response.body?.cancel();
  assert.equal(response.status, 302);
  const location = new URL(response.headers.get("location")!);
  assert.equal(location.searchParams.get("state"), "xyz");
  const code = location.searchParams.get("code");
  assert.ok(code, location.href);
  return code;
}

Deno.test("authorization code + PKCE flow issues a verifiable token and rotating refresh tokens", async (t) => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = `${issuer.resourceIssuer()}/oauth/token`;
    const client = await register(issuer, {
      client_name: "flow test",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
    });
    const { verifier, challenge } = await pkcePair();
    const code = await authorizeCode(issuer, client.client_id, challenge, {
      scope: "todo:read todo:write",
      resource: RESOURCE.url,
    });
    const first = await post(token, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      resource: RESOURCE.url,
    });

    await t.step("token response", () => {
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.headers.get("cache-control"), "no-store");
      assert.equal(first.body.token_type, "Bearer");
      assert.equal(first.body.expires_in, 3600);
      assert.equal(first.body.scope, "todo:read todo:write");
      assert.equal(typeof first.body.refresh_token, "string");
    });

    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
    const { payload } = await jwtVerify(String(first.body.access_token), jwks, {
      issuer: issuer.url,
      audience: RESOURCE.id,
      algorithms: ["RS256"],
    });
    await t.step("access token claims", () => {
      assert.deepEqual(payload.aud, [RESOURCE.url, RESOURCE.id]);
      assert.equal(payload.sub, issuer.user.id);
      assert.equal(payload.oid, issuer.user.organizationId);
      assert.equal(payload.client_id, client.client_id);
      assert.equal(payload.resid, RESOURCE.id);
      assert.deepEqual(payload.scopes, ["todo:read", "todo:write"]);
    });

    let refreshToken = String(first.body.refresh_token);
    await t.step(
      "refresh rotates the refresh token and keeps the session",
      async () => {
        const refreshed = await post(token, {
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: client.client_id,
        });
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
        assert.notEqual(refreshed.body.refresh_token, refreshToken);
        assert.equal(refreshed.body.scope, "todo:read todo:write");
        const claims = decodeJwt(String(refreshed.body.access_token));
        assert.equal(claims.sid, payload.sid);
        assert.notEqual(claims.jti, payload.jti);

        const replay = await post(token, {
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: client.client_id,
        });
        assert.equal(replay.status, 400);
        assert.equal(replay.body.error, "invalid_grant");
        refreshToken = String(refreshed.body.refresh_token);
      },
    );

    await t.step(
      "replaying a rotated token revoked the whole family",
      async () => {
        const revoked = await post(token, {
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: client.client_id,
        });
        assert.equal(revoked.body.error, "invalid_grant");
      },
    );
  } finally {
    await issuer.close();
  }
});

Deno.test("a code works once; reusing it revokes the refresh tokens it gave", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = `${issuer.url}/oauth/token`;
    const client = await register(issuer, {
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
    });
    const { verifier, challenge } = await pkcePair();
    const code = await authorizeCode(issuer, client.client_id, challenge);
    const redeem = () =>
      post(token, {
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: client.client_id,
      });
    const first = await redeem();
    assert.equal(first.status, 200);
    const again = await redeem();
    assert.equal(again.status, 400);
    assert.equal(again.body.error, "invalid_grant");
    const refresh = await post(token, {
      grant_type: "refresh_token",
      refresh_token: String(first.body.refresh_token),
      client_id: client.client_id,
    });
    assert.equal(refresh.body.error, "invalid_grant");
  } finally {
    await issuer.close();
  }
});

Deno.test("refresh can narrow but not widen the scope", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = `${issuer.url}/oauth/token`;
    const client = await register(issuer, { redirect_uris: [REDIRECT] });
    const { verifier, challenge } = await pkcePair();
    const code = await authorizeCode(issuer, client.client_id, challenge, {
      scope: "todo:read todo:write offline_access",
    });
    const first = await post(token, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      client_id: client.client_id,
    });
    // offline_access asked for: a refresh token even without the grant type.
    assert.equal(first.body.scope, "todo:read todo:write offline_access");
    const wider = await post(token, {
      grant_type: "refresh_token",
      refresh_token: String(first.body.refresh_token),
      client_id: client.client_id,
      scope: "todo:admin",
    });
    assert.equal(wider.status, 400);
    assert.equal(wider.body.error, "invalid_scope");
    // The refused request did not use the refresh token up.
    const narrower = await post(token, {
      grant_type: "refresh_token",
      refresh_token: String(first.body.refresh_token),
      client_id: client.client_id,
      scope: "todo:read",
    });
    assert.equal(narrower.status, 200, JSON.stringify(narrower.body));
    assert.equal(narrower.body.scope, "todo:read");
    assert.deepEqual(decodeJwt(String(narrower.body.access_token)).scopes, [
      "todo:read",
    ]);
  } finally {
    await issuer.close();
  }
});

Deno.test("authorization_code grant refuses a wrong verifier, client or redirect URI with invalid_grant", async (t) => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = `${issuer.url}/oauth/token`;
    const client = await register(issuer, { redirect_uris: [REDIRECT] });
    const other = await register(issuer, { redirect_uris: [REDIRECT] });
    const { verifier, challenge } = await pkcePair();
    const { verifier: wrongVerifier } = await pkcePair();
    const cases: [string, Record<string, string>][] = [
      ["wrong verifier", { code_verifier: wrongVerifier }],
      ["verifier equal to the challenge (plain)", { code_verifier: challenge }],
      ["another client", { client_id: other.client_id }],
      ["another redirect URI", { redirect_uri: "http://127.0.0.1:4000/other" }],
      ["unknown code", { code: "nope" }],
    ];
    for (const [name, override] of cases) {
      await t.step(name, async () => {
        const code = await authorizeCode(issuer, client.client_id, challenge);
        const { status, body } = await post(token, {
          grant_type: "authorization_code",
          code,
          code_verifier: verifier,
          client_id: client.client_id,
          ...override,
        });
        assert.equal(status, 400);
        assert.equal(body.error, "invalid_grant");
      });
    }
    await t.step("missing verifier is invalid_request", async () => {
      const code = await authorizeCode(issuer, client.client_id, challenge);
      const { status, body } = await post(token, {
        grant_type: "authorization_code",
        code,
        client_id: client.client_id,
      });
      assert.equal(status, 400);
      assert.equal(body.error, "invalid_request");
    });
  } finally {
    await issuer.close();
  }
});

Deno.test("client_credentials issues a machine token to a confidential client", async (t) => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = `${issuer.resourceIssuer()}/oauth/token`;
    const client = await register(issuer, {
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_basic",
    });
    const secret = client.client_secret!;

    await t.step("HTTP Basic", async () => {
      const { status, headers, body } = await post(
        token,
        { grant_type: "client_credentials", scope: "todo:read" },
        { authorization: basicAuth(client.client_id, secret) },
      );
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(headers.get("cache-control"), "no-store");
      assert.equal(body.scope, "todo:read");
      assert.ok(!("refresh_token" in body));
      const claims = decodeJwt(String(body.access_token));
      assert.equal(claims.sub, client.client_id);
      assert.equal(claims.client_id, client.client_id);
      assert.ok(!("oid" in claims));
      assert.ok(!("sid" in claims));
      assert.deepEqual(claims.aud, [RESOURCE.url, RESOURCE.id]);
    });
    await t.step("client_secret_post, all scopes by default", async () => {
      const { status, body } = await post(token, {
        grant_type: "client_credentials",
        client_id: client.client_id,
        client_secret: secret,
      });
      assert.equal(status, 200);
      assert.equal(body.scope, RESOURCE.scopes.join(" "));
    });
    await t.step(
      "wrong secret is 401 invalid_client with a Basic challenge",
      async () => {
        const { status, headers, body } = await post(
          token,
          { grant_type: "client_credentials" },
          { authorization: basicAuth(client.client_id, "wrong") },
        );
        assert.equal(status, 401);
        assert.equal(body.error, "invalid_client");
        assert.match(headers.get("www-authenticate") ?? "", /^Basic realm=/);
      },
    );
    await t.step("no secret is 401 invalid_client", async () => {
      const { status, body } = await post(token, {
        grant_type: "client_credentials",
        client_id: client.client_id,
      });
      assert.equal(status, 401);
      assert.equal(body.error, "invalid_client");
    });
    await t.step(
      "both Basic and client_secret is invalid_request",
      async () => {
        const { status, body } = await post(
          token,
          { grant_type: "client_credentials", client_secret: secret },
          { authorization: basicAuth(client.client_id, secret) },
        );
        assert.equal(status, 400);
        assert.equal(body.error, "invalid_request");
      },
    );
    await t.step("a public client may not use it", async () => {
      const publicClient = await register(issuer, {
        redirect_uris: [REDIRECT],
      });
      const { status, body } = await post(token, {
        grant_type: "client_credentials",
        client_id: publicClient.client_id,
      });
      assert.equal(status, 400);
      assert.equal(body.error, "unauthorized_client");
    });
  } finally {
    await issuer.close();
  }
});

Deno.test("token endpoint answers malformed requests with RFC 6749 errors", async (t) => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = `${issuer.url}/oauth/token`;
    const client = await register(issuer, { redirect_uris: [REDIRECT] });
    const cases: [string, Request, number, string][] = [
      [
        "JSON body",
        new Request(token, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
        400,
        "invalid_request",
      ],
      [
        "no grant_type",
        formRequest(token, { client_id: client.client_id }),
        400,
        "invalid_request",
      ],
      [
        "password grant",
        formRequest(token, {
          grant_type: "password",
          client_id: client.client_id,
        }),
        400,
        "unsupported_grant_type",
      ],
      [
        "no client",
        formRequest(token, { grant_type: "authorization_code", code: "x" }),
        401,
        "invalid_client",
      ],
      [
        "unknown client",
        formRequest(token, {
          grant_type: "authorization_code",
          client_id: "m2m_0",
        }),
        401,
        "invalid_client",
      ],
      [
        "garbage Basic",
        formRequest(token, { grant_type: "client_credentials" }, {
          authorization: "Basic %%%",
        }),
        401,
        "invalid_client",
      ],
      [
        "public client with a secret",
        formRequest(token, {
          grant_type: "authorization_code",
          client_id: client.client_id,
          client_secret: "s",
        }),
        401,
        "invalid_client",
      ],
      [
        "repeated parameter",
        new Request(token, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body:
            `grant_type=refresh_token&grant_type=refresh_token&client_id=${client.client_id}`,
        }),
        400,
        "invalid_request",
      ],
      [
        "unknown refresh token",
        formRequest(token, {
          grant_type: "refresh_token",
          refresh_token: "nope",
          client_id: client.client_id,
        }),
        400,
        "invalid_grant",
      ],
      [
        "unknown resource path",
        formRequest(`${issuer.url}/resources/res_nope/oauth/token`, {
          grant_type: "client_credentials",
        }),
        404,
        "not_found",
      ],
    ];
    for (const [name, request, status, error] of cases) {
      await t.step(name, async () => {
        const response = await fetchJson(fetch, request);
        assert.equal(response.status, status, JSON.stringify(response.body));
        assert.equal(response.body.error, error);
        assert.equal(typeof response.body.error_description, "string");
        assert.ok(!String(response.body.error_description).includes("    at "));
      });
    }
  } finally {
    await issuer.close();
  }
});

Deno.test("token endpoint uses the issuerForm option for iss", async () => {
  const issuer = await startMockIssuer({
    resources: [RESOURCE],
    issuerForm: "resource",
  });
  try {
    const client = await register(issuer, {
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_post",
    });
    const { body } = await post(`${issuer.url}/oauth/token`, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret!,
    });
    assert.equal(
      decodeJwt(String(body.access_token)).iss,
      issuer.resourceIssuer(),
    );
  } finally {
    await issuer.close();
  }
});
