import assert from "node:assert/strict";
import { errors, type FlattenedJWSInput, type JWTVerifyGetKey } from "jose";
import {
  createRemoteKeySet,
  KeySetError,
  type KeySetErrorCode,
} from "./jwks.ts";
import {
  type KeysMode,
  startTestIssuer,
  type TestIssuer,
} from "./_test_issuer.ts";

const FAILURES: readonly KeysMode[] = [
  "status_500",
  "html",
  "bad_json",
  "redirect",
];
const TOKEN = { payload: "", signature: "" } as FlattenedJWSInput;

async function withIssuer(fn: (issuer: TestIssuer) => Promise<void>) {
  const issuer = await startTestIssuer();
  try {
    await fn(issuer);
  } finally {
    await issuer.close();
  }
}

async function lookup(getKey: JWTVerifyGetKey, kid: string): Promise<unknown> {
  return await getKey({ alg: "RS256", kid }, TOKEN);
}

function isKeySetError(code?: KeySetErrorCode) {
  return (error: unknown) =>
    error instanceof KeySetError && (code === undefined || error.code === code);
}

/** The RSA modulus of a key jose returned, to tell keys apart. */
async function modulusOf(key: unknown): Promise<string | undefined> {
  assert.ok(key instanceof CryptoKey);
  return (await crypto.subtle.exportKey("jwk", key)).n;
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

Deno.test("createRemoteKeySet() fetches once, not per token, while the issuer fails", async (t) => {
  for (const mode of FAILURES) {
    await t.step(mode, async () => {
      await withIssuer(async (issuer) => {
        issuer.setMode(mode);
        const getKey = createRemoteKeySet({
          url: issuer.jwksUri,
          failureBackoffMinMs: 60_000,
          failureBackoffMaxMs: 60_000,
        });
        // A flood of random unknown `kid`s, 20 at a time, as an attacker
        // with no token would send.
        let refused = 0;
        for (let round = 0; round < 25; round++) {
          const results = await Promise.allSettled(
            Array.from(
              { length: 20 },
              () => lookup(getKey, crypto.randomUUID()),
            ),
          );
          for (const result of results) {
            assert.equal(result.status, "rejected");
            assert.ok(isKeySetError()(result.reason), String(result.reason));
            refused++;
          }
        }
        assert.equal(refused, 500);
        assert.equal(issuer.fetches, 1);
      });
    });
  }
});

Deno.test("createRemoteKeySet() doubles the wait after each failure, up to the maximum", async () => {
  await withIssuer(async (issuer) => {
    issuer.setMode("status_500");
    const clock = manualClock();
    const getKey = createRemoteKeySet({
      url: issuer.jwksUri,
      failureBackoffMinMs: 1_000,
      failureBackoffMaxMs: 2_500,
      now: clock.now,
    });
    const attempt = () =>
      assert.rejects(lookup(getKey, "snk_unknown"), isKeySetError());
    // [ms to wait before the attempt, fetches expected after it]
    const steps: Array<[number, number]> = [
      [0, 1], // first failure: wait 1 000
      [999, 1],
      [1, 2], // second: wait 2 000
      [1_999, 2],
      [1, 3], // third: 4 000, capped at 2 500
      [2_499, 3],
      [1, 4],
    ];
    for (const [wait, fetches] of steps) {
      clock.advance(wait);
      await attempt();
      assert.equal(issuer.fetches, fetches, `after waiting ${wait} ms`);
    }
  });
});

Deno.test("createRemoteKeySet() starts the backoff over after a good fetch", async () => {
  await withIssuer(async (issuer) => {
    const clock = manualClock();
    const getKey = createRemoteKeySet({
      url: issuer.jwksUri,
      cacheMaxAgeMs: 0,
      failureBackoffMinMs: 1_000,
      failureBackoffMaxMs: 60_000,
      now: clock.now,
    });
    issuer.setMode("status_500");
    for (const wait of [0, 1_000, 2_000]) {
      clock.advance(wait);
      await assert.rejects(lookup(getKey, issuer.kid), isKeySetError());
    }
    assert.equal(issuer.fetches, 3);
    clock.advance(4_000);
    issuer.setMode("ok");
    await lookup(getKey, issuer.kid);
    assert.equal(issuer.fetches, 4);
    issuer.setMode("status_500");
    await lookup(getKey, issuer.kid); // fails, served stale
    assert.equal(issuer.fetches, 5);
    clock.advance(1_000); // the minimum again, not 8 000
    await lookup(getKey, issuer.kid);
    assert.equal(issuer.fetches, 6);
  });
});

Deno.test("createRemoteKeySet() keeps serving the last good keys while the issuer is down", async () => {
  await withIssuer(async (issuer) => {
    const clock = manualClock();
    const getKey = createRemoteKeySet({
      url: issuer.jwksUri,
      cacheMaxAgeMs: 0, // every lookup wants a refetch
      failureBackoffMinMs: 1_000,
      staleIfErrorMs: 3_600_000,
      now: clock.now,
    });
    const modulus = await modulusOf(await lookup(getKey, issuer.kid));
    assert.equal(issuer.fetches, 1);

    issuer.setMode("status_500");
    for (let i = 0; i < 50; i++) {
      const key = await lookup(getKey, issuer.kid);
      assert.equal(await modulusOf(key), modulus, "the issuer's last good key");
    }
    assert.equal(issuer.fetches, 2, "one failed refetch, then the backoff");
    // A `kid` the old keys lack is still the outage's answer, not the token's.
    await assert.rejects(
      lookup(getKey, "snk_unknown"),
      isKeySetError("backing_off"),
    );

    clock.advance(3_600_000); // the old keys are now too old to trust
    await assert.rejects(lookup(getKey, issuer.kid), isKeySetError());
  });
});

Deno.test("createRemoteKeySet() with staleIfErrorMs 0 refuses once a refetch fails", async () => {
  await withIssuer(async (issuer) => {
    const getKey = createRemoteKeySet({
      url: issuer.jwksUri,
      cacheMaxAgeMs: 0,
      staleIfErrorMs: 0,
    });
    await lookup(getKey, issuer.kid);
    issuer.setMode("status_500");
    await assert.rejects(
      lookup(getKey, issuer.kid),
      isKeySetError("fetch_failed"),
    );
  });
});

Deno.test("createRemoteKeySet() blames the key set, not the token, for a malformed key", async () => {
  await withIssuer(async (issuer) => {
    issuer.setMode("malformed_key");
    const getKey = createRemoteKeySet({ url: issuer.jwksUri });
    await assert.rejects(
      lookup(getKey, issuer.kid),
      isKeySetError("unusable_key"),
    );
  });
});

Deno.test("createRemoteKeySet() refuses an unknown kid as the token's fault, within the cooldown", async () => {
  await withIssuer(async (issuer) => {
    const getKey = createRemoteKeySet({ url: issuer.jwksUri });
    await lookup(getKey, issuer.kid);
    for (let i = 0; i < 100; i++) {
      await assert.rejects(
        lookup(getKey, crypto.randomUUID()),
        errors.JWKSNoMatchingKey,
      );
    }
    assert.equal(issuer.fetches, 1);
  });
});

Deno.test("createRemoteKeySet() tells onKeySet the kids of each key set it fetches, and only of good ones", async () => {
  await withIssuer(async (issuer) => {
    const seen: string[][] = [];
    const clock = manualClock();
    const getKey = createRemoteKeySet({
      url: issuer.jwksUri,
      cacheMaxAgeMs: 0,
      now: clock.now,
      onKeySet: (kids) => seen.push([...kids]),
    });
    await lookup(getKey, issuer.kid);
    assert.deepEqual(seen, [[issuer.kid]]);
    await lookup(getKey, issuer.kid);
    assert.deepEqual(seen, [[issuer.kid], [issuer.kid]]);
    // A failed refetch names no key set: the cache keeps its entries, as
    // the stale keys keep verifying.
    issuer.setMode("status_500");
    await lookup(getKey, issuer.kid);
    assert.equal(seen.length, 2);
  });
});

Deno.test("createRemoteKeySet() refuses bad durations", () => {
  for (
    const bad of [
      { failureBackoffMinMs: -1 },
      { staleIfErrorMs: Number.NaN },
      { failureBackoffMinMs: 5_000, failureBackoffMaxMs: 1_000 },
    ]
  ) {
    assert.throws(
      () => createRemoteKeySet({ url: "https://x.example/keys", ...bad }),
      TypeError,
    );
  }
});
