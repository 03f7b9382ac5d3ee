import assert from "node:assert/strict";
import {
  BAD_TOKEN_KINDS,
  type MockIssuer,
  startMockIssuer,
} from "../../conformance/issuer/mod.ts";
import { AuthError } from "./errors.ts";
import { createTokenCache, withTokenCache } from "./token_cache.ts";
import {
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
} from "./verify.ts";

const RESOURCE = { id: "res_cache", scopes: ["todo:read"] };
const LEEWAY = 30;

async function withIssuer(fn: (issuer: MockIssuer) => Promise<void>) {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    await fn(issuer);
  } finally {
    await issuer.close();
  }
}

/** A clock a test moves by hand, starting now. */
function manualClock() {
  let at = Date.now();
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

/** The real verifier, counting how often it is asked. */
function countingVerifier(
  issuer: MockIssuer,
  extra: Partial<TokenVerifierOptions> = {},
): TokenVerifier & { readonly calls: number } {
  const verifier = createTokenVerifier({
    jwksUri: `${issuer.url}/keys`,
    issuers: [issuer.url],
    audiences: [RESOURCE.id],
    algorithms: ["RS256"],
    clockSkewSeconds: LEEWAY,
    ...extra,
  });
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    verify(token) {
      calls++;
      return verifier.verify(token);
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, String(error));
    return error;
  }
  assert.fail("the token was accepted");
}

Deno.test("withTokenCache() answers a repeated token from the cache with the verifier's identity", async () => {
  await withIssuer(async (issuer) => {
    const verifier = countingVerifier(issuer);
    const cached = withTokenCache(verifier, { clockSkewSeconds: LEEWAY });
    const token = await issuer.mint();
    const first = await cached.verify(token);
    const second = await cached.verify(token);
    const third = await cached.verify(token);
    assert.equal(verifier.calls, 1);
    assert.equal(second, first);
    assert.equal(third, first);
    assert.equal(first.subject, issuer.user.id);
    const stats = cached.cache.stats();
    assert.equal(stats.hits, 2);
    assert.equal(stats.misses, 1);
    assert.equal(stats.entries, 1);
  });
});

Deno.test("withTokenCache() never caches a refusal", async () => {
  await withIssuer(async (issuer) => {
    const verifier = countingVerifier(issuer);
    const cached = withTokenCache(verifier, { clockSkewSeconds: LEEWAY });
    const expired = await issuer.mintBad("expired");
    const first = await refusal(cached.verify(expired));
    const second = await refusal(cached.verify(expired));
    assert.equal(verifier.calls, 2);
    assert.equal(first.code, "invalid_token");
    assert.equal(second.code, "invalid_token");
    assert.equal(cached.cache.stats().entries, 0);
  });
});

Deno.test("withTokenCache() still refuses every bad-token kind of the conformance suite while warm with good tokens", async () => {
  await withIssuer(async (issuer) => {
    const plain = countingVerifier(issuer);
    const cached = withTokenCache(countingVerifier(issuer), {
      clockSkewSeconds: LEEWAY,
    });
    for (let i = 0; i < 5; i++) await cached.verify(await issuer.mint());
    const good = await issuer.mint();
    await cached.verify(good);
    assert.equal(cached.cache.stats().entries, 6);
    for (const kind of BAD_TOKEN_KINDS) {
      const bad = await issuer.mintBad(kind);
      const expected = await refusal(plain.verify(bad));
      const got = await refusal(cached.verify(bad));
      assert.equal(got.code, expected.code, kind);
      assert.equal(got.message, expected.message, kind);
      // And again, now that the cache has seen it once.
      assert.equal((await refusal(cached.verify(bad))).code, expected.code);
    }
    assert.equal(cached.cache.stats().entries, 6);
    assert.equal((await cached.verify(good)).subject, issuer.user.id);
  });
});

