import assert from "node:assert/strict";
import { startMockIssuer } from "../../conformance/issuer/mod.ts";
import { AuthError } from "./errors.ts";
import { createTokenVerifier, scopesFromClaims } from "./verify.ts";

const RESOURCE = {
  id: "res_v",
  url: "https://mcp.example.com/mcp",
  scopes: ["a", "b"],
};

async function withIssuer(
  fn: (issuer: Awaited<ReturnType<typeof startMockIssuer>>) => Promise<void>,
) {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    await fn(issuer);
  } finally {
    await issuer.close();
  }
}

function verifierFor(url: string, extra = {}) {
  return createTokenVerifier({
    jwksUri: `${url}/keys`,
    issuers: [url, `${url}/resources/${RESOURCE.id}`],
    audiences: [RESOURCE.id, RESOURCE.url],
    ...extra,
  });
}

Deno.test("verify() returns the identity of a Scalekit token", async () => {
  await withIssuer(async (issuer) => {
    const identity = await verifierFor(issuer.url).verify(
      await issuer.mint({ clientId: "m2m_abc", scopes: ["b", "a"] }),
    );
    assert.equal(identity.subject, issuer.user.id);
    assert.equal(identity.clientId, "m2m_abc");
    assert.deepEqual(identity.scopes, ["b", "a"]);
    assert.equal(identity.organizationId, issuer.user.organizationId);
    assert.equal(identity.issuer, issuer.url);
    assert.equal(typeof identity.expiresAt, "number");
    assert.equal(identity.claims.resid, RESOURCE.id);
    assert.ok(Object.isFrozen(identity));
  });
});

Deno.test("verify() accepts a token signed by a newly rotated key", async () => {
  await withIssuer(async (issuer) => {
    const verifier = verifierFor(issuer.url, { jwksCooldownMs: 0 });
    await verifier.verify(await issuer.mint());
    await issuer.rotateKey();
    const identity = await verifier.verify(await issuer.mint());
    assert.equal(identity.subject, issuer.user.id);
    assert.equal(issuer.jwksFetchCount, 2);
  });
});

Deno.test("verify() refuses a key that rotated out of the JWKS", async () => {
  await withIssuer(async (issuer) => {
    const verifier = verifierFor(issuer.url, {
      jwksCooldownMs: 0,
      jwksCacheMaxAgeMs: 0,
    });
    const old = await issuer.mint();
    await verifier.verify(old);
    await issuer.rotateKey({ dropOld: true });
    await assert.rejects(
      verifier.verify(old),
      (error) => error instanceof AuthError && error.code === "invalid_token",
    );
  });
});

Deno.test("verify() uses the injected clock with the leeway", async () => {
  await withIssuer(async (issuer) => {
    const token = await issuer.mint({ ttlSeconds: 60 });
    const later = (seconds: number) => () => Date.now() + seconds * 1000;
    await verifierFor(issuer.url, { now: later(80), clockSkewSeconds: 30 })
      .verify(token);
    await assert.rejects(
      verifierFor(issuer.url, { now: later(100), clockSkewSeconds: 30 })
        .verify(token),
      (error) => error instanceof AuthError && /expired/.test(error.message),
    );
  });
});

Deno.test("createTokenVerifier() refuses symmetric or none algorithms", () => {
  for (const alg of ["none", "HS256"]) {
    assert.throws(
      () => verifierFor("https://x.example", { algorithms: [alg] }),
      TypeError,
    );
  }
});

Deno.test("scopesFromClaims() reads scope, then scopes, then scp", async (t) => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ["space-separated scope", { scope: "a  b", scopes: ["x"] }, ["a", "b"]],
    ["scopes array", { scopes: ["a", 3, "b"] }, ["a", "b"]],
    ["scp string", { scp: "a b" }, ["a", "b"]],
    ["scp array", { scp: ["a"] }, ["a"]],
    ["none", {}, []],
  ];
  for (const [name, claims, expected] of cases) {
    await t.step(
      name,
      () => assert.deepEqual(scopesFromClaims(claims), expected),
    );
  }
});
