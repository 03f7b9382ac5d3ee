import assert from "node:assert/strict";
import { createTokenCache } from "../auth/token_cache.ts";
import { createPrometheusMetrics } from "./prometheus.ts";

const ROUTES = ["/mcp", "/health"];

/** The value of one series in the exposition text, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("createPrometheusMetrics() counts requests by route, method and status, with latency", async () => {
  const metrics = createPrometheusMetrics({ routes: ROUTES });
  metrics.request({
    route: "/mcp",
    method: "POST",
    status: 200,
    durationSeconds: 0.002,
  });
  metrics.request({
    route: "/mcp",
    method: "POST",
    status: 200,
    durationSeconds: 0.02,
  });
  metrics.request({
    route: "/mcp",
    method: "POST",
    status: 401,
    durationSeconds: 0.0001,
  });
  metrics.request({
    route: "/health",
    method: "GET",
    status: 200,
    durationSeconds: 0.0004,
  });
  const text = await metrics.registry.metrics();
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/mcp",method="POST",status="200"}',
    ),
    2,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/mcp",method="POST",status="401"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/health",method="GET",status="200"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_request_duration_seconds_bucket{le="0.0025",route="/mcp",method="POST"}',
    ),
    2,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_request_duration_seconds_bucket{le="0.025",route="/mcp",method="POST"}',
    ),
    3,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_request_duration_seconds_count{route="/mcp",method="POST"}',
    ),
    3,
  );
  assert.match(text, /# TYPE mcp_http_request_duration_seconds histogram/);
});

Deno.test("createPrometheusMetrics() keeps every label in a closed set", async () => {
  const metrics = createPrometheusMetrics({ routes: ROUTES });
  for (const path of ["/x", "/mcp/../etc", `/${crypto.randomUUID()}`]) {
    metrics.request({
      route: path,
      method: "BREW",
      status: 404,
      durationSeconds: 0,
    });
  }
  metrics.request({
    route: "/mcp",
    method: "POST",
    status: 1000,
    durationSeconds: 0,
  });
  metrics.auth("invalid_token", "made_up" as never);
  metrics.auth("invalid_token");
  metrics.auth("missing_token", "expired");
  const text = await metrics.registry.metrics();
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="unmatched",method="other",status="404"}',
    ),
    3,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/mcp",method="POST",status="other"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_auth_decisions_total{outcome="invalid_token",kind="other"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_auth_decisions_total{outcome="invalid_token",kind="unspecified"}',
    ),
    1,
  );
  assert.equal(
    valueOf(text, 'mcp_auth_decisions_total{outcome="missing_token",kind=""}'),
    1,
  );
  assert.doesNotMatch(text, /made_up|BREW|\/etc/);
});

Deno.test("createPrometheusMetrics() without a route list keeps at most 64 distinct routes", async () => {
  const metrics = createPrometheusMetrics();
  for (let i = 0; i < 100; i++) {
    metrics.request({
      route: `/r${i}`,
      method: "GET",
      status: 200,
      durationSeconds: 0,
    });
  }
  metrics.request({
    route: "/r1",
    method: "GET",
    status: 200,
    durationSeconds: 0,
  });
  const text = await metrics.registry.metrics();
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/r1",method="GET",status="200"}',
    ),
    2,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/r63",method="GET",status="200"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/r64",method="GET",status="200"}',
    ),
    undefined,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="unmatched",method="GET",status="200"}',
    ),
    36,
  );
});

Deno.test("createPrometheusMetrics() counts auth decisions and key-set fetches", async () => {
  const metrics = createPrometheusMetrics({ routes: ROUTES });
  metrics.auth("accepted");
  metrics.auth("accepted");
  metrics.auth("invalid_token", "expired");
  metrics.auth("insufficient_scope");
  metrics.jwksFetch("ok");
  metrics.jwksFetch("failed");
  metrics.jwksFetch("failed");
  const text = await metrics.registry.metrics();
  assert.equal(
    valueOf(text, 'mcp_auth_decisions_total{outcome="accepted",kind=""}'),
    2,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_auth_decisions_total{outcome="invalid_token",kind="expired"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_auth_decisions_total{outcome="insufficient_scope",kind=""}',
    ),
    1,
  );
  assert.equal(valueOf(text, 'mcp_jwks_fetches_total{result="ok"}'), 1);
  assert.equal(valueOf(text, 'mcp_jwks_fetches_total{result="failed"}'), 2);
});

Deno.test("createPrometheusMetrics() reads the token cache's counters at each scrape", async () => {
  const metrics = createPrometheusMetrics({ routes: ROUTES });
  const cache = createTokenCache({ clockSkewSeconds: 30, maxEntries: 1 });
  metrics.watchTokenCache(() => cache.stats());
  const identity = Object.freeze({
    subject: "usr_1",
    clientId: "c",
    scopes: [],
    expiresAt: Date.now() / 1000 + 3600,
    issuer: "https://issuer.example",
    claims: {},
  });
  cache.get("a");
  cache.set("a", identity, "kid");
  cache.get("a");
  cache.get("a");
  cache.set("b", identity, "kid");
  cache.get("x".repeat(5000));
  let text = await metrics.registry.metrics();
  assert.equal(valueOf(text, 'mcp_token_cache_lookups_total{result="hit"}'), 2);
  assert.equal(
    valueOf(text, 'mcp_token_cache_lookups_total{result="miss"}'),
    1,
  );
  assert.equal(
    valueOf(text, 'mcp_token_cache_lookups_total{result="skipped"}'),
    1,
  );
  assert.equal(valueOf(text, "mcp_token_cache_entries"), 1);
  assert.equal(valueOf(text, "mcp_token_cache_evictions_total"), 1);
  cache.retainKeys([]);
  cache.get("b");
  text = await metrics.registry.metrics();
  assert.equal(valueOf(text, "mcp_token_cache_entries"), 0);
  assert.equal(valueOf(text, "mcp_token_cache_revoked_total"), 1);
  assert.equal(
    valueOf(text, 'mcp_token_cache_lookups_total{result="miss"}'),
    2,
  );
});