Deno.test("withTokenCache() sends a token past exp plus the leeway back to the verifier", async () => {
  await withIssuer(async (issuer) => {
    const clock = manualClock();
    const verifier = countingVerifier(issuer, { now: clock.now });
    const cached = withTokenCache(verifier, {
      clockSkewSeconds: LEEWAY,
      maxTtlMs: 3_600_000,
      now: clock.now,
    });
    const token = await issuer.mint({ ttlSeconds: 60 });
    const { expiresAt } = await cached.verify(token);
    clock.advance((expiresAt + LEEWAY) * 1000 - clock.now() - 1_000);
    await cached.verify(token);
    assert.equal(verifier.calls, 1, "a hit within the leeway");
    clock.advance(1_000);
    const error = await refusal(cached.verify(token));
    assert.equal(verifier.calls, 2);
    assert.equal(error.code, "invalid_token");
    assert.equal(error.message, "The token has expired");
    assert.equal(cached.cache.stats().entries, 0);
  });
});

Deno.test("withTokenCache() checks nbf again on every hit, with the leeway", async () => {
  await withIssuer(async (issuer) => {
    const clock = manualClock();
    const verifier = countingVerifier(issuer, { now: clock.now });
    const cached = withTokenCache(verifier, {
      clockSkewSeconds: LEEWAY,
      now: clock.now,
    });
    const nbf = Math.floor(clock.now() / 1000);
    const token = await issuer.mint({ claims: { nbf } });
    await cached.verify(token);
    // The clock steps back (an NTP correction): within the leeway, a hit.
    clock.advance(-LEEWAY * 1000);
    await cached.verify(token);
    assert.equal(verifier.calls, 1);
    clock.advance(-1_000);
    const error = await refusal(cached.verify(token));
    assert.equal(verifier.calls, 2);
    assert.equal(error.message, "The token is not valid yet (nbf)");
  });
});

Deno.test("withTokenCache() keeps no entry past maxTtlMs, whatever exp says", async () => {
  await withIssuer(async (issuer) => {
    const clock = manualClock();
    const verifier = countingVerifier(issuer, { now: clock.now });
    const cached = withTokenCache(verifier, {
      clockSkewSeconds: LEEWAY,
      maxTtlMs: 60_000,
      now: clock.now,
    });
    const token = await issuer.mint({ ttlSeconds: 3600 });
    await cached.verify(token);
    clock.advance(59_999);
    await cached.verify(token);
    assert.equal(verifier.calls, 1);
    clock.advance(1);
    await cached.verify(token);
    assert.equal(verifier.calls, 2);
  });
});

Deno.test("withTokenCache() does not cache tokens longer than maxTokenBytes", async () => {
  await withIssuer(async (issuer) => {
    const verifier = countingVerifier(issuer);
    const token = await issuer.mint();
    const cached = withTokenCache(verifier, {
      clockSkewSeconds: LEEWAY,
      maxTokenBytes: token.length - 1,
    });
    await cached.verify(token);
    await cached.verify(token);
    assert.equal(verifier.calls, 2);
    const stats = cached.cache.stats();
    assert.equal(stats.entries, 0);
    assert.equal(stats.skipped, 2);
    const fits = withTokenCache(verifier, {
      clockSkewSeconds: LEEWAY,
      maxTokenBytes: token.length,
    });
    await fits.verify(token);
    await fits.verify(token);
    assert.equal(verifier.calls, 3);
  });
});

Deno.test("withTokenCache() holds at most maxEntries, evicting the least recently used", async () => {
  await withIssuer(async (issuer) => {
    const verifier = countingVerifier(issuer);
    const cached = withTokenCache(verifier, {
      clockSkewSeconds: LEEWAY,
      maxEntries: 2,
    });
    const [a, b, c] = await Promise.all([
      issuer.mint(),
      issuer.mint(),
      issuer.mint(),
    ]);
    await cached.verify(a);
    await cached.verify(b);
    await cached.verify(a); // a is now the most recently used
    await cached.verify(c); // evicts b
    assert.equal(verifier.calls, 3);
    assert.equal(cached.cache.stats().entries, 2);
    assert.equal(cached.cache.stats().evictions, 1);
    await cached.verify(a);
    await cached.verify(c);
    assert.equal(verifier.calls, 3);
    await cached.verify(b);
    assert.equal(verifier.calls, 4);
  });
});

