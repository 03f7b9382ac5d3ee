/**
 * DNS-rebinding protection for the MCP endpoint: browsers send `Origin`, and
 * only trusted origins may call (MCP transports: servers MUST validate it).
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether a browser origin may call the MCP endpoint: one of `allowed`
 * exactly, or a loopback origin (`http(s)://localhost|127.x.x.x|[::1]`, any
 * port), which local clients such as MCP Inspector use.
 */
export function isAllowedOrigin(
  origin: string,
  allowed: readonly string[],
): boolean {
  if (allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (url.origin !== origin) return false;
  return LOOPBACK_HOSTS.has(url.hostname) ||
    /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

/** Refuses requests whose `Origin` is not allowed with 403 JSON. */
export function rejectForeignOrigins(
  allowed: readonly string[],
): MiddlewareHandler<AppEnv> {
  return async function rejectForeignOrigin(c, next) {
    const origin = c.req.header("origin");
    if (origin !== undefined && !isAllowedOrigin(origin, allowed)) {
      c.set("denial", {
        code: "forbidden_origin",
        reason: "Origin not allowed",
      });
      return c.json({
        error: "forbidden_origin",
        error_description: `Origin "${origin.slice(0, 200)}" is not allowed`,
      }, 403);
    }
    await next();
  };
}
