/**
 * The environment a server under test needs to trust the mock issuer, in
 * FastMCP's form and in the plain form the Scalekit guides use.
 *
 * @module
 */

import type { RunOptions } from "./options.ts";

/** Both spellings of the same settings. */
export interface ServerEnvironment {
  /** `FASTMCP_SERVER_AUTH` + `FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_*`. */
  readonly fastmcp: Readonly<Record<string, string>>;
  /** `SCALEKIT_ENVIRONMENT_URL`, `SCALEKIT_RESOURCE_ID`, `BASE_URL`, the guides' `MCP_URL` and `SCALEKIT_CLIENT_ID`, … */
  readonly plain: Readonly<Record<string, string>>;
}

const PREFIX = "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_";

/** The client id given to guide-style servers; a resource server never uses it. */
export const GUIDE_CLIENT_ID = "skc_conformance";

/** Variables that a spawned server must not inherit from the runner's shell. */
export const INHERITED_AUTH_VARIABLE =
  /^(FASTMCP_SERVER_AUTH.*|SCALEKIT_.*|BASE_URL|MCP_URL|PORT|HOST)$/;

/** Builds both forms for the issuer at `issuerUrl`. */
export function serverEnvironment(
  issuerUrl: string,
  options: RunOptions,
): ServerEnvironment {
  const scopes = options.requiredScopes.join(",");
  return {
    fastmcp: {
      FASTMCP_SERVER_AUTH:
        "fastmcp.server.auth.providers.scalekit.ScalekitProvider",
      [`${PREFIX}ENVIRONMENT_URL`]: issuerUrl,
      [`${PREFIX}RESOURCE_ID`]: options.resourceId,
      [`${PREFIX}BASE_URL`]: options.baseUrl,
      ...(scopes ? { [`${PREFIX}REQUIRED_SCOPES`]: scopes } : {}),
    },
    plain: {
      SCALEKIT_ENVIRONMENT_URL: issuerUrl,
      SCALEKIT_RESOURCE_ID: options.resourceId,
      BASE_URL: options.baseUrl,
      // The Scalekit guides' servers read the base URL as MCP_URL, with a
      // trailing slash, and pass SCALEKIT_CLIENT_ID to the provider (which
      // ignores it); without them such a server exits at start.
      MCP_URL: `${options.baseUrl.replace(/\/+$/, "")}/`,
      SCALEKIT_CLIENT_ID: GUIDE_CLIENT_ID,
      ...(scopes ? { SCALEKIT_REQUIRED_SCOPES: scopes } : {}),
    },
  };
}

/** `PORT` and `HOST` taken from the MCP URL, so an ordinary server binds where it is called. */
export function listenEnvironment(url: string): Record<string, string> {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return { PORT: port, HOST: parsed.hostname.replace(/^\[|\]$/g, "") };
}

/** Shell `export` lines for the environment, quoted for POSIX shells. */
export function exportLines(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([name, value]) =>
    `export ${name}='${value.replaceAll("'", `'"'"'`)}'`
  );
}
