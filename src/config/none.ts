/**
 * Running without authentication: allowed on a loopback address only, and
 * always announced with a `no_authentication` warning.
 *
 * @module
 */

import { addProblem, addWarning, type Findings, quote } from "./_findings.ts";
import { type Env, readVar } from "./_read.ts";
import { isLoopbackHost } from "./_urls.ts";
import { type BaseUrlSource, derivedBaseUrl } from "./endpoint.ts";
import type { ServerSettings } from "./server.ts";
import type { NoAuthConfig } from "./types.ts";

/** The base URL without authentication: `BASE_URL`, else `http://<HOST>:<PORT>`. */
export function readNoAuthBaseUrl(
  env: Env,
  server: Pick<ServerSettings, "host" | "port">,
): BaseUrlSource {
  const value = readVar(env, "BASE_URL");
  return value === undefined
    ? derivedBaseUrl(server)
    : { variable: "BASE_URL", value, derived: false };
}

/**
 * The `none` provider, refused (a problem on FASTMCP_SERVER_AUTH) unless
 * HOST is a loopback address. `mcpUrl` is only used in the warning.
 */
export function readNoAuth(
  server: Pick<ServerSettings, "host">,
  mcpUrl: string | undefined,
  findings: Findings,
): NoAuthConfig | undefined {
  if (!isLoopbackHost(server.host)) {
    addProblem(
      findings,
      "FASTMCP_SERVER_AUTH",
      `FASTMCP_SERVER_AUTH is "none", which is only allowed when HOST is a loopback address (127.0.0.1, ::1 or localhost), but HOST is ${
        quote(server.host)
      }; set FASTMCP_SERVER_AUTH to "scalekit" or "jwt", or set HOST to "127.0.0.1"`,
    );
    return undefined;
  }
  const where = mcpUrl === undefined ? "the MCP endpoint" : quote(mcpUrl);
  addWarning(findings, {
    code: "no_authentication",
    variable: "FASTMCP_SERVER_AUTH",
    message:
      `AUTHENTICATION IS OFF (FASTMCP_SERVER_AUTH is "none"): anything that can reach ${where} can call every tool without a token; use this for local development only`,
  });
  return { kind: "none", requiredScopes: [] };
}
