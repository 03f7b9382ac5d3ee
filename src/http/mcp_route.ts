/**
 * The MCP endpoint's POST handler: parses the JSON-RPC body, finds which
 * protocol era will serve it, refuses a token without the server's required
 * scopes (403 step-up, by that era's rules), then hands the request to the
 * MCP endpoint, which checks each operation's own scopes. A
 * `subscriptions/listen` is checked here: the SDK runs no scope check for
 * it, and hearing that a resource changed needs what reading it needs.
 *
 * Every request is authorized on its own: there is no session that could
 * remember an earlier decision (MCP 2026-07-28 has none, and the 2025-era
 * leg is stateless too).
 *
 * @module
 */

import type { Context, Handler, MiddlewareHandler } from "hono";
import type { ChallengeContext } from "../auth/challenge.ts";
import { AuthError } from "../auth/errors.ts";
import type { ScopePolicy } from "../authz/policy.ts";
import { scopeDenialMessage } from "../authz/scopes.ts";
import type { ScopeDenialMode } from "../config/types.ts";
import { isListenRequest, type McpEndpoint } from "../mcp/handler.ts";
import { createResponseBudget } from "../mcp/response_budget.ts";
import { INSUFFICIENT_SCOPE_ERROR_CODE } from "../mcp/server.ts";
import type { AppEnv } from "./env.ts";
import { deny } from "./require_bearer.ts";
import { clientText } from "./request_log.ts";
import {
  checkShape,
  depthRefusal,
  nestsDeeperThan,
  type RequestLimits,
  shapeRefusalResponse,
} from "./request_limits.ts";

/** Options for {@link handleMcpPost}. */
export interface McpPostOptions {
  /** Answers MCP requests. */
  readonly endpoint: McpEndpoint;
  /** Who may do what. */
  readonly policy: ScopePolicy;
  /** Metadata URL and required scopes, for 403 challenges. */
  readonly challenge: ChallengeContext;
  /** Depth, batch and argument limits. */
  readonly limits: RequestLimits;
  /** Most result bytes one request may produce (`MCP_MAX_RESPONSE_BYTES`). */
  readonly maxResponseBytes: number;
  /**
   * How a subscription without its scopes is refused: `http` (default) with
   * a 403 step-up challenge, `tool` in-band, as a JSON-RPC error like a
   * refused resource read.
   */
  readonly scopeDenial?: ScopeDenialMode;
}

/** Most tool names a request's log line records. */
const MAX_LOGGED_TOOLS = 20;
/** Longest tool name a log line records; longer ones are cut. */
const MAX_LOGGED_NAME = 100;

