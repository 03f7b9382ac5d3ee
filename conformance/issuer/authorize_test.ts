import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { createMockIssuer, type InProcessMockIssuer } from "./issuer.ts";
import {
  authorizeUrl,
  fetchJson,
  followAuthorize,
  formRequest,
  pkcePair,
} from "./_test_helpers.ts";

const E = "http://issuer.test";
const RESOURCES = [
  {
    id: "res_a",
    url: "https://a.example/mcp",
    scopes: ["todo:read", "todo:write"],
  },
  { id: "res_b", scopes: ["notes:read"] },
];
const REDIRECT = "http://127.0.0.1:4000/callback";

async function setup(now?: () => number) {
  const issuer = await createMockIssuer(E, { resources: RESOURCES, now });
  const client = await issuer.registerClient!(
    { redirect_uris: [REDIRECT], grant_types: ["authorization_code"] },
    "res_a",
  );
  const { verifier, challenge } = await pkcePair();
  const base = {
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-123",
  };
  return { issuer, client, verifier, challenge, base };
}

function redeem(
  issuer: InProcessMockIssuer,
  clientId: string,
  code: string,
  verifier: string,
) {
  return fetchJson(
    issuer.fetch,
    formRequest(`${E}/oauth/token`, {
      grant_type: "authorization_code",
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    }),
  );
}

Deno.test("authorize redirects with a code and the state, granting the requested known scopes", async () => {
  const { issuer, client, verifier, base } = await setup();
  const { status, location } = await followAuthorize(
    issuer.fetch,
    authorizeUrl(`${E}/resources/res_a/oauth/authorize`, {
      ...base,
      scope: "todo:read unknown:scope",
    }),
  );
  assert.equal(status, 302);
  assert.equal(location?.origin + location!.pathname, REDIRECT);
  assert.equal(location!.searchParams.get("state"), "st-123");
  const code = location!.searchParams.get("code")!;
  assert.ok(code.length >= 32);
  const { status: tokenStatus, body } = await redeem(
    issuer,
    client.client_id,
    code,
    verifier,
  );
  assert.equal(tokenStatus, 200);
  assert.equal(body.scope, "todo:read");
  assert.ok(
    !("refresh_token" in body),
    "no offline_access, no refresh_token grant",
  );
});

Deno.test("authorize answers 400 without redirecting when client or redirect URI cannot be trusted", async (t) => {
  const { issuer, base } = await setup();
  const other = await issuer.registerClient!(
    { redirect_uris: [REDIRECT] },
    "res_b",
  );
  const cases: [string, Record<string, string>, string][] = [
    ["missing client_id", { ...base, client_id: "" }, "invalid_request"],
    ["unknown client", { ...base, client_id: "m2m_123" }, "invalid_client"],
    ["missing redirect_uri", { ...base, redirect_uri: "" }, "invalid_request"],
    ["redirect_uri not registered", {
      ...base,
      redirect_uri: "http://127.0.0.1:4000/other",
    }, "invalid_request"],
    ["redirect_uri differs by a slash", {
      ...base,
      redirect_uri: REDIRECT + "/",
    }, "invalid_request"],
    [
      "client of another resource",
      { ...base, client_id: other.client_id },
      "invalid_client",
    ],
  ];
  for (const [name, params, error] of cases) {
    await t.step(name, async () => {
      const { status, location, body } = await followAuthorize(
        issuer.fetch,
        authorizeUrl(`${E}/resources/res_a/oauth/authorize`, params),
      );
      assert.equal(status, 400);
      assert.equal(location, undefined);
      assert.equal(JSON.parse(body).error, error);
    });
  }
  await t.step("unknown resource is 404", async () => {
    const { status } = await followAuthorize(
      issuer.fetch,
      authorizeUrl(`${E}/resources/res_nope/oauth/authorize`, base),
    );
    assert.equal(status, 404);
  });
});

