/**
 * How many result bytes one HTTP request may still produce. A 2025-era
 * batch shares one budget, so a batch of twenty `list_todos` cannot return
 * twenty times the limit; each result is charged before it is sent, and a
 * result that does not fit is replaced by an error that says to ask for
 * less (no partial result, which a client could mistake for the whole).
 *
 * @module
 */

/**
 * JSON-RPC error code for a resource read or prompt whose result is over
 * the response limit (an application code, outside the range JSON-RPC and
 * MCP reserve). A tool call gets a tool error instead.
 */
export const RESPONSE_TOO_LARGE_ERROR_CODE = -31413;

/** What one HTTP request may still return. */
export interface ResponseBudget {
  /** The whole budget, in bytes (`MCP_MAX_RESPONSE_BYTES`). */
  readonly limit: number;
  /** Charges `bytes` if they fit in what is left; `false` (and no charge) if not. */
  take(bytes: number): boolean;
}

/** A fresh budget of `limit` bytes, for one HTTP request. */
export function createResponseBudget(limit: number): ResponseBudget {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError("The response limit must be a positive integer");
  }
  let left = limit;
  return {
    limit,
    take(bytes) {
      if (bytes > left) return false;
      left -= bytes;
      return true;
    },
  };
}

/**
 * The UTF-8 length of `text`, without encoding it: a JSON result's size on
 * the wire before escaping.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The sentence a refused result is replaced by. */
export function tooLargeMessage(
  what: string,
  bytes: number,
  budget: ResponseBudget,
): string {
  return `The result of ${what} is ${bytes} bytes, more than this request may return (${budget.limit} bytes in all); ask for less, such as a smaller limit`;
}
