import assert from "node:assert/strict";
import {
  BAD_TOKEN_KINDS,
  type BadTokenKind,
  startMockIssuer,
} from "../../conformance/issuer/mod.ts";
import { AuthError, type AuthErrorCode } from "./errors.ts";
import {
  createTokenVerifier,
  scopesFromClaims,
  type TokenVerifierOptions,
} from "./verify.ts";
import {
  type KeysMode,
  startTestIssuer,
  type TestIssuer,
} from "./_test_issuer.ts";

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
    algorithms: ["RS256"],
    clockSkewSeconds: 30,
    ...extra,
  });
}

async function withTestIssuer(fn: (issuer: TestIssuer) => Promise<void>) {
  const issuer = await startTestIssuer();
  try {
    await fn(issuer);
  } finally {
    await issuer.close();
  }
}

const AUDIENCE = "res_claims";

function verifierOf(
  issuer: TestIssuer,
  extra: Partial<TokenVerifierOptions> = {},
) {
  return createTokenVerifier({
    jwksUri: issuer.jwksUri,
    issuers: [issuer.url],
    audiences: [AUDIENCE],
    algorithms: ["RS256"],
    clockSkewSeconds: 30,
    ...extra,
  });
}

function refusedWith(code: AuthErrorCode, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AuthError, String(error));
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
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

