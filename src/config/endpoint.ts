/**
 * The public base URL and the MCP endpoint derived from it: one place that
 * decides how BASE_URL and MCP_PATH combine, so the endpoint we serve, the
 * RFC 9728 `resource` and the token audience are the same string.
 *
 * @module
 */

import { addProblem, addWarning, type Findings, quote } from "./_findings.ts";
import type { Setting } from "./_read.ts";
import {
  hostForUrl,
  isLoopbackHost,
  normalisePath,
  parseHttpUrl,
  wellKnownUrl,
} from "./_urls.ts";
import type { ServerSettings } from "./server.ts";

/** Where the base URL came from. */
export interface BaseUrlSource extends Setting {
  /** `true` when no variable was set and the URL was built from HOST and PORT. */
  readonly derived: boolean;
}

/** The public URLs of the server. */
export interface Endpoint {
  /** Origin plus any path, no trailing slash, MCP path removed if it was included. */
  readonly baseUrl: string;
  /** `baseUrl` + MCP path: the RFC 9728 `resource`. */
  readonly mcpUrl: string;
  /** The path-suffixed protected resource metadata URL (RFC 9728 §3.1). */
  readonly resourceMetadataUrl: string;
}

/**
 * The base URL used when none is configured: `http://<HOST>:<PORT>`, with
 * `localhost` for a wildcard HOST. Reported as coming from `variable`.
 */
export function derivedBaseUrl(
  server: Pick<ServerSettings, "host" | "port">,
  variable = "BASE_URL",
): BaseUrlSource {
  return {
    variable,
    value: `http://${hostForUrl(server.host)}:${server.port}`,
    derived: true,
  };
}

/**
 * Combines a base URL with the MCP path. Slashes are normalised
 * (`http://h:1` and `http://h:1/` both give `http://h:1/mcp`), a path in the
 * base URL is kept (`https://x.com/api/` gives `https://x.com/api/mcp`), and
 * a base URL that already ends in the MCP path is not doubled: it is cut off
 * with an `mcp_path_in_base_url` warning. Returns `undefined` after recording
 * a problem when the base URL is unusable.
 */
export function resolveEndpoint(
  source: BaseUrlSource,
  mcpPath: string,
  findings: Findings,
): Endpoint | undefined {
  const parsed = parseHttpUrl(source.value, source.variable, { bare: true });
  if (!parsed.ok) {
    addProblem(findings, source.variable, parsed.message);
    return undefined;
  }
  const url = parsed.url;
  let path = normalisePath(url.pathname);
  if (mcpPath !== "/" && path.endsWith(mcpPath)) {
    // mcpPath starts with "/", so endsWith() only matches whole segments.
    path = path.slice(0, -mcpPath.length);
    addWarning(findings, {
      code: "mcp_path_in_base_url",
      variable: source.variable,
      message: `${source.variable} ${
        quote(source.value)
      } already ends in the MCP path ${quote(mcpPath)}; using ${
        quote(url.origin + path)
      } as the base URL so the endpoint is not doubled; set ${source.variable} without ${
        quote(mcpPath)
      }`,
    });
  }
  const baseUrl = url.origin + path;
  const mcpUrl = mcpPath === "/" ? `${baseUrl}/` : baseUrl + mcpPath;
  return {
    baseUrl,
    mcpUrl,
    resourceMetadataUrl: wellKnownUrl(mcpUrl, "oauth-protected-resource"),
  };
}

/**
 * Warns (`insecure_base_url`) when the public URL is plain http on a host
 * that is not loopback: OAuth 2.1 (§1.5) requires TLS for every endpoint
 * that carries tokens.
 */
export function warnIfInsecure(
  source: BaseUrlSource,
  endpoint: Endpoint,
  findings: Findings,
): void {
  const url = new URL(endpoint.baseUrl);
  if (url.protocol !== "http:" || isLoopbackHost(url.hostname)) return;
  const what = source.derived
    ? `${source.variable} is not set, so the public URL is ${
      quote(endpoint.baseUrl)
    }, which`
    : `${source.variable} ${quote(source.value)}`;
  addWarning(findings, {
    code: "insecure_base_url",
    variable: source.variable,
    message:
      `${what} uses plain http on a host that is not loopback; OAuth 2.1 requires HTTPS, so bearer tokens would cross the network in clear text: set ${source.variable} to the public https URL`,
  });
}