/** Builds the POST handler. Expects `identity` to be set by authentication. */
export function handleMcpPost(options: McpPostOptions): Handler<AppEnv> {
  const { endpoint, policy, challenge, limits, maxResponseBytes } = options;
  const scopeDenial = options.scopeDenial ?? "http";
  return async function mcpPost(c) {
    const identity = c.get("identity");
    if (identity === undefined) {
      throw new Error("The MCP route needs authentication to run first");
    }
    // A body that cannot be read (a malformed chunked encoding, an upload
    // the client aborted) is the client's fault: 400, never a 500, and no
    // error-level log. A body that timed out is answered 408 by the
    // connection layer, whatever is returned here.
    let text: string;
    try {
      text = await c.req.text();
    } catch {
      return unreadableBody(c);
    }
    if (nestsDeeperThan(text, limits.maxJsonDepth)) {
      c.set("denial", { code: "invalid_request", reason: "depth" });
      return shapeRefusalResponse(depthRefusal(limits.maxJsonDepth));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      c.set("denial", { code: "parse_error", reason: "Body is not JSON" });
      return c.json({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: the body is not JSON" },
      }, 400);
    }
    const malformed = checkShape(body, limits);
    if (malformed !== undefined) {
      c.set("denial", { code: "invalid_request", reason: malformed.reason });
      return shapeRefusalResponse(malformed);
    }
    c.set("tools", toolCallsIn(body));
    const era = await endpoint.eraOf(c.req.raw, body);
    c.set("era", era);

    const refusal = policy.check([], identity.scopes, era);
    if (refusal !== undefined) {
      return deny(
        c,
        new AuthError(
          "insufficient_scope",
          `The token lacks the required scopes: ${refusal.missing.join(", ")}`,
          { requiredScopes: refusal.challenge },
        ),
        challenge,
      );
    }
    // Only the 2026-07-28 era has subscriptions/listen.
    const subscribed = era === "modern" ? endpoint.subscriptionsIn(body) : [];
    const unsubscribable = subscribed.length === 0
      ? undefined
      : policy.check(subscribed, identity.scopes, era);
    if (unsubscribable !== undefined) {
      const { missing } = unsubscribable;
      const what = subscribed.map((operation) => operation.name).join(", ");
      if (scopeDenial === "http") {
        return deny(
          c,
          new AuthError(
            "insufficient_scope",
            `The token lacks scopes subscribing to ${what} needs: ${
              missing.join(", ")
            }`,
            { requiredScopes: unsubscribable.challenge },
          ),
          challenge,
        );
      }
      c.set("denial", {
        code: "insufficient_scope",
        reason: `subscription to ${what} needs ${missing.join(", ")}`,
      });
      const id = (body as { id?: unknown }).id;
      return c.json({
        jsonrpc: "2.0",
        id: typeof id === "string" || typeof id === "number" ? id : null,
        error: {
          code: INSUFFICIENT_SCOPE_ERROR_CODE,
          message: scopeDenialMessage(missing),
          data: {
            error: "insufficient_scope",
            scope: unsubscribable.challenge.join(" "),
          },
        },
      });
    }
    // The endpoint serves a modern listen as a stream counted by its
    // subscription caps; the concurrency limiter lets it go once it is open.
    if (era === "modern" && isListenRequest(body)) c.set("listen", true);
    return await endpoint.handle(c.req.raw, body, {
      identity,
      budget: createResponseBudget(maxResponseBytes),
      onScopeDenied: (operation, missing) =>
        c.set("denial", {
          code: "insufficient_scope",
          reason: `${operation.kind} ${operation.name} needs ${
            missing.join(", ")
          }`,
        }),
    }, era);
  };
}

/**
 * Names of the tools a JSON-RPC message (or batch) calls, for the request
 * log: at most {@link MAX_LOGGED_TOOLS}, each cut to
 * {@link MAX_LOGGED_NAME} printable characters, so a client cannot make a
 * log line grow with what it sends.
 */
export function toolCallsIn(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const names: string[] = [];
  for (const message of messages) {
    if (names.length === MAX_LOGGED_TOOLS) break;
    if (typeof message !== "object" || message === null) continue;
    const { method, params } = message as {
      method?: unknown;
      params?: unknown;
    };
    if (method !== "tools/call" || typeof params !== "object" || !params) {
      continue;
    }
    const name = (params as { name?: unknown }).name;
    if (typeof name === "string") names.push(clientText(name, MAX_LOGGED_NAME));
  }
  return names;
}

/**
 * Wraps a middleware that reads the request body itself (Hono's
 * `bodyLimit` reads a chunked body to count it): when reading fails before
 * the middleware hands on (a malformed chunked encoding, an aborted
 * upload), the answer is 400, not a 500 with an error-level log. Errors
 * from later handlers pass through untouched.
 */
export function refuseUnreadableBody(
  reader: MiddlewareHandler<AppEnv>,
): MiddlewareHandler<AppEnv> {
  return async function refuseUnreadableBody(c, next) {
    let handedOn = false;
    try {
      return await reader(c, () => {
        handedOn = true;
        return next();
      });
    } catch (error) {
      if (handedOn) throw error;
      return unreadableBody(c);
    }
  };
}

function unreadableBody(c: Context<AppEnv>): Response {
  c.set("denial", {
    code: "unreadable_body",
    reason: "The body could not be read",
  });
  return c.json(
    {
      error: "bad_request",
      error_description:
        "The request body could not be read (malformed or incomplete)",
    },
    400,
    { Connection: "close" },
  );
}
