/**
 * Caps on MCP requests in flight: in all, and per verified caller. A
 * request counts from authentication until its response has been produced
 * and, for a stream, until the stream ends, so one caller holding SSE
 * streams open cannot starve the rest. A `subscriptions/listen` stream is
 * the exception: it is meant to stay open for as long as the client wants
 * to hear, so once open it is counted by the MCP endpoint's own caps on
 * subscriptions (per caller, per tenant, in all: `src/mcp/subscription_caps.ts`)
 * and gives its place here back; otherwise a few callers' listen streams
 * would fill this cap and every tenant's tool calls would get 503.
 *
 * Over the total cap the answer is 503 `server_busy` (the server is full,
 * not the caller at fault); over a caller's cap it is 429
 * `too_many_concurrent_requests`. Both carry `Retry-After: 1`.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import { callerKey } from "./rate_limit.ts";

/** Options for {@link limitConcurrency}. */
export interface ConcurrencyOptions {
  /** Most requests in flight, all callers together (`MCP_MAX_CONCURRENT_REQUESTS`). */
  readonly maxTotal: number;
  /** Most requests in flight per caller (`MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER`). */
  readonly maxPerCaller: number;
}

/** Counts and caps requests in flight; expects `identity` to be set. */
export function limitConcurrency(
  options: ConcurrencyOptions,
): MiddlewareHandler<AppEnv> {
  const { maxTotal, maxPerCaller } = options;
  let total = 0;
  const perCaller = new Map<string, number>();

  function release(key: string): void {
    total--;
    const left = (perCaller.get(key) ?? 1) - 1;
    if (left === 0) perCaller.delete(key);
    else perCaller.set(key, left);
  }

  return async function limitConcurrency(c, next) {
    const key = callerKey(c);
    const mine = perCaller.get(key) ?? 0;
    if (mine >= maxPerCaller) {
      c.set("denial", {
        code: "too_many_concurrent_requests",
        reason: `Caller has ${mine} requests in flight`,
      });
      return c.json(
        {
          error: "too_many_concurrent_requests",
          error_description:
            `At most ${maxPerCaller} requests per caller may be in flight; wait for one to finish`,
        },
        429,
        { "Retry-After": "1" },
      );
    }
    if (total >= maxTotal) {
      c.set("denial", {
        code: "server_busy",
        reason: `${total} requests in flight`,
      });
      return c.json(
        {
          error: "server_busy",
          error_description:
            "The server is handling too many requests; retry shortly",
        },
        503,
        { "Retry-After": "1" },
      );
    }
    total++;
    perCaller.set(key, mine + 1);
    let held = true;
    const done = () => {
      if (!held) return;
      held = false;
      release(key);
    };
    try {
      await next();
    } catch (error) {
      done();
      throw error;
    }
    const body = c.res.body;
    if (
      body === null ||
      !c.res.headers.get("content-type")?.startsWith("text/event-stream") ||
      c.get("listen") === true
    ) {
      done();
      return;
    }
    // A stream is in flight until it ends or the client goes away.
    c.res = new Response(
      body.pipeThrough(new TransformStream({ flush: done, cancel: done })),
      c.res,
    );
  };
}
