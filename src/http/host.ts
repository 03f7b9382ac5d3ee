/**
 * DNS-rebinding protection for a server bound to loopback: a browser page
 * on an attacker's domain that resolves to 127.0.0.1 sends its own host
 * name in `Host`, so only loopback names and the public `BASE_URL` host are
 * accepted (MCP Streamable HTTP transport, "Security Warning"). A request
 * without `Host` is refused too.
 *
 * @module
 */

import { validateHostHeader } from "@modelcontextprotocol/server";
import type { MiddlewareHandler } from "hono";
import { isLoopbackHost } from "../net/loopback.ts";
import type { AppEnv } from "./env.ts";

/**
 * Refuses requests whose `Host` names neither loopback nor the host of
 * `publicUrl` (the MCP URL, on `BASE_URL`'s host), with 403 JSON. The MCP
 * SDK's `validateHostHeader` parses the header (port-agnostic hostnames);
 * loopback is what `src/net/loopback.ts` says it is.
 */
export function rejectForeignHosts(
  publicUrl: string,
): MiddlewareHandler<AppEnv> {
  const allowed = [new URL(publicUrl).hostname];
  // The verdict depends on the header alone, and clients send one or two
  // values: the last accepted one skips the parse.
  let accepted: string | undefined;
  return async function rejectForeignHost(c, next) {
    const host = c.req.header("host");
    if (host !== undefined && host === accepted) return await next();
    const result = validateHostHeader(host, allowed);
    const loopback = !result.ok && result.errorCode === "invalid_host" &&
      result.hostname !== undefined && isLoopbackHost(result.hostname);
    if (!result.ok && !loopback) {
      c.set("denial", { code: "forbidden_host", reason: result.errorCode });
      return c.json({
        error: "forbidden_host",
        error_description: result.errorCode === "missing_host"
          ? "A Host header is required"
          : "The Host header names a host this server does not serve",
      }, 403);
    }
    accepted = host;
    await next();
  };
}
