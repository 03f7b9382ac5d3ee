/**
 * What the server counts, independent of where it goes: one
 * {@link ServerMetrics} interface that the HTTP layer, the verifier and the
 * key set call, with a Prometheus backend (`prometheus.ts`, served on its
 * own loopback port by `endpoint.ts`) and an OpenTelemetry one (`otel.ts`,
 * exported over OTLP by Deno's built-in OpenTelemetry support).
 *
 * Every label takes values from a closed set, so no client can make a
 * series per request: routes are the app's route patterns (or `unmatched`),
 * methods the HTTP methods the server knows (or `other`), reasons the
 * {@link AuthOutcome} and {@link InvalidTokenKind} unions.
 *
 * @module
 */

import type { TokenCacheStats } from "../auth/token_cache.ts";
import {
  INVALID_TOKEN_CHECKS,
  type InvalidTokenCheck,
} from "../auth/errors.ts";

/** How an authentication ended (the `AuthErrorCode`s, plus success). */
export type AuthOutcome =
  | "accepted"
  | "missing_token"
  | "invalid_token"
  | "insufficient_scope"
  | "verifier_unavailable";

/** Every {@link AuthOutcome}, for label validation and docs. */
export const AUTH_OUTCOMES: readonly AuthOutcome[] = Object.freeze([
  "accepted",
  "missing_token",
  "invalid_token",
  "insufficient_scope",
  "verifier_unavailable",
]);

/**
 * Why a token was invalid, one per check the verifier makes (the
 * `kind` label of `invalid_token` decisions). `unspecified` until the
 * verifier reports a kind; any unknown value is recorded as `other`.
 */
export type InvalidTokenKind = InvalidTokenCheck | "unspecified" | "other";

/** Every {@link InvalidTokenKind}. */
export const INVALID_TOKEN_KINDS: readonly InvalidTokenKind[] = Object.freeze([
  ...INVALID_TOKEN_CHECKS,
  "unspecified",
  "other",
]);

/** HTTP methods recorded by name; any other is `other`. */
const METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

/** The route label of a request no route matched. */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * Request latency buckets, in seconds: sub-millisecond for cached
 * `tools/call`s up to the 10 s a stalled request may take.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/** One finished HTTP request. */
export interface RequestRecord {
  /** The matched route pattern (`/mcp`, `/health`), or {@link UNMATCHED_ROUTE}. */
  readonly route: string;
  /** The request method. */
  readonly method: string;
  /** The response status. */
  readonly status: number;
  /** Time from the first middleware to the response, in seconds. */
  readonly durationSeconds: number;
}

/** Where the server reports what it counts. */
export interface ServerMetrics {
  /** Counts a finished request and records its latency. */
  request(record: RequestRecord): void;
  /** Counts an authentication decision; `kind` only for `invalid_token`. */
  auth(outcome: AuthOutcome, kind?: InvalidTokenKind): void;
  /** Counts a fetch of the issuer's key set. */
  jwksFetch(result: "ok" | "failed"): void;
  /**
   * Reads token-cache counters at each collection (scrape or export),
   * so the cache pays nothing per request for being measured.
   */
  watchTokenCache(stats: () => TokenCacheStats): void;
}

/** Label values as recorded: every one from a closed set. */
export interface RequestLabels {
  readonly route: string;
  readonly method: string;
  readonly status: string;
}

/** Most distinct route labels kept when no route list is given. */
export const MAX_ROUTE_LABELS = 64;

/**
 * Bounds the route label. With `routes` (the app's patterns), only those
 * are kept. Without, the first {@link MAX_ROUTE_LABELS} distinct values
 * are: the middleware reports Hono's matched route pattern, which is
 * bounded by the app's routes already, and this is the backstop.
 * Anything else is {@link UNMATCHED_ROUTE}.
 */
export function routeLabeler(
  routes?: Iterable<string>,
): (route: string) => string {
  const known = new Set(routes ?? []);
  const fixed = routes !== undefined;
  return (route) => {
    if (known.has(route)) return route;
    if (fixed || known.size >= MAX_ROUTE_LABELS) return UNMATCHED_ROUTE;
    known.add(route);
    return route;
  };
}

/**
 * The labels of a request, bounded: the route as `route` allows it, the
 * method one the server knows, the status a three-digit code.
 */
export function requestLabels(
  record: RequestRecord,
  route: (route: string) => string,
): RequestLabels {
  const status = Number.isInteger(record.status) && record.status >= 100 &&
      record.status <= 599
    ? String(record.status)
    : "other";
  return {
    route: route(record.route),
    method: METHODS.has(record.method) ? record.method : "other",
    status,
  };
}

/** The `kind` label of an auth decision: empty unless `invalid_token`. */
export function authKindLabel(
  outcome: AuthOutcome,
  kind: string | undefined,
): string {
  if (outcome !== "invalid_token") return "";
  if (kind === undefined) return "unspecified";
  return (INVALID_TOKEN_KINDS as readonly string[]).includes(kind)
    ? kind
    : "other";
}

/** Reports to every one of `targets` (Prometheus and OpenTelemetry at once). */
export function combineMetrics(
  ...targets: readonly ServerMetrics[]
): ServerMetrics {
  return {
    request: (record) => targets.forEach((t) => t.request(record)),
    auth: (outcome, kind) => targets.forEach((t) => t.auth(outcome, kind)),
    jwksFetch: (result) => targets.forEach((t) => t.jwksFetch(result)),
    watchTokenCache: (stats) =>
      targets.forEach((t) => t.watchTokenCache(stats)),
  };
}

/** Counts nothing: the default when no metrics are configured. */
export const noMetrics: ServerMetrics = Object.freeze({
  request() {},
  auth() {},
  jwksFetch() {},
  watchTokenCache() {},
});

/**
 * The token-cache counters behind a verifier, when it has a cache: a
 * `CachedTokenVerifier` (`verifier.cache.stats()`) or a verifier that
 * reports its own (`verifier.stats()`). `undefined` for a verifier
 * without one, which then reports no cache series.
 */
export function tokenCacheStatsOf(
  verifier: object,
): (() => TokenCacheStats) | undefined {
  const { cache, stats } = verifier as {
    readonly cache?: { readonly stats?: unknown };
    readonly stats?: unknown;
  };
  if (typeof cache?.stats === "function") {
    const source = cache as { stats(): TokenCacheStats };
    return () => source.stats();
  }
  if (typeof stats === "function") {
    const source = verifier as { stats(): TokenCacheStats };
    return () => source.stats();
  }
  return undefined;
}

/**
 * Wraps the fetch the key set uses so each fetch is counted: `ok` for a
 * 2xx answer, `failed` for any other status or a network error (the key
 * set then backs off; see `src/auth/jwks.ts`).
 */
export function countJwksFetches(
  fetchImpl: typeof fetch,
  metrics: ServerMetrics,
): typeof fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await fetchImpl(input, init);
    } catch (error) {
      metrics.jwksFetch("failed");
      throw error;
    }
    metrics.jwksFetch(response.ok ? "ok" : "failed");
    return response;
  };
}
