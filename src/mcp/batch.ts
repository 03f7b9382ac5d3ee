/**
 * Cancellations inside a 2025-era JSON-RPC batch.
 *
 * A batch may hold a `notifications/cancelled` for a request of the same
 * batch. The SDK starts the request, then aborts it, and by the
 * cancellation rule ("the receiver SHOULD NOT send a response for the
 * cancelled request", MCP 2025-06-18 basic/utilities/cancellation) sends
 * no answer for it. Its Streamable HTTP transport, however, holds the
 * exchange open until every request of the batch is answered: a JSON
 * response never came, an SSE stream never ended, and each such request
 * held memory and a connection for good, while the cancelled tool still
 * ran (a cancelled `create_todo` was written).
 *
 * Over stateless HTTP a batch is the only place where a cancellation can
 * meet its request, and there it always arrives before the request has
 * started. So such a request is taken out of the batch and never run, and
 * the POST answers it with {@link REQUEST_CANCELLED_ERROR_CODE}: every
 * request of a batch gets an answer, and the exchange ends.
 *
 * @module
 */

/**
 * JSON-RPC error code for a request cancelled by a `notifications/cancelled`
 * in its own batch; it was not run. The value is LSP's `RequestCancelled`,
 * outside the range JSON-RPC and MCP reserve (-32768…-32000).
 */
export const REQUEST_CANCELLED_ERROR_CODE = -32800;

/** A JSON-RPC request id. */
export type RequestId = string | number;

/** A JSON-RPC error response this module builds. */
export interface CancelledAnswer {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly error: { readonly code: number; readonly message: string };
}

/** What to hand the transport, and what to answer without it. */
export interface BatchPlan {
  /** The batch without the cancelled requests and the cancellations that named them. */
  readonly body: unknown;
  /** One answer per cancelled request, in batch order. */
  readonly cancelled: readonly CancelledAnswer[];
  /** Whether `body` still holds a request for the transport to answer. */
  readonly hasRequests: boolean;
}

function isId(value: unknown): value is RequestId {
  return typeof value === "string" ||
    (typeof value === "number" && Number.isFinite(value));
}

function requestIdOf(message: unknown): RequestId | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { method, id } = message as { method?: unknown; id?: unknown };
  return typeof method === "string" && isId(id) ? id : undefined;
}

function cancelledIdOf(message: unknown): RequestId | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { method, id, params } = message as {
    method?: unknown;
    id?: unknown;
    params?: unknown;
  };
  if (method !== "notifications/cancelled" || id !== undefined) return;
  if (typeof params !== "object" || params === null) return undefined;
  const requestId = (params as { requestId?: unknown }).requestId;
  return isId(requestId) ? requestId : undefined;
}

/**
 * Splits a batch: requests that a cancellation in the same batch names are
 * taken out (with those cancellations) and answered with
 * {@link REQUEST_CANCELLED_ERROR_CODE}. Anything else, a single message
 * included, is passed through unchanged.
 */
export function planBatch(body: unknown): BatchPlan {
  if (!Array.isArray(body)) {
    return {
      body,
      cancelled: [],
      hasRequests: requestIdOf(body) !== undefined,
    };
  }
  const requested = new Set(
    body.map(requestIdOf).filter((id) => id !== undefined),
  );
  const named = new Set(
    body.map(cancelledIdOf).filter((id) =>
      id !== undefined && requested.has(id)
    ),
  );
  if (named.size === 0) {
    return { body, cancelled: [], hasRequests: requested.size > 0 };
  }
  const kept: unknown[] = [];
  const cancelled: CancelledAnswer[] = [];
  for (const message of body) {
    const id = requestIdOf(message);
    if (id !== undefined && named.has(id)) {
      cancelled.push({
        jsonrpc: "2.0",
        id,
        error: {
          code: REQUEST_CANCELLED_ERROR_CODE,
          message:
            "Request cancelled by a notifications/cancelled in the same batch; it was not run",
        },
      });
      continue;
    }
    const target = cancelledIdOf(message);
    if (target !== undefined && named.has(target)) continue;
    kept.push(message);
  }
  return {
    body: kept,
    cancelled,
    hasRequests: kept.some((message) => requestIdOf(message) !== undefined),
  };
}
