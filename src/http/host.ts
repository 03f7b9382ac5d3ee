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
import type { AppEnv } from "./env.ts";

const LOOPBACK_HOSTNAMES = ["localhost", "127.0.0.1", "[::1]"];

/** Whether `host` (a bind address) only accepts connections from this machine. */
export function isLoopbackAddress(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" ||
    /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Refuses requests whose `Host` names neither loopback nor the host of
 * `publicUrl` (the MCP URL, on `BASE_URL`'s host), with 403 JSON. Uses the MCP SDK's `validateHostHeader`
 * (port-agnostic hostnames), which is exactly the check the spec asks for.
 */
export function rejectForeignHosts(
  publicUrl: string,
): MiddlewareHandler<AppEnv> {
  const allowed = [
    ...new Set([...LOOPBACK_HOSTNAMES, new URL(publicUrl).hostname]),
  ];
  return async function rejectForeignHost(c, next) {
    const result = validateHostHeader(c.req.header("host"), allowed);
    if (!result.ok) {
      c.set("denial", { code: "forbidden_host", reason: result.errorCode });
      return c.json({
        error: "forbidden_host",
        error_description: result.errorCode === "missing_host"
          ? "A Host header is required"
          : "The Host header names a host this server does not serve",
      }, 403);
    }
    await next();
  };
}
