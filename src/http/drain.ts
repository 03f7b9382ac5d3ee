/**
 * Graceful shutdown: counts requests in flight so shutdown can wait for
 * them. Deno's `server.shutdown()` alone cuts off request bodies that are
 * still arriving, so the server drains first and shuts down after.
 *
 * A request counts as in flight until its response has been sent
 * (`info.completed`), not merely until the handler returns: a streamed
 * response is still being written then.
 *
 * While draining, every response says `Connection: close` (RFC 9112 §9.6).
 * A keep-alive client that reads it opens a new connection for its next
 * request (and gets a 503, or a refused connection once the listener is
 * closed) instead of sending it on a connection about to close, where it
 * would be lost without an answer. The guarded server
 * (`guarded_server.ts`) then closes each such connection after the
 * response.
 *
 * @module
 */

import { withHeader } from "./_response_headers.ts";

/** A request handler, as `Deno.serve` takes it. */
export type FetchHandler = Deno.ServeHandler<Deno.NetAddr>;

/** Tracks in-flight requests and refuses new ones once draining. */
export interface Drainer {
  /** Wraps a handler so its requests are counted. */
  wrap(handler: FetchHandler): FetchHandler;
  /** How many requests are being handled now. */
  readonly inFlight: number;
  /** Whether {@link drain} has been called. */
  readonly draining: boolean;
  /**
   * Starts refusing new requests (503 with `Retry-After`), marks every
   * response `Connection: close`, and resolves when every in-flight request
   * has been answered, or after `graceMs`: `true` when all finished in time.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** Builds a {@link Drainer}. */
export function createDrainer(): Drainer {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  function finished(): void {
    inFlight--;
    // Only when the last one ends: the drain waits for all of them.
    if (inFlight === 0) idle?.();
  }

  return {
    get inFlight() {
      return inFlight;
    },
    get draining() {
      return draining;
    },
    wrap(handler) {
      return async function drained(request, info) {
        if (draining) {
          return Response.json({
            error: "shutting_down",
            error_description: "The server is shutting down; retry shortly",
          }, {
            status: 503,
            headers: { "Retry-After": "5", Connection: "close" },
          });
        }
        inFlight++;
        let response: Response;
        try {
          response = await handler(request, info);
        } catch (error) {
          finished();
          throw error;
        }
        // `completed` settles once the response is sent, or fails to be.
        const completed = info.completed as Promise<void> | undefined;
        if (completed) completed.then(finished, finished);
        else finished();
        return draining
          ? withHeader(response, "Connection", "close")
          : response;
      };
    },
    drain(graceMs) {
      draining = true;
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), graceMs);
        idle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    },
  };
}
