/**
 * The app's `onError`: what a request gets when a handler or middleware
 * throws instead of answering.
 *
 * @module
 */

import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { describeError, type Logger } from "../log/logger.ts";
import type { AppEnv } from "./env.ts";

/** The JSON `error` for an `HTTPException` thrown without a response of its own. */
const ERROR_CODES: Readonly<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
  503: "temporarily_unavailable",
};

/**
 * Builds the error handler. An `HTTPException` has decided the answer
 * already: the response it carries is sent as it is, with its status and
 * headers (a `Retry-After`, a challenge), and one without a response gets
 * its status with a JSON body. Anything else is a bug: it is logged, and
 * the client gets a 500 that says nothing about it.
 */
export function handleErrors(logger: Logger): ErrorHandler<AppEnv> {
  return function onError(error, c) {
    if (error instanceof HTTPException) {
      if (error.res !== undefined) return error.getResponse();
      const code = ERROR_CODES[error.status] ??
        (error.status >= 500 ? "server_error" : "bad_request");
      return c.json(
        { error: code, error_description: error.message || code },
        error.status,
      );
    }
    logger.error("unhandled_error", {
      request_id: c.get("requestId"),
      ...describeError(error),
    });
    return c.json({
      error: "server_error",
      error_description: "Internal server error",
    }, 500);
  };
}
