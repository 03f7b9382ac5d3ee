import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { createMockIssuer } from "./issuer.ts";
import {
  authorizeUrl,
  fetchJson,
  followAuthorize,
  formRequest,
  pkcePair,
} from "./_test_helpers.ts";
import {
  CONSENT_TTL_MS,
  ConsentStore,
  type PendingConsent,
} from "./consent.ts";

const E = "http://issuer.test";
const RESOURCE = {
  id: "res_a",
  url: "https://a.example/mcp",
  scopes: ["todo:read", "todo:write", "todo:admin"],
};
const REDIRECT = "http://127.0.0.1:4000/callback";
const AUTHORIZE = `${E}/resources/res_a/oauth/authorize`;

async function setup(
  options: { clientName?: string; now?: () => number } = {},
) {
  const issuer = await createMockIssuer(E, {
    resources: [RESOURCE],
    consent: "prompt",
    now: options.now,
  });
  const client = await issuer.registerClient!(
    {
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code"],
      client_name: options.clientName ?? "Inspector",
    },
    "res_a",
  );
  const { verifier, challenge } = await pkcePair();
  const url = authorizeUrl(AUTHORIZE, {
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-1",
    scope: "todo:read todo:write",
  });
  return { issuer, client, verifier, url };
}

/** Opens the consent page and returns its html and the form's hidden id. */
async function openPage(
  fetchFn: (request: Request) => Promise<Response>,
  url: string,
) {
  const response = await fetchFn(new Request(url));
  const html = await response.text();
  const id = html.match(/name="consent" value="([^"]+)"/)?.[1];
  return { response, html, id };
}

function submit(
  fetchFn: (request: Request) => Promise<Response>,
  fields: readonly (readonly [string, string])[],
) {
  return fetchFn(
    new Request(AUTHORIZE, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields.map(([k, v]) => [k, v])),
      redirect: "manual",
    }),
  );
}

