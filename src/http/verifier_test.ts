// The verified-token cache as the server runs it: real HTTP on loopback,
// the mock Scalekit issuer's real JWKS, the verifier built from the
// configuration. The cache must never change an answer.
import assert from "node:assert/strict";
import { BAD_TOKEN_KINDS } from "../../conformance/issuer/mod.ts";
import {
  type Harness,
  mcpHeaders,
  startHarness,
} from "../../fixtures/harness.ts";
import { loadConfig } from "../config/load.ts";
import type { TokenAuthConfig } from "../config/types.ts";
import {
  type ConfiguredVerifier,
  type ConfiguredVerifierOptions,
  createConfiguredVerifier,
} from "./verifier.ts";

const TOOLS_CALL = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "list_todos", arguments: {} },
});

/** A clock the test moves by hand, starting now. */
function manualClock() {
  let at = Date.now();
  return {
    now: () => at,
    advance(seconds: number) {
      at += seconds * 1000;
    },
  };
}

interface Server {
  readonly h: Harness;
  /** The verifier `env` configures (cache on unless env says 0). */
  readonly verifier: ConfiguredVerifier;
  /** The same configuration with the cache off. */
  readonly uncached: ConfiguredVerifier;
  readonly clock: ReturnType<typeof manualClock>;
  /** Which verifier the listening server uses from now on. */
  use(which: "verifier" | "uncached"): void;
  /** `tools/call list_todos` over loopback with `authorization`. */
  call(authorization?: string): Promise<Answer>;
}

interface Answer {
  readonly status: number;
  readonly challenge: string | null;
  readonly body: string;
}

/**
 * The server listening on loopback, its verifier built by
 * `createConfiguredVerifier` from the configuration `env` gives.
 */
async function withServer(
  env: Record<string, string>,
  fn: (server: Server) => Promise<void>,
  extra: ConfiguredVerifierOptions = {},
): Promise<void> {
  const slot: { active?: ConfiguredVerifier } = {};
  const h = await startHarness({
    listen: true,
    // Per-caller limits would refuse a long table of requests.
    env: {
      MCP_RATE_LIMIT_PER_CALLER: "0",
      MCP_RATE_LIMIT_PER_ADDRESS: "0",
      ...env,
    },
    app: { verifier: { verify: (token) => slot.active!.verify(token) } },
  });
  try {
    const clock = manualClock();
    const build = (tokenCacheMaxEntries?: number) => {
      const config = tokenCacheMaxEntries === undefined
        ? h.loaded.config
        : { ...h.loaded.config, tokenCacheMaxEntries };
      return createConfiguredVerifier(
        config,
        config.auth as TokenAuthConfig,
        { now: clock.now, ...extra },
      );
    };
    const verifier = build();
    const uncached = build(0);
    slot.active = verifier;
    await fn({
      h,
      verifier,
      uncached,
      clock,
      use(which) {
        slot.active = which === "verifier" ? verifier : uncached;
      },
      async call(authorization) {
        const headers: Record<string, string> = mcpHeaders();
        if (authorization !== undefined) headers.authorization = authorization;
        const res = await h.fetch("/mcp", {
          method: "POST",
          headers,
          body: TOOLS_CALL,
        });
        return {
          status: res.status,
          challenge: res.headers.get("www-authenticate"),
          body: await res.text(),
        };
      },
    });
  } finally {
    await h.close();
  }
}

const bearer = (token: string) => `Bearer ${token}`;

Deno.test("the server caches verified tokens by default, per MCP_TOKEN_CACHE_*", () => {
  const { config } = loadConfig({
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
    SCALEKIT_RESOURCE_ID: "res_123",
    BASE_URL: "https://mcp.example.com",
  });
  assert.equal(config.tokenCacheMaxEntries, 10_000);
  assert.equal(config.tokenCacheTtlMs, 300_000);
  const auth = config.auth as TokenAuthConfig;
  assert.ok(createConfiguredVerifier(config, auth).cache !== undefined);
  assert.equal(
    createConfiguredVerifier({ ...config, tokenCacheMaxEntries: 0 }, auth)
      .cache,
    undefined,
  );
});

