/**
 * The MCP endpoint's POST handler: parses the JSON-RPC body, refuses tool
 * calls whose scopes the token lacks (403 step-up, by default), then hands
 * the request to the MCP handler.
 *
 * @module
 */

import type { Handler } from "hono";
import type { ChallengeContext } from "../auth/challenge.ts";
import { AuthError } from "../auth/errors.ts";
import type { ScopeDenialMode } from "../config/types.ts";
import type { McpHandler } from "../mcp/handler.ts";
import { isToolName, missingScopes, TOOL_SCOPES } from "../tools/scopes.ts";
import type { AppEnv } from "./env.ts";
import { deny } from "./require_bearer.ts";

/** Options for {@link handleMcpPost}. */
export interface McpPostOptions {
  /** Answers MCP requests. */
  readonly handler: McpHandler;
  /** Metadata URL and required scopes, for 403 challenges. */
  readonly challenge: ChallengeContext;
  /** `http`: 403 for a tool call without its scopes; `tool`: leave it to the tool. */
  readonly scopeDenial: ScopeDenialMode;
}

/** Builds the POST handler. Expects `identity` to be set by authentication. */
export function handleMcpPost(options: McpPostOptions): Handler<AppEnv> {
  const { handler, challenge, scopeDenial } = options;
  return async function mcpPost(c) {
    const identity = c.get("identity");
    if (identity === undefined) {
      throw new Error("The MCP route needs authentication to run first");
    }
    // Reading can fail too (a client that aborts its upload): that is not a
    // parse error, so only the parse is caught here.
    const text = await c.req.text();
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
    const tools = toolCallsIn(body);
    c.set("tools", tools);
    if (scopeDenial === "http") {
      const needed = scopesNeeded(tools, identity.scopes, challenge);
      if (needed.length > 0) {
        return deny(
          c,
          new AuthError(
            "insufficient_scope",
            `The token lacks scopes this call needs: ${
              missingScopes(needed, identity.scopes).join(", ")
            }`,
            { requiredScopes: needed },
          ),
          challenge,
        );
      }
    }
    return await handler(c.req.raw, body, identity, {
      onScopeDenied: (tool, missing) =>
        c.set("denial", {
          code: "insufficient_scope",
          reason: `Tool "${tool}" needs ${missing.join(", ")}`,
        }),
    });
  };
}

/** Names of the tools a JSON-RPC message (or batch) calls. */
export function toolCallsIn(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((message) => {
    if (typeof message !== "object" || message === null) return [];
    const { method, params } = message as {
      method?: unknown;
      params?: unknown;
    };
    if (
      method !== "tools/call" || typeof params !== "object" || params === null
    ) {
      return [];
    }
    const name = (params as { name?: unknown }).name;
    return typeof name === "string" ? [name] : [];
  });
}

/**
 * Every scope the refused calls need (each refused tool's scopes plus the
 * server's required scopes), so one step-up grants them all; empty when the
 * token already has what every call needs.
 */
function scopesNeeded(
  tools: readonly string[],
  granted: readonly string[],
  challenge: ChallengeContext,
): string[] {
  const needed = tools
    .filter(isToolName)
    .map((name) => TOOL_SCOPES[name])
    .filter((scopes) => missingScopes(scopes, granted).length > 0)
    .flat();
  return needed.length === 0
    ? []
    : [...new Set([...challenge.requiredScopes, ...needed])];
}
