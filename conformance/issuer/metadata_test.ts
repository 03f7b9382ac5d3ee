import assert from "node:assert/strict";
import { createMockIssuer } from "./issuer.ts";
import { fetchJson } from "./_test_helpers.ts";

const E = "http://issuer.test";
const RESOURCES = [
  {
    id: "res_a",
    url: "https://a.example/mcp",
    scopes: ["todo:read", "todo:write"],
  },
  { id: "res_b", scopes: ["notes:read"] },
];

Deno.test("per-resource metadata is served at both paths with Scalekit's fields", async () => {
  const issuer = await createMockIssuer(E, { resources: RESOURCES });
  const get = (path: string) => fetchJson(issuer.fetch, new Request(E + path));
  const suffixed = await get(
    "/resources/res_a/.well-known/oauth-authorization-server",
  );
  const rfc8414 = await get(
    "/.well-known/oauth-authorization-server/resources/res_a",
  );
  assert.equal(suffixed.status, 200);
  assert.equal(rfc8414.status, 200);
  assert.deepEqual(suffixed.body, rfc8414.body);
  assert.deepEqual(suffixed.body, {
    issuer: `${E}/resources/res_a`,
    authorization_endpoint: `${E}/resources/res_a/oauth/authorize`,
    token_endpoint: `${E}/resources/res_a/oauth/token`,
    registration_endpoint: `${E}/api/v1/resources/res_a/clients:register`,
    jwks_uri: `${E}/keys`,
    response_types_supported: ["code"],
    grant_types_supported: [
      "authorization_code",
      "client_credentials",
      "refresh_token",
    ],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: [
      "none",
      "client_secret_post",
      "client_secret_basic",
    ],
    client_id_metadata_document_supported: true,
    scopes_supported: ["todo:read", "todo:write", "offline_access"],
  });
  const other = await get(
    "/resources/res_b/.well-known/oauth-authorization-server",
  );
  assert.equal(other.body.issuer, `${E}/resources/res_b`);
  assert.deepEqual(other.body.scopes_supported, [
    "notes:read",
    "offline_access",
  ]);
  assert.equal(issuer.resourceIssuer("res_b"), other.body.issuer);
});

Deno.test("environment-level metadata has env endpoints and no registration endpoint", async () => {
  const issuer = await createMockIssuer(E, { resources: RESOURCES });
  for (
    const path of [
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
    ]
  ) {
    const { status, body } = await fetchJson(
      issuer.fetch,
      new Request(E + path),
    );
    assert.equal(status, 200, path);
    assert.equal(body.issuer, E);
    assert.equal(body.jwks_uri, `${E}/keys`);
    assert.equal(body.authorization_endpoint, `${E}/oauth/authorize`);
    assert.equal(body.token_endpoint, `${E}/oauth/token`);
    assert.ok(!("registration_endpoint" in body), path);
    assert.deepEqual(body.scopes_supported, [
      "todo:read",
      "todo:write",
      "notes:read",
      "offline_access",
    ]);
  }
});

Deno.test("unknown resources and paths are 404 JSON", async (t) => {
  const issuer = await createMockIssuer(E, { resources: RESOURCES });
  for (
    const path of [
      "/resources/res_nope/.well-known/oauth-authorization-server",
      "/.well-known/oauth-authorization-server/resources/res_nope",
      // Scalekit publishes keys only at the environment level.
      "/resources/res_a/keys",
      "/nothing",
    ]
  ) {
    await t.step(path, async () => {
      const { status, headers, body } = await fetchJson(
        issuer.fetch,
        new Request(E + path),
      );
      assert.equal(status, 404);
      assert.match(headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(body.error, "not_found");
    });
  }
});

Deno.test("metadata, keys, registration and token allow any origin", async (t) => {
  const issuer = await createMockIssuer(E, { resources: RESOURCES });
  for (
    const [method, path] of [
      ["GET", "/keys"],
      ["GET", "/.well-known/oauth-authorization-server"],
      ["GET", "/.well-known/oauth-authorization-server/resources/res_a"],
      ["GET", "/resources/res_a/.well-known/oauth-authorization-server"],
      ["POST", "/api/v1/resources/res_a/clients:register"],
      ["POST", "/oauth/token"],
      ["POST", "/resources/res_a/oauth/token"],
    ]
  ) {
    await t.step(`${method} ${path}`, async () => {
      const preflight = await issuer.fetch(
        new Request(E + path, {
          method: "OPTIONS",
          headers: {
            origin: "http://localhost:6274",
            "access-control-request-method": method,
            "access-control-request-headers":
              "mcp-protocol-version, authorization",
          },
        }),
      );
      await preflight.body?.cancel();
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
      assert.match(
        preflight.headers.get("access-control-allow-headers") ?? "",
        /mcp-protocol-version/,
      );
    });
  }
});

Deno.test("GET /keys serves the JWKS and counts fetches", async () => {
  const issuer = await createMockIssuer(E);
  assert.equal(issuer.jwksFetchCount, 0);
  const { status, headers, body } = await fetchJson(
    issuer.fetch,
    new Request(`${E}/keys`, { headers: { origin: "http://x.test" } }),
  );
  assert.equal(status, 200);
  assert.equal(headers.get("access-control-allow-origin"), "*");
  const keys = body.keys as Record<string, string>[];
  assert.equal(keys.length, 1);
  assert.equal(keys[0].kid, issuer.currentKid);
  assert.deepEqual(
    { kty: keys[0].kty, use: keys[0].use, alg: keys[0].alg, e: keys[0].e },
    { kty: "RSA", use: "sig", alg: "RS256", e: "AQAB" },
  );
  assert.equal(issuer.jwksFetchCount, 1);
});

Deno.test("wrong methods on known endpoints are 405 with Allow", async (t) => {
  const issuer = await createMockIssuer(E);
  for (
    const [method, path, allow] of [
      ["POST", "/keys", "GET, HEAD"],
      ["GET", "/oauth/token", "POST"],
      ["DELETE", "/.well-known/openid-configuration", "GET, HEAD"],
      ["GET", "/api/v1/resources/res_conformance/clients:register", "POST"],
    ]
  ) {
    await t.step(`${method} ${path}`, async () => {
      const { status, headers, body } = await fetchJson(
        issuer.fetch,
        new Request(E + path, { method }),
      );
      assert.equal(status, 405);
      assert.equal(headers.get("allow"), allow);
      assert.equal(body.error, "method_not_allowed");
    });
  }
});