Deno.test("a warm token cache refuses every bad-token kind exactly as the uncached verifier does", async (t) => {
  await withServer({}, async (s) => {
    const cache = s.verifier.cache!;
    // Warm: good tokens of several callers, each used twice (the second
    // use is a hit, so the cache is on and answering).
    const good: string[] = [];
    for (const subject of ["usr_a", "usr_b", undefined]) {
      good.push(await s.h.issuer.mint(subject ? { subject } : {}));
    }
    for (const token of [...good, ...good]) {
      assert.equal((await s.call(bearer(token))).status, 200);
    }
    assert.equal(cache.stats().entries, good.length);
    assert.equal(cache.stats().hits, good.length);

    const mint = s.h.issuer.mint.bind(s.h.issuer);
    const cases: Array<[string, () => Promise<string | undefined>]> = [
      ...BAD_TOKEN_KINDS.map((kind): [string, () => Promise<string>] => [
        kind,
        async () => bearer(await s.h.issuer.mintBad(kind)),
      ]),
      // The claim checks of src/auth/verify.ts, past the signature.
      [
        "sub is a number",
        async () => bearer(await mint({ claims: { sub: 42 } })),
      ],
      ["sub is empty", async () => bearer(await mint({ claims: { sub: "" } }))],
      [
        "no sub",
        async () => bearer(await mint({ claims: { sub: undefined } })),
      ],
      [
        "scope is a number",
        async () => bearer(await mint({ claims: { scope: 7 } })),
      ],
      [
        "scopes is a string",
        async () => bearer(await mint({ claims: { scopes: "todo:read" } })),
      ],
      [
        "client_id is an object",
        async () => bearer(await mint({ claims: { client_id: { id: "x" } } })),
      ],
      [
        "oid is a number",
        async () => bearer(await mint({ claims: { oid: 1 } })),
      ],
      [
        "lifetime over the maximum",
        async () => bearer(await mint({ ttlSeconds: 2 * 86_400 })),
      ],
      [
        "expired and without scopes",
        async () => bearer(await s.h.issuer.mintBad("expired", { scopes: [] })),
      ],
      // The shapes of the header itself.
      ["no credentials", () => Promise.resolve(undefined)],
      ["Basic scheme", () => Promise.resolve("Basic Y29uZm9ybWFuY2U6c2VjcmV0")],
      ["empty bearer", () => Promise.resolve("Bearer")],
      ["malformed bearer", () => Promise.resolve("Bearer not a token")],
      // A warm token with one character changed, in each part.
      [
        "a cached token, header changed",
        () => Promise.resolve(bearer(flip(good[0], 0, 5))),
      ],
      [
        "a cached token, payload changed",
        () => Promise.resolve(bearer(flip(good[0], 1, 5))),
      ],
      [
        "a cached token, signature changed",
        () => Promise.resolve(bearer(flip(good[0], 2, 5))),
      ],
      [
        "a cached token, signature cut",
        () =>
          Promise.resolve(bearer(good[0].slice(0, good[0].lastIndexOf(".")))),
      ],
    ];
    for (const [name, make] of cases) {
      await t.step(name, async () => {
        const authorization = await make();
        const before = cache.stats();
        s.use("verifier");
        const cached = await s.call(authorization);
        const again = await s.call(authorization);
        const after = cache.stats();
        s.use("uncached");
        const plain = await s.call(authorization);
        s.use("verifier");
        assert.equal(cached.status, 401, cached.body);
        assert.deepEqual(cached, plain);
        assert.deepEqual(again, plain);
        // Refusals are never cached, nor answered from the cache.
        assert.equal(after.entries, before.entries);
        assert.equal(after.hits, before.hits);
      });
    }
    await t.step(
      "the good tokens are still served from the cache",
      async () => {
        const before = cache.stats().hits;
        for (const token of good) {
          assert.equal((await s.call(bearer(token))).status, 200);
        }
        assert.equal(cache.stats().hits, before + good.length);
      },
    );
  });
});

Deno.test("a cached token is refused once its exp passes, with the verifier's own error", async () => {
  await withServer({}, async (s) => {
    const token = await s.h.issuer.mint({ ttlSeconds: 60 });
    assert.equal((await s.call(bearer(token))).status, 200);
    assert.equal((await s.call(bearer(token))).status, 200);
    assert.equal(s.verifier.cache!.stats().hits, 1);
    // Within the 30 s leeway, still good and still cached.
    s.clock.advance(80);
    assert.equal((await s.call(bearer(token))).status, 200);
    assert.equal(s.verifier.cache!.stats().hits, 2);
    s.clock.advance(20);
    const cached = await s.call(bearer(token));
    s.use("uncached");
    const plain = await s.call(bearer(token));
    assert.equal(cached.status, 401);
    assert.match(cached.body, /The token has expired/);
    assert.deepEqual(cached, plain);
    assert.equal(s.verifier.cache!.stats().entries, 0);
  });
});

