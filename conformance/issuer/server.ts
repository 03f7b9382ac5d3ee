/**
 * Serves a mock issuer on a real socket.
 *
 * @module
 */

import type { MockIssuer, MockIssuerOptions } from "./types.ts";
import {
  assembleIssuer,
  type InProcessMockIssuer,
  prepareIssuer,
} from "./issuer.ts";

/**
 * Starts a mock Scalekit environment on `127.0.0.1` (a free port unless
 * `options.port` is set) and resolves once it is listening. Call `close()`
 * to stop it.
 *
 * @example
 * ```ts
 * import { startMockIssuer } from "./mod.ts";
 *
 * const issuer = await startMockIssuer();
 * const token = await issuer.mint({ scopes: ["todo:read"] });
 * const response = await fetch(`${issuer.url}/keys`);
 * console.log(response.status, token.split(".").length); // 200 3
 * await issuer.close();
 * ```
 */
export async function startMockIssuer(
  options: MockIssuerOptions = {},
): Promise<MockIssuer> {
  const prepared = await prepareIssuer(options);
  const controller = new AbortController();
  // Requests can only arrive once the server is bound, and the issuer needs
  // the bound port for its URL: the handler finds it here.
  const ready: { issuer?: InProcessMockIssuer } = {};
  const server = Deno.serve(
    {
      hostname: prepared.settings.hostname,
      port: prepared.settings.port,
      signal: controller.signal,
      onListen() {},
    },
    (request) =>
      ready.issuer === undefined
        ? new Response("Starting", { status: 503 })
        : ready.issuer.fetch(request),
  );
  let closing: Promise<void> | undefined;
  ready.issuer = assembleIssuer(prepared, urlOf(server.addr), () => {
    closing ??= (async () => {
      controller.abort();
      await server.finished;
    })();
    return closing;
  });
  return ready.issuer;
}

function urlOf(addr: Deno.NetAddr): string {
  // A wildcard bind is reached through loopback; IPv6 needs brackets.
  const host = addr.hostname === "0.0.0.0"
    ? "127.0.0.1"
    : addr.hostname === "::"
    ? "[::1]"
    : addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `http://${host}:${addr.port}`;
}