Deno.test("verify() refuses every bad token kind with invalid_token", async (t) => {
  await withIssuer(async (issuer) => {
    const verifier = verifierFor(issuer.url);
    const expected: Record<BadTokenKind, RegExp> = {
      expired: /expired/,
      not_yet_valid: /not valid yet/,
      no_exp: /./,
      wrong_issuer: /trusted issuer/,
      wrong_audience: /audience/,
      other_resource_audience: /audience/,
      foreign_key: /./,
      unknown_kid: /./,
      alg_none: /./,
      hs256_with_public_key: /./,
      tampered_payload: /./,
      truncated: /./,
      garbage: /./,
    };
    for (const kind of BAD_TOKEN_KINDS) {
      await t.step(kind, async () => {
        await assert.rejects(
          verifier.verify(await issuer.mintBad(kind)),
          refusedWith("invalid_token", expected[kind]),
        );
      });
    }
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

Deno.test("verify() refuses identity claims of the wrong type", async (t) => {
  await withTestIssuer(async (issuer) => {
    const verifier = verifierOf(issuer);
    const now = Math.floor(Date.now() / 1000);
    // [case, claims merged over a valid set (undefined removes), claim named]
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["numeric sub", { sub: 12345 }, "sub"],
      ["empty sub", { sub: "" }, "sub"],
      ["object sub", { sub: { id: "usr_1" } }, "sub"],
      ["array sub", { sub: ["usr_1"] }, "sub"],
      ["numeric client_id", { client_id: 7 }, "client_id"],
      ["array azp", { client_id: undefined, azp: ["m2m"] }, "azp"],
      ["numeric oid", { oid: 42 }, "oid"],
      ["array scope", { scope: ["todo:read"] }, "scope"],
      ["string scopes", { scopes: "todo:read" }, "scopes"],
      ["scopes with a number", { scopes: ["todo:read", 1] }, "scopes"],
      ["numeric scp", { scope: undefined, scp: 1 }, "scp"],
      ["scp with a boolean", { scope: undefined, scp: [true] }, "scp"],
      ["string exp", { exp: String(now + 60) }, "exp"],
      ["string iat", { iat: String(now) }, "iat"],
    ];
    for (const [name, overrides, claim] of cases) {
      await t.step(name, async () => {
        const claims = { ...issuer.claims(AUDIENCE), ...overrides };
        for (const [key, value] of Object.entries(overrides)) {
          if (value === undefined) delete claims[key];
        }
        await assert.rejects(
          verifier.verify(await issuer.sign(claims)),
          refusedWith("invalid_token", new RegExp(`\\b${claim}\\b`)),
        );
      });
    }
    await t.step("numeric iss (no issuer matches)", async () => {
      await assert.rejects(
        verifier.verify(
          await issuer.sign({ ...issuer.claims(AUDIENCE), iss: 1 }),
        ),
        refusedWith("invalid_token", /issuer/),
      );
    });
    await t.step("the valid set itself is accepted", async () => {
      const identity = await verifier.verify(
        await issuer.sign({
          ...issuer.claims(AUDIENCE),
          scp: ["todo:write"],
          scopes: ["todo:read"],
        }),
      );
      assert.equal(identity.subject, "usr_test");
      assert.deepEqual(identity.scopes, ["todo:read"]);
    });
  });
});

Deno.test("verify() refuses a token valid for longer than the maximum lifetime", async (t) => {
  await withTestIssuer(async (issuer) => {
    const now = Math.floor(Date.now() / 1000);
    const valid = issuer.claims(AUDIENCE);
    const body = (claims: Record<string, unknown>) => JSON.stringify(claims);
    // [case, raw payload text, options, refused?]
    const cases: Array<
      [string, string, Partial<TokenVerifierOptions>, boolean]
    > = [
      // JSON.parse turns 1e400 into Infinity, which is a number to jose.
      [
        "exp 1e400",
        body({ ...valid, exp: 0, iat: undefined }).replace(
          '"exp":0',
          '"exp":1e400',
        ),
        {},
        true,
      ],
      [
        "exp in 10 years, no iat",
        body({ ...valid, iat: undefined, exp: now + 315_360_000 }),
        {},
        true,
      ],
      [
        "exp 25 h away",
        body({ ...valid, iat: undefined, exp: now + 90_000 }),
        {},
        true,
      ],
      [
        "exp 23 h away",
        body({ ...valid, iat: undefined, exp: now + 82_800 }),
        {},
        false,
      ],
      // Issued two days ago, one more hour to go: lived 49 h in all.
      [
        "exp - iat over 24 h",
        body({ ...valid, iat: now - 172_800, exp: now + 3_600 }),
        {},
        true,
      ],
      ["an hour with a 10 min maximum", body(valid), {
        maxTokenLifetimeSeconds: 600,
      }, true],
      ["an hour with a 2 h maximum", body(valid), {
        maxTokenLifetimeSeconds: 7_200,
      }, false],
    ];
    for (const [name, payload, options, refused] of cases) {
      await t.step(name, async () => {
        const attempt = verifierOf(issuer, options).verify(
          await issuer.sign(payload),
        );
        if (refused) {
          await assert.rejects(
            attempt,
            refusedWith("invalid_token", /lifetime/),
          );
        } else {
          assert.equal((await attempt).subject, "usr_test");
        }
      });
    }
  });
});

Deno.test("createTokenVerifier() requires the leeway and the algorithms, and checks the lifetime bound", () => {
  const base = {
    jwksUri: "https://x.example/keys",
    issuers: ["https://x.example"],
    audiences: ["res_x"],
    algorithms: ["RS256"],
  };
  const { algorithms: _, ...noAlgorithms } = base;
  // The types say both are required; `deno check` fails if either is not.
  assert.throws(
    // @ts-expect-error: clockSkewSeconds is missing
    () => createTokenVerifier(base),
    /clockSkewSeconds/,
  );
  assert.throws(
    // @ts-expect-error: algorithms is missing
    () => createTokenVerifier({ ...noAlgorithms, clockSkewSeconds: 30 }),
    /algorithms/,
  );
  assert.throws(
    () =>
      createTokenVerifier({ ...base, algorithms: [], clockSkewSeconds: 30 }),
    /algorithms/,
  );
  assert.throws(
    () => createTokenVerifier({ ...base, clockSkewSeconds: -1 }),
    /clockSkewSeconds/,
  );
  assert.throws(
    () =>
      createTokenVerifier({
        ...base,
        clockSkewSeconds: 30,
        maxTokenLifetimeSeconds: 0,
      }),
    /maxTokenLifetimeSeconds/,
  );
});

Deno.test("verify() with algorithms [ES256] refuses an RS256 token signed by a published key", async () => {
  await withTestIssuer(async (issuer) => {
    const token = await issuer.sign(issuer.claims(AUDIENCE));
    assert.equal((await verifierOf(issuer).verify(token)).subject, "usr_test");
    await assert.rejects(
      verifierOf(issuer, { algorithms: ["ES256"] }).verify(token),
      refusedWith("invalid_token", /algorithm/),
    );
  });
});

Deno.test("verify() answers verifier_unavailable, not invalid_token, for a malformed key in the JWKS", async () => {
  await withTestIssuer(async (issuer) => {
    issuer.setMode("malformed_key");
    await assert.rejects(
      verifierOf(issuer).verify(await issuer.sign(issuer.claims(AUDIENCE))),
      refusedWith("verifier_unavailable", /cannot be used/),
    );
  });
});

Deno.test("verify() answers verifier_unavailable while the issuer fails, and fetches once", async (t) => {
  const modes: KeysMode[] = ["status_500", "html", "bad_json", "redirect"];
  for (const mode of modes) {
    await t.step(mode, async () => {
      await withTestIssuer(async (issuer) => {
        issuer.setMode(mode);
        const verifier = verifierOf(issuer, {
          jwksFailureBackoffMinMs: 60_000,
        });
        for (let i = 0; i < 50; i++) {
          const token = await issuer.sign(issuer.claims(AUDIENCE), {
            kid: crypto.randomUUID(),
          });
          await assert.rejects(
            verifier.verify(token),
            refusedWith("verifier_unavailable", /could not be fetched/),
          );
        }
        assert.equal(issuer.fetches, 1);
      });
    });
  }
});

Deno.test("verify() keeps accepting valid tokens from the cached keys while the issuer is down", async () => {
  await withTestIssuer(async (issuer) => {
    const verifier = verifierOf(issuer, { jwksCacheMaxAgeMs: 0 });
    const token = await issuer.sign(issuer.claims(AUDIENCE));
    await verifier.verify(token);
    issuer.setMode("status_500");
    for (let i = 0; i < 20; i++) {
      assert.equal((await verifier.verify(token)).subject, "usr_test");
    }
    assert.equal(issuer.fetches, 2);
  });
});