Deno.test("MCP_TOKEN_CACHE_TTL_SECONDS caps an entry's life whatever exp says", async () => {
  await withServer({ MCP_TOKEN_CACHE_TTL_SECONDS: "60" }, async (s) => {
    const cache = s.verifier.cache!;
    const token = await s.h.issuer.mint({ ttlSeconds: 3_600 });
    assert.equal((await s.call(bearer(token))).status, 200);
    s.clock.advance(59);
    assert.equal((await s.call(bearer(token))).status, 200);
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [1, 1]);
    // Past the cap, the token is verified again (a miss), then cached anew.
    s.clock.advance(2);
    assert.equal((await s.call(bearer(token))).status, 200);
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [1, 2]);
    assert.equal((await s.call(bearer(token))).status, 200);
    assert.deepEqual([cache.stats().hits, cache.stats().misses], [2, 2]);
  });
});

Deno.test("a token cached under a key is refused once that key leaves the JWKS and the JWKS is refetched", async () => {
  // No cooldown: the first token under the new key refetches at once.
  await withServer({}, async (s) => {
    const cache = s.verifier.cache!;
    const old = await s.h.issuer.mint();
    assert.equal((await s.call(bearer(old))).status, 200);
    assert.equal((await s.call(bearer(old))).status, 200);
    assert.equal(cache.stats().hits, 1);
    await s.h.issuer.rotateKey({ dropOld: true });
    const fetches = s.h.issuer.jwksFetchCount;
    // A token under the new key: its kid is unknown, so the key set is
    // fetched again, and the cache hears which keys it now holds.
    assert.equal((await s.call(bearer(await s.h.issuer.mint()))).status, 200);
    assert.equal(s.h.issuer.jwksFetchCount, fetches + 1);
    assert.equal(cache.stats().revoked, 1);
    const answer = await s.call(bearer(old));
    assert.equal(answer.status, 401);
    assert.match(answer.body, /No published signing key matches the token/);
    assert.equal(cache.stats().hits, 1);
  }, { jwksCooldownMs: 0 });
});

Deno.test("tokens over 4 KiB are verified every time, never cached", async () => {
  await withServer({}, async (s) => {
    const cache = s.verifier.cache!;
    const token = await s.h.issuer.mint({
      claims: { padding: "x".repeat(4_096) },
    });
    assert.ok(token.length > 4_096);
    for (let i = 0; i < 3; i++) {
      assert.equal((await s.call(bearer(token))).status, 200);
    }
    assert.deepEqual(
      [cache.stats().skipped, cache.stats().hits, cache.stats().entries],
      [3, 0, 0],
    );
  });
});

Deno.test("MCP_TOKEN_CACHE_MAX_ENTRIES=0 verifies every request", async () => {
  // The keys are refetched for every verification, so the issuer's fetch
  // count counts verifications.
  await withServer({ MCP_TOKEN_CACHE_MAX_ENTRIES: "0" }, async (s) => {
    assert.equal(s.verifier.cache, undefined);
    const token = await s.h.issuer.mint();
    const fetches = s.h.issuer.jwksFetchCount;
    for (let i = 0; i < 3; i++) {
      assert.equal((await s.call(bearer(token))).status, 200);
    }
    assert.equal(s.h.issuer.jwksFetchCount, fetches + 3);
  }, { jwksCooldownMs: 0, jwksCacheMaxAgeMs: 0 });
  // The same with the cache on: one verification.
  await withServer({}, async (s) => {
    const token = await s.h.issuer.mint();
    const fetches = s.h.issuer.jwksFetchCount;
    for (let i = 0; i < 3; i++) {
      assert.equal((await s.call(bearer(token))).status, 200);
    }
    assert.equal(s.h.issuer.jwksFetchCount, fetches + 1);
  }, { jwksCooldownMs: 0, jwksCacheMaxAgeMs: 0 });
});

/** `token` with one character of part `part` (0 header, 1 payload, 2 signature) changed. */
function flip(token: string, part: number, at: number): string {
  const parts = token.split(".");
  const chars = [...parts[part]];
  chars[at] = chars[at] === "A" ? "B" : "A";
  parts[part] = chars.join("");
  return parts.join(".");
}
