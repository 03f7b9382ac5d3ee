import assert from "node:assert/strict";
import { Hono } from "hono";
import { startTestIssuer, type TestIssuer } from "../auth/_test_issuer.ts";
import { createTokenVerifier, type TokenVerifier } from "../auth/verify.ts";
import type { AppEnv } from "./env.ts";
import { requireBearer } from "./require_bearer.ts";

const AUDIENCE = "res_guard";
const METADATA =
  "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

/** The guard on its own, in front of a handler that says who it saw. */
function tinyApp(verifier: TokenVerifier, requiredScopes: string[] = []) {
  const app = new Hono<AppEnv>();
  const seen: Array<{ denial?: unknown }> = [];
  app.use(async (c, next) => {
    await next();
    seen.push({ denial: c.get("denial") });
  });
  app.use(
    "/mcp",
    requireBearer({
      verifier,
      challenge: { resourceMetadataUrl: METADATA, requiredScopes },
    }),
  );
  app.post("/mcp", (c) => c.json({ subject: c.get("identity")?.subject }));
  app.onError((error, c) => c.json({ thrown: String(error) }, 500));
  return { app, seen };
}

async function withIssuer(
  fn: (issuer: TestIssuer, verifier: TokenVerifier) => Promise<void>,
): Promise<void> {
  const issuer = await startTestIssuer();
  try {
    await fn(
      issuer,
      createTokenVerifier({
        jwksUri: issuer.jwksUri,
        issuers: [issuer.url],
        audiences: [AUDIENCE],
        algorithms: ["RS256"],
        clockSkewSeconds: 30,
      }),
    );
  } finally {
    await issuer.close();
  }
}

function post(app: Hono<AppEnv>, authorization?: string) {
  return app.request("/mcp", {
    method: "POST",
    headers: authorization ? { authorization } : {},
  });
}

Deno.test("requireBearer() passes a valid token on, with the identity it proves", async () => {
  await withIssuer(async (issuer, verifier) => {
    const { app, seen } = tinyApp(verifier);
    const token = await issuer.sign(issuer.claims(AUDIENCE));
    const res = await post(app, `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { subject: "usr_test" });
    assert.deepEqual(seen, [{ denial: undefined }]);
  });
});

Deno.test("requireBearer() answers a request without a token with the bare discovery challenge", async (t) => {
  await withIssuer(async (_issuer, verifier) => {
    for (
      const [required, header] of [
        [[], `Bearer resource_metadata="${METADATA}"`],
        [
          ["todo:read", "openid"],
          `Bearer resource_metadata="${METADATA}", scope="todo:read openid"`,
        ],
      ] as const
    ) {
      await t.step(`required scopes [${required}]`, async () => {
        const { app, seen } = tinyApp(verifier, [...required]);
        const res = await post(app);
        assert.equal(res.status, 401);
        assert.equal(res.headers.get("www-authenticate"), header);
        assert.deepEqual(await res.json(), {
          error: "unauthorized",
          error_description: "Authentication required",
        });
        assert.deepEqual(seen, [{
          denial: { code: "missing_token", reason: "Authentication required" },
        }]);
      });
    }
  });
});

Deno.test("requireBearer() refuses a bad token with invalid_token, and never runs the handler", async (t) => {
  await withIssuer(async (issuer, verifier) => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<string>]> = [
      ["expired", () =>
        issuer.sign({
          ...issuer.claims(AUDIENCE),
          iat: now - 7200,
          nbf: now - 7200,
          exp: now - 3600,
        })],
      ["another audience", () => issuer.sign(issuer.claims("res_other"))],
      ["not a JWT", () => Promise.resolve("abc.def.ghi")],
    ];
    for (const [name, mint] of cases) {
      await t.step(name, async () => {
        const { app, seen } = tinyApp(verifier);
        const res = await post(app, `Bearer ${await mint()}`);
        assert.equal(res.status, 401);
        const body = await res.json();
        assert.equal(body.error, "invalid_token");
        assert.equal(body.subject, undefined);
        assert.equal(
          res.headers.get("www-authenticate"),
          `Bearer error="invalid_token", error_description="${body.error_description}", resource_metadata="${METADATA}"`,
        );
        assert.equal(
          (seen[0].denial as { code: string }).code,
          "invalid_token",
        );
      });
    }
  });
});

Deno.test("requireBearer() answers 503 with Retry-After while the keys cannot be fetched", async () => {
  await withIssuer(async (issuer, verifier) => {
    const token = await issuer.sign(issuer.claims(AUDIENCE));
    issuer.setMode("status_500");
    const { app } = tinyApp(verifier);
    const res = await post(app, `Bearer ${token}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "30");
    assert.equal(res.headers.get("www-authenticate"), null);
    assert.equal((await res.json()).error, "temporarily_unavailable");
  });
});

Deno.test("requireBearer() lets an error that is not a refusal reach onError", async () => {
  const broken: TokenVerifier = {
    verify: () => Promise.reject(new TypeError("verifier bug")),
  };
  const { app } = tinyApp(broken);
  const res = await post(app, "Bearer abc");
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { thrown: "TypeError: verifier bug" });
});
