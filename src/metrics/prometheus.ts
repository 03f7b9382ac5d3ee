/**
 * The Prometheus backend of {@link ServerMetrics}, built on `prom-client`
 * (the Prometheus client most Node services use): it keeps the series and
 * writes the text exposition format, so nothing about the format is
 * written here.
 *
 * Series (every label from a closed set; see `metrics.ts`):
 * - `mcp_http_requests_total{route,method,status}`
 * - `mcp_http_request_duration_seconds{route,method}` (histogram)
 * - `mcp_auth_decisions_total{outcome,kind}`
 * - `mcp_token_cache_lookups_total{result}` (`hit`, `miss`, `skipped`),
 *   `mcp_token_cache_entries`, `mcp_token_cache_evictions_total`,
 *   `mcp_token_cache_revoked_total`: read from the cache at each scrape
 * - `mcp_jwks_fetches_total{result}` (`ok`, `failed`)
 *
 * @module
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TokenCacheStats } from "../auth/token_cache.ts";
import {
  authKindLabel,
  LATENCY_BUCKETS_SECONDS,
  requestLabels,
  routeLabeler,
  type ServerMetrics,
} from "./metrics.ts";

/** Options for {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /**
   * The app's route patterns (`/mcp`, `/health`, …): a request on any
   * other is recorded as `unmatched`. Default: the first 64 distinct
   * patterns the middleware reports (see `routeLabeler`).
   */
  readonly routes?: Iterable<string>;
  /** Where the series live. Default a fresh registry. */
  readonly registry?: Registry;
}

/** A {@link ServerMetrics} that Prometheus scrapes. */
export interface PrometheusMetrics extends ServerMetrics {
  /** The registry to expose (`registry.metrics()` is the scrape body). */
  readonly registry: Registry;
}

/**
 * Builds the series in a registry.
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics({ routes: ["/mcp", "/health"] });
 * metrics.request({ route: "/mcp", method: "POST", status: 200, durationSeconds: 0.002 });
 * const text = await metrics.registry.metrics();
 * ```
 */
export function createPrometheusMetrics(
  options: PrometheusMetricsOptions = {},
): PrometheusMetrics {
  const registry = options.registry ?? new Registry();
  const route = routeLabeler(options.routes);
  const registers = [registry];
  const requests = new Counter({
    name: "mcp_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers,
  });
  const latency = new Histogram({
    name: "mcp_http_request_duration_seconds",
    help: "Time to answer an HTTP request, in seconds",
    labelNames: ["route", "method"] as const,
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers,
  });
  const decisions = new Counter({
    name: "mcp_auth_decisions_total",
    help:
      "Authentication decisions, by outcome and, for invalid tokens, by the check that failed",
    labelNames: ["outcome", "kind"] as const,
    registers,
  });
  const jwks = new Counter({
    name: "mcp_jwks_fetches_total",
    help: "Fetches of the issuer's key set, by result",
    labelNames: ["result"] as const,
    registers,
  });
  const caches: (() => TokenCacheStats)[] = [];
  const sum = (read: (stats: TokenCacheStats) => number) =>
    caches.reduce((total, stats) => total + read(stats()), 0);
  new Counter({
    name: "mcp_token_cache_lookups_total",
    help: "Token cache lookups, by result (hit, miss, skipped: too long)",
    labelNames: ["result"] as const,
    registers,
    collect() {
      this.reset();
      this.inc({ result: "hit" }, sum((s) => s.hits));
      this.inc({ result: "miss" }, sum((s) => s.misses));
      this.inc({ result: "skipped" }, sum((s) => s.skipped));
    },
  });
  new Gauge({
    name: "mcp_token_cache_entries",
    help: "Tokens in the token cache",
    registers,
    collect() {
      this.set(sum((s) => s.entries));
    },
  });
  new Counter({
    name: "mcp_token_cache_evictions_total",
    help: "Token cache entries dropped to stay within the entry limit",
    registers,
    collect() {
      this.reset();
      this.inc(sum((s) => s.evictions));
    },
  });
  new Counter({
    name: "mcp_token_cache_revoked_total",
    help: "Token cache entries dropped because their key left the key set",
    registers,
    collect() {
      this.reset();
      this.inc(sum((s) => s.revoked));
    },
  });

  return {
    registry,
    request(record) {
      const labels = requestLabels(record, route);
      requests.inc(labels);
      latency.observe(
        { route: labels.route, method: labels.method },
        record.durationSeconds,
      );
    },
    auth(outcome, kind) {
      decisions.inc({ outcome, kind: authKindLabel(outcome, kind) });
    },
    jwksFetch(result) {
      jwks.inc({ result });
    },
    watchTokenCache(stats) {
      caches.push(stats);
    },
  };
}
