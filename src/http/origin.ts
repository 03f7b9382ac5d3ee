/**
 * The one browser-origin policy of the MCP endpoint. Servers MUST validate
 * `Origin` and answer 403 when it is present and not allowed (MCP Streamable
 * HTTP transport, "Security Warning": DNS rebinding), and the same rule
 * decides which origins CORS lets read the answers, so the two can never
 * disagree, whatever order the app registers middlewares in.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { isLoopbackHost } from "../net/loopback.ts";
import type { AppEnv } from "./env.ts";
import { withHeader } from "./_response_headers.ts";

/**
 * Request headers a browser MCP client may send cross-origin: the token,
 * the JSON-RPC body's type, and the transport's own headers
 * (`Mcp-Protocol-Version` after initialisation, 2025-06-18 and later;
 * `Mcp-Method` and `Mcp-Name` on every 2026-07-28 request, "Standard
 * Request Headers"). `Mcp-Param-*` headers are sent only for tools that
 * declare `x-mcp-header`, and none here does.
 */
export const MCP_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "Authorization",
  "Content-Type",
  "Accept",
  "Mcp-Protocol-Version",
  "Mcp-Method",
  "Mcp-Name",
  "Mcp-Session-Id",
  "Last-Event-ID",
]);

/**
 * Response headers a browser client must be able to read: the challenge
 * (RFC 6750 §3, RFC 9728 §5.1) and the transport's headers.
 */
export const MCP_EXPOSED_HEADERS: readonly string[] = Object.freeze([
  "WWW-Authenticate",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
]);

/**
 * Whether a browser origin may call the MCP endpoint: one of `allowed`
 * exactly, or an http(s) origin on a loopback host (any port), which local
 * clients such as MCP Inspector use.
 */
export function isAllowedOrigin(
  origin: string,
  allowed: readonly string[],
): boolean {
  if (allowed.includes(origin)) return true;
  const url = URL.parse(origin);
  if (url === null || url.origin !== origin) return false;
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return isLoopbackHost(url.hostname);
}

/**
 * Refuses a request whose `Origin` is not allowed with 403 JSON, and gives
 * an allowed one CORS headers (preflights included; they need no token).
 * A request without `Origin` is not from a browser page and passes.
 */
export function guardOrigins(
  allowed: readonly string[],
): MiddlewareHandler<AppEnv> {
  const withCors = cors({
    origin: (origin) => isAllowedOrigin(origin, allowed) ? origin : null,
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: [...MCP_REQUEST_HEADERS],
    exposeHeaders: [...MCP_EXPOSED_HEADERS],
    maxAge: 600,
  });
  return async function guardOrigin(c, next) {
    const origin = c.req.header("origin");
    if (origin === undefined) {
      // Not a browser page: no CORS headers to add (Hono's `cors` would
      // build the response early to add `Access-Control-Expose-Headers`,
      // which only a CORS response uses). The answer still varies with
      // Origin, so caches are told so (Fetch standard, "CORS protocol and
      // HTTP caches").
      await next();
      const answer = withHeader(c.res, "Vary", "Origin", { append: true });
      if (answer !== c.res) c.res = answer;
      return;
    }
    if (!isAllowedOrigin(origin, allowed)) {
      c.set("denial", {
        code: "forbidden_origin",
        reason: "Origin not allowed",
      });
      return c.json({
        error: "forbidden_origin",
        error_description: `Origin "${origin.slice(0, 200)}" is not allowed`,
      }, 403);
    }
    return await withCors(c, next);
  };
}
