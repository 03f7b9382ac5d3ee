/**
 * Graceful shutdown: counts requests in flight so shutdown can wait for them.
 * Deno's `server.shutdown()` alone cuts off request bodies that are still
 * arriving, so the server drains first and shuts down after.
 *
 * @module
 */

/** A request handler, as `Deno.serve` takes it. */
export type FetchHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** Tracks in-flight requests and refuses new ones once draining. */
export interface Drainer {
  /** Wraps a handler so its requests are counted. */
  wrap(handler: FetchHandler): FetchHandler;
  /** How many requests are being handled now. */
  readonly inFlight: number;
  /**
   * Starts refusing new requests (503 with `Retry-After`) and resolves when
   * every in-flight request has been answered, or after `graceMs`: `true`
   * when all finished in time.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** Builds a {@link Drainer}. */
export function createDrainer(): Drainer {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  return {
    get inFlight() {
      return inFlight;
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
        try {
          return await handler(request, info);
        } finally {
          inFlight--;
          if (inFlight === 0) idle?.();
        }
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
