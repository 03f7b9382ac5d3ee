/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): how a client that knows
 * only the MCP URL finds the authorization server.
 *
 * @module
 */

import type { Handler } from "hono";
import type { ScopePolicy } from "../authz/policy.ts";
import type { Config, TokenAuthConfig } from "../config/types.ts";
import type { AppEnv } from "./env.ts";

/** The RFC 9728 §2 document this server publishes. */
export interface ProtectedResourceMetadata {
  /** The exact MCP endpoint URL. */
  readonly resource: string;
  /** Where clients get tokens. */
  readonly authorization_servers: readonly string[];
  /** Required scopes plus every scope an operation needs; never empty, never `offline_access`. */
  readonly scopes_supported: readonly string[];
  /** Tokens are accepted in the `Authorization` header only. */
  readonly bearer_methods_supported: readonly ["header"];
  /** Optional human-readable name. */
  readonly resource_name?: string;
  /** Optional documentation URL. */
  readonly resource_documentation?: string;
}

/**
 * Builds the metadata document. `scopes_supported` is the policy's: the
 * required scopes first, then the scope table's, so it is never empty (an
 * empty list broke VS Code with FastMCP).
 *
 * The SDK's `buildOAuthProtectedResourceMetadata` is not used: it takes a
 * single authorization server and no `bearer_methods_supported`, and the JWT
 * provider may trust several.
 */
export function protectedResourceMetadata(
  config: Config,
  auth: TokenAuthConfig,
  policy: ScopePolicy,
): ProtectedResourceMetadata {
  return Object.freeze({
    resource: config.mcpUrl,
    authorization_servers: Object.freeze([...auth.authorizationServers]),
    scopes_supported: policy.supported,
    bearer_methods_supported: Object.freeze(["header"] as const),
    ...(config.resourceName ? { resource_name: config.resourceName } : {}),
    ...(config.resourceDocumentation
      ? { resource_documentation: config.resourceDocumentation }
      : {}),
  });
}

/**
 * Serves the document as JSON at its well-known paths. It is public and
 * changes only with the configuration, so clients and proxies may cache it
 * for an hour.
 */
export function serveResourceMetadata(
  document: ProtectedResourceMetadata,
): Handler<AppEnv> {
  return function resourceMetadata(c) {
    c.header("Cache-Control", "public, max-age=3600");
    return c.json(document);
  };
}
