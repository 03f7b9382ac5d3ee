/**
 * The OpenTelemetry backend of {@link ServerMetrics}: instruments from the
 * `@opentelemetry/api` metrics API. Deno's built-in OpenTelemetry support
 * registers the global meter provider and exports over OTLP when the
 * process runs with `OTEL_DENO=true` (endpoint `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * default `http://localhost:4318`, protocol `http/protobuf` or
 * `http/json` via `OTEL_EXPORTER_OTLP_PROTOCOL`, every
 * `OTEL_METRIC_EXPORT_INTERVAL` ms). Without it the API's meter is a no-op
 * and every call here costs a function call.
 *
 * Instrument names follow OpenTelemetry's conventions (dots, units
 * separate), with the same labels as the Prometheus series.
 *
 * @module
 */

import {
  createNoopMeter,
  type Meter,
  metrics as otelMetrics,
} from "@opentelemetry/api";
import type { TokenCacheStats } from "../auth/token_cache.ts";
import {
  authKindLabel,
  LATENCY_BUCKETS_SECONDS,
  requestLabels,
  routeLabeler,
  type ServerMetrics,
} from "./metrics.ts";

/**
 * Whether a meter provider is registered, so instruments record for real:
 * Deno registers one when it runs with `OTEL_DENO=true`. Without one the
 * API hands out its no-op meter, and the server then skips the metrics
 * middleware altogether (unless Prometheus is on).
 */
export function otelMetricsEnabled(): boolean {
  const noop = createNoopMeter().constructor;
  return !(otelMetrics.getMeter("mcp-scalekit") instanceof noop);
}

/** Options for {@link createOtelMetrics}. */
export interface OtelMetricsOptions {
  /** The app's route patterns; any other is `unmatched`. Default: see `routeLabeler`. */
  readonly routes?: Iterable<string>;
  /** The meter. Default the global provider's meter `mcp-scalekit`. */
  readonly meter?: Meter;
}

/**
 * Builds the instruments.
 *
 * @example
 * ```ts
 * // OTEL_DENO=true deno run … main.ts
 * const metrics = createOtelMetrics({ routes: ["/mcp", "/health"] });
 * ```
 */
export function createOtelMetrics(
  options: OtelMetricsOptions = {},
): ServerMetrics {
  const meter = options.meter ?? otelMetrics.getMeter("mcp-scalekit");
  const route = routeLabeler(options.routes);
  const requests = meter.createCounter("mcp.http.requests", {
    description: "HTTP requests answered, by route pattern, method and status",
  });
  const latency = meter.createHistogram("mcp.http.request.duration", {
    description: "Time to answer an HTTP request",
    unit: "s",
    advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
  });
  const decisions = meter.createCounter("mcp.auth.decisions", {
    description:
      "Authentication decisions, by outcome and, for invalid tokens, by the check that failed",
  });
  const jwks = meter.createCounter("mcp.jwks.fetches", {
    description: "Fetches of the issuer's key set, by result",
  });
  const caches: (() => TokenCacheStats)[] = [];
  const sum = (read: (stats: TokenCacheStats) => number) =>
    caches.reduce((total, stats) => total + read(stats()), 0);
  meter.createObservableCounter("mcp.token_cache.lookups", {
    description: "Token cache lookups, by result (hit, miss, skipped)",
  }).addCallback((result) => {
    if (caches.length === 0) return;
    result.observe(sum((s) => s.hits), { result: "hit" });
    result.observe(sum((s) => s.misses), { result: "miss" });
    result.observe(sum((s) => s.skipped), { result: "skipped" });
  });
  meter.createObservableGauge("mcp.token_cache.entries", {
    description: "Tokens in the token cache",
  }).addCallback((result) => {
    if (caches.length > 0) result.observe(sum((s) => s.entries));
  });
  meter.createObservableCounter("mcp.token_cache.evictions", {
    description: "Token cache entries dropped to stay within the entry limit",
  }).addCallback((result) => {
    if (caches.length > 0) result.observe(sum((s) => s.evictions));
  });
  meter.createObservableCounter("mcp.token_cache.revoked", {
    description:
      "Token cache entries dropped because their key left the key set",
  }).addCallback((result) => {
    if (caches.length > 0) result.observe(sum((s) => s.revoked));
  });

  return {
    request(record) {
      const labels = requestLabels(record, route);
      requests.add(1, { ...labels });
      latency.record(record.durationSeconds, {
        route: labels.route,
        method: labels.method,
      });
    },
    auth(outcome, kind) {
      decisions.add(1, { outcome, kind: authKindLabel(outcome, kind) });
    },
    jwksFetch(result) {
      jwks.add(1, { result });
    },
    watchTokenCache(stats) {
      caches.push(stats);
    },
  };
}
