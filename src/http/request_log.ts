/**
 * One JSON log line per request. It records the path but never the query
 * string (a misbehaving client may put a token there) and never a header.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log/logger.ts";
import type { AppEnv } from "./env.ts";

/** Longest method a log line records. */
const MAX_LOGGED_METHOD = 16;
/** Longest subject or client id a log line records (verified, but still the issuer's text). */
const MAX_LOGGED_CLAIM = 200;
/** Longest path a log line records. */
const MAX_LOGGED_PATH = 200;

/**
 * A client-supplied value as a log line may hold it: printable ASCII only
 * (anything else becomes `?`), at most `max` characters; a longer value is
 * cut and ends with `...` and its original length, so a client cannot make
 * a line long or unreadable.
 */
export function clientText(value: string, max: number): string {
  if (value.length <= max) return value.replace(/[^\x20-\x7E]/g, "?");
  const suffix = `...(${value.length} chars)`;
  return value.slice(0, Math.max(0, max - suffix.length))
    .replace(/[^\x20-\x7E]/g, "?") + suffix;
}

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
      method: clientText(c.req.method, MAX_LOGGED_METHOD),
      path: clientText(c.req.path, MAX_LOGGED_PATH),
      status: c.res.status,
      duration_ms: Math.round((now() - started) * 100) / 100,
      ...(identity
        ? {
          subject: clientText(identity.subject, MAX_LOGGED_CLAIM),
          client_id: clientText(identity.clientId, MAX_LOGGED_CLAIM),
        }
        : {}),
      ...(era ? { era } : {}),
      ...(tools && tools.length > 0 ? { tools } : {}),
      ...(denial ? { denial: denial.code, denial_reason: denial.reason } : {}),
    });
  };
}