Deno.test("prompt consent shows the user, the organisation, the client and the requested scopes, ticked", async () => {
  const { issuer, client, url } = await setup();
  const { response, html, id } = await openPage(issuer.fetch, url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
  assert.ok(id, "the form carries the pending request's id");
  assert.ok(html.includes(issuer.user.id));
  assert.ok(html.includes(issuer.user.organizationId));
  assert.ok(html.includes(client.client_id));
  assert.ok(html.includes("Inspector"));
  assert.ok(html.includes("https://a.example/mcp"));
  const boxes = [...html.matchAll(/name="scope" value="([^"]+)" checked/g)]
    .map((m) => m[1]);
  assert.deepEqual(boxes, ["todo:read", "todo:write"]);
  assert.ok(!html.includes("todo:admin"), "only what was asked is offered");
  // No framing (clickjacking) and no script may run on it.
  assert.match(
    response.headers.get("content-security-policy") ?? "",
    /frame-ancestors 'none'/,
  );
  assert.match(
    response.headers.get("content-security-policy") ?? "",
    /default-src 'none'/,
  );
  assert.equal(response.headers.get("x-frame-options"), "DENY");
  assert.equal(response.headers.get("cache-control"), "no-store");
});

Deno.test("prompt consent escapes what a client registered", async () => {
  const { issuer, url } = await setup({
    clientName: `<script>alert("x")</script>&'`,
  });
  const { html } = await openPage(issuer.fetch, url);
  assert.ok(!html.includes("<script>"), html);
  assert.ok(
    html.includes(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;",
    ),
  );
});

Deno.test("Allow with todo:write unticked gives a token without todo:write", async () => {
  const { issuer, client, verifier, url } = await setup();
  const { id } = await openPage(issuer.fetch, url);
  const answer = await submit(issuer.fetch, [
    ["consent", id!],
    ["decision", "allow"],
    ["scope", "todo:read"],
    // Never offered: ignored, not granted.
    ["scope", "todo:admin"],
  ]);
  assert.equal(answer.status, 302);
  const location = new URL(answer.headers.get("location")!);
  assert.equal(location.origin + location.pathname, REDIRECT);
  assert.equal(location.searchParams.get("state"), "st-1");
  const { status, body } = await fetchJson(
    issuer.fetch,
    formRequest(`${E}/oauth/token`, {
      grant_type: "authorization_code",
      client_id: client.client_id,
      code: location.searchParams.get("code")!,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    }),
  );
  assert.equal(status, 200);
  assert.equal(body.scope, "todo:read");
  assert.deepEqual(decodeJwt(body.access_token as string).scopes, [
    "todo:read",
  ]);
});

Deno.test("Deny, and Allow with nothing ticked, redirect with access_denied and the state", async (t) => {
  for (
    const [name, fields] of [
      ["deny", [["decision", "deny"], ["scope", "todo:read"]]],
      ["nothing ticked", [["decision", "allow"]]],
      ["no decision", [["scope", "todo:read"]]],
    ] as const
  ) {
    await t.step(name, async () => {
      const { issuer, url } = await setup();
      const { id } = await openPage(issuer.fetch, url);
      const answer = await submit(issuer.fetch, [["consent", id!], ...fields]);
      assert.equal(answer.status, 302);
      const location = new URL(answer.headers.get("location")!);
      assert.equal(location.searchParams.get("error"), "access_denied");
      assert.equal(location.searchParams.get("state"), "st-1");
      assert.equal(location.searchParams.get("code"), null);
    });
  }
});

Deno.test("a consent is answered once, and not after it expired", async (t) => {
  await t.step("answered twice", async () => {
    const { issuer, url } = await setup();
    const { id } = await openPage(issuer.fetch, url);
    const first = await submit(issuer.fetch, [["consent", id!], [
      "decision",
      "allow",
    ], ["scope", "todo:read"]]);
    await first.body?.cancel();
    assert.equal(first.status, 302);
    const again = await submit(issuer.fetch, [["consent", id!], [
      "decision",
      "allow",
    ], ["scope", "todo:read"]]);
    assert.equal(again.status, 400);
    assert.equal((await again.json()).error, "invalid_request");
  });
  await t.step("expired", async () => {
    let now = 1_800_000_000_000;
    const { issuer, url } = await setup({ now: () => now });
    const { id } = await openPage(issuer.fetch, url);
    now += CONSENT_TTL_MS;
    const late = await submit(issuer.fetch, [["consent", id!], [
      "decision",
      "allow",
    ], ["scope", "todo:read"]]);
    assert.equal(late.status, 400);
    await late.body?.cancel();
  });
  await t.step("unknown or missing id, or not a form", async () => {
    const { issuer } = await setup();
    for (const fields of [[["consent", "forged"]], []] as const) {
      const answer = await submit(issuer.fetch, fields);
      assert.equal(answer.status, 400);
      await answer.body?.cancel();
    }
    const json = await issuer.fetch(
      new Request(AUTHORIZE, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    assert.equal(json.status, 400);
    await json.body?.cancel();
  });
});

Deno.test("prompt consent still refuses a bad request before any page", async () => {
  const { issuer, client } = await setup();
  const unregistered = await followAuthorize(
    issuer.fetch,
    authorizeUrl(AUTHORIZE, {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: "http://evil.example/cb",
      code_challenge: "x".repeat(43),
      code_challenge_method: "S256",
    }),
  );
  assert.equal(unregistered.status, 400);
  const noPkce = await followAuthorize(
    issuer.fetch,
    authorizeUrl(AUTHORIZE, {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: REDIRECT,
    }),
  );
  assert.equal(noPkce.status, 302);
  assert.equal(noPkce.location?.searchParams.get("error"), "invalid_request");
});

Deno.test("automatic consent (the default) redirects at once and refuses POST", async () => {
  const issuer = await createMockIssuer(E, { resources: [RESOURCE] });
  const client = await issuer.registerClient!(
    { redirect_uris: [REDIRECT], grant_types: ["authorization_code"] },
    "res_a",
  );
  const { challenge } = await pkcePair();
  const { status, location } = await followAuthorize(
    issuer.fetch,
    authorizeUrl(AUTHORIZE, {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: "S256",
    }),
  );
  assert.equal(status, 302);
  assert.ok(location?.searchParams.get("code"));
  const post = await submit(issuer.fetch, [["consent", "x"]]);
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await post.body?.cancel();
});

Deno.test("ConsentStore keeps at most its maximum, dropping the oldest", () => {
  const store = new ConsentStore({ max: 3 });
  const pending = { grant: {}, state: null } as unknown as PendingConsent;
  const ids = Array.from({ length: 5 }, () => store.open(pending));
  assert.equal(store.size, 3);
  assert.equal(store.take(ids[0]), undefined);
  assert.equal(store.take(ids[1]), undefined);
  assert.equal(store.take(ids[4]), pending);
});

Deno.test("mock issuer options refuse an unknown consent mode", async () => {
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => createMockIssuer(E, { consent: "maybe" as any }),
    /consent must be "auto" or "prompt"/,
  );
});
