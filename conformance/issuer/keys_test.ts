import assert from "node:assert/strict";
import { createLocalJWKSet, jwtVerify } from "jose";
import { KeyRing, signJwt } from "./keys.ts";

Deno.test("KeyRing publishes one RS256 signing key with a snk_ kid", async () => {
  const ring = await KeyRing.generate();
  const { keys } = ring.jwks();
  assert.equal(keys.length, 1);
  const [key] = keys;
  assert.deepEqual(Object.keys(key), ["use", "kty", "kid", "alg", "n", "e"]);
  assert.equal(key.use, "sig");
  assert.equal(key.kty, "RSA");
  assert.equal(key.alg, "RS256");
  assert.equal(key.e, "AQAB");
  assert.match(key.kid, /^snk_\d{18}$/);
  assert.equal(key.kid, ring.current.kid);
  assert.ok(!("d" in key), "no private material in the JWKS");
});

Deno.test("KeyRing.rotate() adds a new current key and keeps the old one", async () => {
  const ring = await KeyRing.generate();
  const old = ring.current.kid;
  const kid = await ring.rotate();
  assert.notEqual(kid, old);
  assert.equal(ring.current.kid, kid);
  assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [kid, old]);
  assert.ok(ring.has(old));
});

Deno.test("KeyRing.rotate(true) drops every older key", async () => {
  const ring = await KeyRing.generate();
  const old = ring.current.kid;
  await ring.rotate();
  const kid = await ring.rotate(true);
  assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [kid]);
  assert.ok(!ring.has(old));
});

Deno.test("KeyRing.restore() keeps kids and keys from a snapshot", async () => {
  const ring = await KeyRing.generate();
  await ring.rotate();
  const restored = await KeyRing.restore(
    JSON.parse(JSON.stringify(ring.snapshot())),
  );
  assert.deepEqual(restored.jwks(), ring.jwks());
  const token = await signJwt({ sub: "usr_1" }, restored.current);
  const { payload, protectedHeader } = await jwtVerify(
    token,
    createLocalJWKSet({ keys: [...ring.jwks().keys] }),
    { algorithms: ["RS256"] },
  );
  assert.equal(payload.sub, "usr_1");
  assert.deepEqual(protectedHeader, {
    alg: "RS256",
    kid: ring.current.kid,
    typ: "JWT",
  });
});

Deno.test("KeyRing.restore() refuses a snapshot without keys", async () => {
  await assert.rejects(() => KeyRing.restore({ keys: [] }), TypeError);
});

Deno.test("KeyRing.publish() adds a key to the JWKS without signing with it", async () => {
  const ring = await KeyRing.generate();
  const signing = ring.current.kid;
  const next = await ring.publish();
  assert.equal(ring.current.kid, signing);
  assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [next, signing]);
  assert.equal(ring.get(next)?.kid, next);
  const restored = await KeyRing.restore(ring.snapshot());
  assert.equal(
    restored.current.kid,
    signing,
    "the snapshot keeps which key signs",
  );
});