Deno.test("authorize reports other errors by redirect with the state", async (t) => {
  const { issuer, base } = await setup();
  const cases: [string, Record<string, string>, string][] = [
    ["no code_challenge", { ...base, code_challenge: "" }, "invalid_request"],
    [
      "plain PKCE",
      { ...base, code_challenge_method: "plain" },
      "invalid_request",
    ],
    [
      "no PKCE method",
      { ...base, code_challenge_method: "" },
      "invalid_request",
    ],
    ["short challenge", { ...base, code_challenge: "abc" }, "invalid_request"],
    ["no response_type", { ...base, response_type: "" }, "invalid_request"],
    [
      "implicit",
      { ...base, response_type: "token" },
      "unsupported_response_type",
    ],
    ["only unknown scopes", { ...base, scope: "admin:all" }, "invalid_scope"],
    ["resource of another server", {
      ...base,
      resource: "https://evil.example/mcp",
    }, "invalid_target"],
    [
      "resource id of another resource",
      { ...base, resource: "res_b" },
      "invalid_target",
    ],
  ];
  for (const [name, params, error] of cases) {
    await t.step(name, async () => {
      const { status, location } = await followAuthorize(
        issuer.fetch,
        authorizeUrl(`${E}/resources/res_a/oauth/authorize`, params),
      );
      assert.equal(status, 302);
      assert.equal(location!.searchParams.get("error"), error);
      assert.ok(location!.searchParams.get("error_description"));
      assert.equal(location!.searchParams.get("state"), "st-123");
      assert.equal(location!.searchParams.get("code"), null);
    });
  }
  await t.step("a repeated parameter", async () => {
    const url = new URL(
      authorizeUrl(`${E}/resources/res_a/oauth/authorize`, base),
    );
    url.searchParams.append("scope", "todo:read");
    url.searchParams.append("scope", "todo:write");
    const { location } = await followAuthorize(issuer.fetch, url.href);
    assert.equal(location!.searchParams.get("error"), "invalid_request");
  });
});

Deno.test("authorize accepts the resource's URL or id as the resource indicator", async (t) => {
  const { issuer, client, verifier, base } = await setup();
  for (
    const resource of [
      "https://a.example/mcp",
      "https://A.example/mcp/",
      "res_a",
    ]
  ) {
    await t.step(resource, async () => {
      const { location } = await followAuthorize(
        issuer.fetch,
        authorizeUrl(`${E}/resources/res_a/oauth/authorize`, {
          ...base,
          resource,
        }),
      );
      const code = location!.searchParams.get("code");
      assert.ok(code, location?.href);
      const { body } = await redeem(issuer, client.client_id, code, verifier);
      assert.equal(typeof body.access_token, "string");
    });
  }
});

Deno.test("environment-level authorize picks the resource named by resource, else the client's", async () => {
  const issuer = await createMockIssuer(E, { resources: RESOURCES });
  const client = await issuer.registerClient!(
    { redirect_uris: [REDIRECT] },
    "res_b",
  );
  const { verifier, challenge } = await pkcePair();
  const params = {
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
  };
  const { location } = await followAuthorize(
    issuer.fetch,
    authorizeUrl(`${E}/oauth/authorize`, params),
  );
  const code = location!.searchParams.get("code")!;
  const { body } = await redeem(issuer, client.client_id, code, verifier);
  const claims = decodeJwt(String(body.access_token));
  assert.equal(claims.resid, "res_b");
  assert.deepEqual(claims.aud, ["res_b"]);
  assert.equal(body.scope, "notes:read");

  const named = await followAuthorize(
    issuer.fetch,
    authorizeUrl(`${E}/oauth/authorize`, {
      ...params,
      resource: "https://a.example/mcp",
    }),
  );
  // The client belongs to res_b: naming res_a is refused.
  assert.equal(named.location!.searchParams.get("error"), "invalid_target");
});

Deno.test("authorization codes expire after 60 seconds", async () => {
  let clock = 1_700_000_000_000;
  const { issuer, client, verifier, base } = await setup(() => clock);
  const { location } = await followAuthorize(
    issuer.fetch,
    authorizeUrl(`${E}/resources/res_a/oauth/authorize`, base),
  );
  clock += 61_000;
  const { status, body } = await redeem(
    issuer,
    client.client_id,
    location!.searchParams.get("code")!,
    verifier,
  );
  assert.equal(status, 400);
  assert.equal(body.error, "invalid_grant");
});
