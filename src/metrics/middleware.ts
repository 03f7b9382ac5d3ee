/**
 * The Hono middleware that reports every request, and the authentication
 * decision the request's middlewares recorded, to {@link ServerMetrics}.
 * It reads only what the app already sets for the request log (`identity`,
 * `denial`), so wiring it is one `app.use`.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/env.ts";
import {
  AUTH_OUTCOMES,
  type AuthOutcome,
  type ServerMetrics,
  UNMATCHED_ROUTE,
} from "./metrics.ts";

/** Options for {@link recordMetrics}. */
export interface RecordMetricsOptions {
  /** The clock, in ms. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * Records each request's route, method, status and latency, and the
 * authentication decision when a middleware made one: a `denial` whose
 * code is an {@link AuthOutcome}, or else an `identity` (accepted). Only
 * the MCP endpoint's middlewares set either.
 */
export function recordMetrics(
  metrics: ServerMetrics,
  options: RecordMetricsOptions = {},
): MiddlewareHandler<AppEnv> {
  const now = options.now ?? performance.now.bind(performance);
  return async function recordMetrics(c, next) {
    const started = now();
    await next();
    // After `next()`, `routePath` is the pattern of the last handler that
    // ran; Hono's fallback for unmatched paths is `*`.
    const routePath = c.req.routePath;
    metrics.request({
      route: routePath === "*" || routePath === "/*"
        ? UNMATCHED_ROUTE
        : routePath,
      method: c.req.method,
      status: c.res.status,
      durationSeconds: (now() - started) / 1000,
    });
    // A refusal after authentication (rate limit, bad body) still counts
    // the token as accepted: the decision is about the credentials.
    const denial = c.get("denial");
    if (denial !== undefined && isAuthOutcome(denial.code)) {
      metrics.auth(denial.code, denial.kind);
    } else if (c.get("identity") !== undefined) metrics.auth("accepted");
  };
}

function isAuthOutcome(code: string): code is AuthOutcome {
  return (AUTH_OUTCOMES as readonly string[]).includes(code);
}
