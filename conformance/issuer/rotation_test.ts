import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { startMockIssuer } from "./mod.ts";

Deno.test("publishKey() then mint({ kid }) verifies from a JWKS fetched before", async () => {
  const issuer = await startMockIssuer();
  try {
    const next = await issuer.publishKey!();
    // A verifier that fetched the JWKS once, and never again.
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`), {
      cooldownDuration: 3_600_000,
    });
    const resource = issuer.resources[0].id;
    await jwtVerify(await issuer.mint(), jwks, { audience: resource });
    assert.equal(issuer.jwksFetchCount, 1);

    const token = await issuer.mint({ kid: next });
    assert.equal(decodeProtectedHeader(token).kid, next);
    await jwtVerify(token, jwks, { audience: resource });
    assert.equal(issuer.jwksFetchCount, 1, "no refetch was needed");
    assert.notEqual(issuer.currentKid, next, "publishing does not rotate");
    await assert.rejects(issuer.mint({ kid: "snk_missing" }), TypeError);
  } finally {
    await issuer.close();
  }
});
