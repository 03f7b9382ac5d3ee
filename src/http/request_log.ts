/**
 * One JSON log line per request. It records the path but never the query
 * string (a misbehaving client may put a token there) and never a header.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log/logger.ts";
import type { AppEnv } from "./env.ts";

/** Logs method, path, status, duration, caller, protocol era, tools and denial reason. */
export function logRequests(
  logger: Logger,
  now: () => number = performance.now.bind(performance),
): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const started = now();
    await next();
    const identity = c.get("identity");
    const tools = c.get("tools");
    const denial = c.get("denial");
    const era = c.get("era");
    logger.info("request", {
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((now() - started) * 100) / 100,
      ...(identity
        ? { subject: identity.subject, client_id: identity.clientId }
        : {}),
      ...(era ? { era } : {}),
      ...(tools && tools.length > 0 ? { tools } : {}),
      ...(denial ? { denial: denial.code, denial_reason: denial.reason } : {}),
    });
  };
}
