import assert from "node:assert/strict";
import { createMockIssuer } from "./issuer.ts";
import { fetchJson, jsonRequest } from "./_test_helpers.ts";
import { createClientRecord } from "./registration.ts";

const E = "http://issuer.test";
const REGISTER = `${E}/api/v1/resources/res_conformance/clients:register`;

Deno.test("registration of a public client returns 201 with an m2m_ id and no secret", async () => {
  const issuer = await createMockIssuer(E, { now: () => 1_700_000_000_000 });
  const { status, headers, body } = await fetchJson(
    issuer.fetch,
    jsonRequest(REGISTER, {
      client_name: "MCP Inspector",
      redirect_uris: ["http://localhost:6274/oauth/callback"],
      grant_types: ["authorization_code", "refresh_token"],
      scope: "todo:read",
      client_uri: "https://inspector.example",
      unknown_field: "ignored",
    }),
  );
  assert.equal(status, 201);
  assert.equal(headers.get("cache-control"), "no-store");
  assert.match(String(body.client_id), /^m2m_\d+$/);
  assert.deepEqual({ ...body, client_id: "…" }, {
    client_id: "…",
    client_id_issued_at: 1_700_000_000,
    client_name: "MCP Inspector",
    redirect_uris: ["http://localhost:6274/oauth/callback"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    scope: "todo:read",
    client_uri: "https://inspector.example",
  });
});

Deno.test("registration of a confidential client returns a secret that never expires", async (t) => {
  const issuer = await createMockIssuer(E);
  for (const method of ["client_secret_post", "client_secret_basic"]) {
    await t.step(method, async () => {
      const { status, body } = await fetchJson(
        issuer.fetch,
        jsonRequest(REGISTER, {
          redirect_uris: ["https://app.example/callback"],
          token_endpoint_auth_method: method,
          grant_types: ["authorization_code", "client_credentials"],
        }),
      );
      assert.equal(status, 201);
      assert.equal(body.token_endpoint_auth_method, method);
      assert.equal(typeof body.client_secret, "string");
      assert.ok(String(body.client_secret).length >= 32);
      assert.equal(body.client_secret_expires_at, 0);
    });
  }
  await t.step("defaults: grant authorization_code, method none", async () => {
    const { body } = await fetchJson(
      issuer.fetch,
      jsonRequest(REGISTER, { redirect_uris: ["https://app.example/cb"] }),
    );
    assert.deepEqual(body.grant_types, ["authorization_code"]);
    assert.equal(body.token_endpoint_auth_method, "none");
    assert.ok(!("client_secret" in body));
  });
  await t.step(
    "a client_credentials-only client needs no redirect URI",
    async () => {
      const { status, body } = await fetchJson(
        issuer.fetch,
        jsonRequest(REGISTER, {
          grant_types: ["client_credentials"],
          token_endpoint_auth_method: "client_secret_basic",
        }),
      );
      assert.equal(status, 201);
      assert.deepEqual(body.redirect_uris, []);
    },
  );
});

Deno.test("registration refuses bad redirect URIs with invalid_redirect_uri", async (t) => {
  const issuer = await createMockIssuer(E);
  const cases: [string, unknown][] = [
    ["missing", undefined],
    ["empty", []],
    ["not an array", "https://app.example/cb"],
    ["not strings", [42]],
    ["relative", ["/callback"]],
    ["http on a public host", ["http://app.example/cb"]],
    ["fragment", ["https://app.example/cb#x"]],
    ["custom scheme", ["myapp://callback"]],
    ["javascript", ["javascript:alert(1)"]],
    ["user information", ["https://user:pw@app.example/cb"]],
  ];
  for (const [name, redirectUris] of cases) {
    await t.step(name, async () => {
      const { status, body } = await fetchJson(
        issuer.fetch,
        jsonRequest(REGISTER, {
          client_name: "x",
          redirect_uris: redirectUris,
        }),
      );
      assert.equal(status, 400);
      assert.equal(body.error, "invalid_redirect_uri");
      assert.equal(typeof body.error_description, "string");
    });
  }
  await t.step("loopback http is allowed on every loopback form", async () => {
    for (
      const uri of [
        "http://127.0.0.1:33418/callback",
        "http://localhost/cb",
        "http://[::1]:8080/cb",
      ]
    ) {
      const { status } = await fetchJson(
        issuer.fetch,
        jsonRequest(REGISTER, { redirect_uris: [uri] }),
      );
      assert.equal(status, 201, uri);
    }
  });
});

Deno.test("registration refuses bad metadata with invalid_client_metadata", async (t) => {
  const issuer = await createMockIssuer(E);
  const good = { redirect_uris: ["https://app.example/cb"] };
  const cases: [string, BodyInit][] = [
    ["not JSON", "{"],
    ["an array", JSON.stringify([good])],
    ["null", "null"],
    [
      "unknown auth method",
      JSON.stringify({
        ...good,
        token_endpoint_auth_method: "private_key_jwt",
      }),
    ],
    [
      "unsupported grant",
      JSON.stringify({ ...good, grant_types: ["password"] }),
    ],
    [
      "implicit response type",
      JSON.stringify({ ...good, response_types: ["token"] }),
    ],
    [
      "client_credentials for a public client",
      JSON.stringify({ ...good, grant_types: ["client_credentials"] }),
    ],
    ["client_name not a string", JSON.stringify({ ...good, client_name: 7 })],
    ["bad scope", JSON.stringify({ ...good, scope: "a\\b" })],
    ["relative client_uri", JSON.stringify({ ...good, client_uri: "/about" })],
  ];
  for (const [name, body] of cases) {
    await t.step(name, async () => {
      const response = await fetchJson(
        issuer.fetch,
        new Request(REGISTER, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      );
      assert.equal(response.status, 400);
      assert.equal(response.body.error, "invalid_client_metadata");
    });
  }
});

Deno.test("registration for an unknown resource or path is 404; a huge body is 413", async () => {
  const issuer = await createMockIssuer(E);
  const body = { redirect_uris: ["https://app.example/cb"] };
  for (
    const url of [
      `${E}/api/v1/resources/res_nope/clients:register`,
      `${E}/api/v1/resources/res_conformance/clients`,
      `${E}/api/v1/resources/res_conformance/register`,
    ]
  ) {
    const { status } = await fetchJson(issuer.fetch, jsonRequest(url, body));
    assert.equal(status, 404, url);
  }
  const { status, body: error } = await fetchJson(
    issuer.fetch,
    jsonRequest(REGISTER, { ...body, client_name: "x".repeat(70_000) }),
  );
  assert.equal(status, 413);
  assert.equal(error.error, "invalid_request");
});

Deno.test("registerClient() registers without HTTP and rejects like the endpoint", async () => {
  const issuer = await createMockIssuer(E);
  const client = await issuer.registerClient!({
    redirect_uris: ["https://app.example/cb"],
    token_endpoint_auth_method: "client_secret_post",
  });
  assert.match(client.client_id, /^m2m_/);
  assert.equal(typeof client.client_secret, "string");
  await assert.rejects(
    () => issuer.registerClient!({ redirect_uris: ["ftp://x"] }),
    (error: { code?: string }) => error.code === "invalid_redirect_uri",
  );
});

Deno.test("createClientRecord() treats null fields as absent", () => {
  const record = createClientRecord(
    { redirect_uris: ["https://a.example/cb"], client_name: null, scope: null },
    "res_x",
    1,
  );
  assert.ok(!("client_name" in record));
  assert.equal(record.resource_id, "res_x");
});
