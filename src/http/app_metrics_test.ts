import assert from "node:assert/strict";
import { mcpHeaders, startHarness, toolCall } from "../../fixtures/harness.ts";
import { withTokenCache } from "../auth/token_cache.ts";
import { createTokenVerifier, type TokenVerifier } from "../auth/verify.ts";
import type { TokenAuthConfig } from "../config/types.ts";
import { countJwksFetches, tokenCacheStatsOf } from "../metrics/metrics.ts";
import { createPrometheusMetrics } from "../metrics/prometheus.ts";

function valueOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("the app reports the token cache of whatever verifier it has, through its stats() only", async () => {
  // The real verifier needs the issuer's URL, which the harness makes.
  let real: TokenVerifier | undefined;
  const cached = withTokenCache(
    { verify: (token) => real!.verify(token) },
    { clockSkewSeconds: 30 },
  );
  const metrics = createPrometheusMetrics();
  const harness = await startHarness({ app: { verifier: cached, metrics } });
  try {
    const auth = harness.loaded.config.auth as TokenAuthConfig;
    real = createTokenVerifier({
      jwksUri: auth.jwksUri,
      issuers: auth.issuers,
      audiences: auth.audiences,
      algorithms: auth.algorithms,
      clockSkewSeconds: 30,
    });
    const token = await harness.issuer.mint({ scopes: ["todo:read"] });
    for (let i = 0; i < 3; i++) {
      const response = await harness.fetch("/mcp", {
        method: "POST",
        headers: mcpHeaders(token),
        body: toolCall("list_todos"),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
    const text = await metrics.registry.metrics();
    assert.equal(
      valueOf(text, 'mcp_token_cache_lookups_total{result="miss"}'),
      1,
    );
    assert.equal(
      valueOf(text, 'mcp_token_cache_lookups_total{result="hit"}'),
      2,
    );
    assert.equal(valueOf(text, "mcp_token_cache_entries"), 1);
    assert.equal(
      valueOf(text, 'mcp_auth_decisions_total{outcome="accepted",kind=""}'),
      3,
    );
  } finally {
    await harness.close();
  }
});

Deno.test("tokenCacheStatsOf() reads verifier.cache.stats() or verifier.stats(), and nothing else", () => {
  const stats = {
    hits: 1,
    misses: 2,
    skipped: 0,
    evictions: 0,
    revoked: 0,
    entries: 1,
  };
  assert.deepEqual(
    tokenCacheStatsOf({ cache: { stats: () => stats } })?.(),
    stats,
  );
  assert.deepEqual(tokenCacheStatsOf({ stats: () => stats })?.(), stats);
  assert.equal(tokenCacheStatsOf({ verify() {} }), undefined);
  assert.equal(tokenCacheStatsOf({ cache: {} }), undefined);
});

Deno.test("countJwksFetches() counts a 2xx as ok, another status or a network error as failed", async () => {
  const metrics = createPrometheusMetrics();
  const counted = countJwksFetches(fetch, metrics);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) =>
      new URL(request.url).pathname === "/keys"
        ? Response.json({ keys: [] })
        : new Response("down", { status: 503 }),
  );
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = closed.addr.port;
  closed.close();
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    await (await counted(`${base}/keys`)).body?.cancel();
    await (await counted(`${base}/down`)).body?.cancel();
    await assert.rejects(counted(`http://127.0.0.1:${closedPort}/keys`));
    const text = await metrics.registry.metrics();
    assert.equal(valueOf(text, 'mcp_jwks_fetches_total{result="ok"}'), 1);
    assert.equal(valueOf(text, 'mcp_jwks_fetches_total{result="failed"}'), 2);
  } finally {
    await server.shutdown();
  }
});
