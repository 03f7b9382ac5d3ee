/**
 * Limits on the shape of an MCP request body, checked before anything
 * parses or runs it: nesting depth (scanned on the text, so a pathological
 * body is never even parsed), batch size, duplicate request ids in a batch,
 * the size of each tool call's or prompt get's `arguments`, and the number
 * of URIs one `subscriptions/listen` asks to be told about (each is
 * resolved against this server's resources, for its scope check).
 *
 * Each breach is a JSON-RPC error with HTTP 400 (a JSON-RPC request that is
 * refused as a whole, as the SDK answers a batch that is too large):
 * -32600 Invalid Request for the shape of the body, -32602 Invalid params
 * for arguments that are too large or too many subscribed URIs (JSON-RPC
 * 2.0 §5.1).
 *
 * @module
 */

import { subscribedUris } from "../mcp/server.ts";

/** The limits, each from its setting. */
export interface RequestLimits {
  /** Deepest nesting of arrays and objects (`MCP_MAX_JSON_DEPTH`). */
  readonly maxJsonDepth: number;
  /** Most messages in one batch (`MCP_MAX_BATCH_SIZE`). */
  readonly maxBatchSize: number;
  /** Largest `arguments`, as JSON bytes (`MCP_MAX_ARGUMENT_BYTES`). */
  readonly maxArgumentBytes: number;
  /**
   * Most URIs in one listen's `resourceSubscriptions`
   * (`MCP_MAX_RESOURCE_SUBSCRIPTIONS`).
   */
  readonly maxResourceSubscriptions: number;
}

/** Why a body was refused: a JSON-RPC error code and a sentence. */
export interface ShapeRefusal {
  /** Which limit, for the request log. */
  readonly reason:
    | "depth"
    | "batch_size"
    | "duplicate_id"
    | "argument_size"
    | "resource_subscriptions";
  /** -32600 or -32602. */
  readonly code: number;
  /** For the client. */
  readonly message: string;
  /** The id to echo: the single message's id, else `null`. */
  readonly id: string | number | null;
}

const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether `text`, read as JSON, nests arrays and objects deeper than
 * `maxDepth`. One pass over the characters, strings skipped, no recursion:
 * it never parses, so it is safe on any input.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_SQUARE || c === CLOSE_CURLY) {
      depth--;
    }
  }
  return false;
}

/** The refusal for a body nested too deeply. */
export function depthRefusal(maxDepth: number): ShapeRefusal {
  return {
    reason: "depth",
    code: -32600,
    message:
      `Invalid Request: the body nests arrays and objects deeper than ${maxDepth} levels`,
    id: null,
  };
}

function idOf(message: unknown): string | number | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const { id, method } = message as { id?: unknown; method?: unknown };
  if (typeof method !== "string") return undefined;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

const encoder = new TextEncoder();

function argumentBytes(message: unknown): number {
  if (typeof message !== "object" || message === null) return 0;
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (method !== "tools/call" && method !== "prompts/get") return 0;
  if (typeof params !== "object" || params === null) return 0;
  const args = (params as { arguments?: unknown }).arguments;
  if (args === undefined) return 0;
  return encoder.encode(JSON.stringify(args) ?? "").length;
}

/**
 * Checks a parsed body (already known to be shallow enough) against the
 * batch, argument and subscribed-URI limits; `undefined` when it passes.
 */
export function checkShape(
  body: unknown,
  limits: RequestLimits,
): ShapeRefusal | undefined {
  const messages = Array.isArray(body) ? body : [body];
  const single = Array.isArray(body) ? null : idOf(body) ?? null;
  if (Array.isArray(body) && body.length > limits.maxBatchSize) {
    return {
      reason: "batch_size",
      code: -32600,
      message:
        `Invalid Request: a batch may hold at most ${limits.maxBatchSize} messages, not ${body.length}`,
      id: null,
    };
  }
  if (Array.isArray(body)) {
    // Answers are matched to requests by id (JSON-RPC 2.0 §6): two requests
    // with one id cannot both be answered.
    const seen = new Set<string | number>();
    for (const message of body) {
      const id = idOf(message);
      if (id === undefined) continue;
      if (seen.has(id)) {
        return {
          reason: "duplicate_id",
          code: -32600,
          message:
            "Invalid Request: two requests in the batch have the same id",
          id: null,
        };
      }
      seen.add(id);
    }
  }
  for (const message of messages) {
    const bytes = argumentBytes(message);
    if (bytes > limits.maxArgumentBytes) {
      return {
        reason: "argument_size",
        code: -32602,
        message:
          `Invalid params: arguments of ${bytes} bytes exceed the ${limits.maxArgumentBytes}-byte limit`,
        id: single,
      };
    }
    const uris = subscribedUris(message).length;
    if (uris > limits.maxResourceSubscriptions) {
      return {
        reason: "resource_subscriptions",
        code: -32602,
        message:
          `Invalid params: resourceSubscriptions may name at most ${limits.maxResourceSubscriptions} URIs, not ${uris}`,
        id: single,
      };
    }
  }
  return undefined;
}

/** The HTTP answer to a refusal: 400 with the JSON-RPC error. */
export function shapeRefusalResponse(refusal: ShapeRefusal): Response {
  return Response.json({
    jsonrpc: "2.0",
    id: refusal.id,
    error: { code: refusal.code, message: refusal.message },
  }, { status: 400 });
}