Deno.test("withTokenCache() shares one verification among concurrent first uses of a token", async () => {
  await withIssuer(async (issuer) => {
    const verifier = countingVerifier(issuer);
    const cached = withTokenCache(verifier, { clockSkewSeconds: LEEWAY });
    const token = await issuer.mint();
    const identities = await Promise.all(
      Array.from({ length: 5 }, () => cached.verify(token)),
    );
    assert.equal(verifier.calls, 1);
    for (const identity of identities) assert.equal(identity, identities[0]);
    const bad = await issuer.mintBad("wrong_audience");
    const refusals = await Promise.all(
      Array.from({ length: 3 }, () => refusal(cached.verify(bad))),
    );
    assert.equal(verifier.calls, 2);
    for (const error of refusals) assert.equal(error.code, "invalid_token");
    // Nothing lingers: the next use verifies again.
    await refusal(cached.verify(bad));
    assert.equal(verifier.calls, 3);
  });
});

Deno.test("retainKeys() drops the entries of a key rotated out of the JWKS", async () => {
  await withIssuer(async (issuer) => {
    // No cooldown: a token with an unknown kid makes the verifier refetch.
    const verifier = countingVerifier(issuer, { jwksCooldownMs: 0 });
    const cached = withTokenCache(verifier, { clockSkewSeconds: LEEWAY });
    const old = await issuer.mint();
    await cached.verify(old);
    await issuer.rotateKey({ dropOld: true });
    // The verifier meets the new key and refetches the key set; this is
    // when the JWKS module calls the hook with the new set's kids.
    await cached.verify(await issuer.mint());
    const jwks = await (await fetch(`${issuer.url}/keys`)).json();
    const kids = jwks.keys.map((key: { kid: string }) => key.kid);
    assert.equal(cached.cache.retainKeys(kids), 1);
    assert.equal(cached.cache.stats().revoked, 1);
    const error = await refusal(cached.verify(old));
    assert.equal(error.code, "invalid_token");
    assert.equal(error.message, "No published signing key matches the token");
  });
});

Deno.test("retainKeys() keeps entries of keys still published and drops those without a kid", async () => {
  await withIssuer(async (issuer) => {
    const identity = await countingVerifier(issuer).verify(
      await issuer.mint(),
    );
    const cache = createTokenCache({ clockSkewSeconds: LEEWAY });
    cache.set("token-a", identity, "kid_a");
    cache.set("token-b", identity, "kid_b");
    cache.set("token-none", identity, undefined);
    assert.equal(cache.retainKeys(["kid_a", "kid_c"]), 2);
    assert.equal(cache.get("token-a"), identity);
    assert.equal(cache.get("token-b"), undefined);
    assert.equal(cache.get("token-none"), undefined);
    cache.clear();
    assert.equal(cache.get("token-a"), undefined);
  });
});

Deno.test("set() after retainKeys() stores no token whose key is not published", async () => {
  await withIssuer(async (issuer) => {
    const identity = await countingVerifier(issuer).verify(
      await issuer.mint(),
    );
    const cache = createTokenCache({ clockSkewSeconds: LEEWAY });
    cache.retainKeys(["kid_b"]);
    // A verification that began under kid_a, before kid_a left the JWKS.
    cache.set("token-a", identity, "kid_a");
    cache.set("token-none", identity, undefined);
    cache.set("token-b", identity, "kid_b");
    assert.equal(cache.get("token-a"), undefined);
    assert.equal(cache.get("token-none"), undefined);
    assert.equal(cache.get("token-b"), identity);
    assert.equal(cache.stats().entries, 1);
  });
});

Deno.test("createTokenCache() refuses options out of range", () => {
  for (
    const bad of [
      { clockSkewSeconds: -1 },
      { clockSkewSeconds: Number.NaN },
      { clockSkewSeconds: 30, maxEntries: 0 },
      { clockSkewSeconds: 30, maxTokenBytes: 1.5 },
      { clockSkewSeconds: 30, maxTtlMs: -5 },
    ]
  ) {
    assert.throws(() => createTokenCache(bad), TypeError, JSON.stringify(bad));
  }
});
