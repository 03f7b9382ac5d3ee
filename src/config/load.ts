/**
 * Turns an environment record into the frozen {@link Config}: every problem
 * is collected and thrown together as a {@link ConfigError}; warnings are
 * returned for the caller to log.
 *
 * @module
 */

import { deepFreeze } from "./_freeze.ts";
import { addProblem, createFindings, type Findings } from "./_findings.ts";
import type { Env } from "./_read.ts";

/** The variables `loadConfig` reads: a plain record of strings. */
export type { Env };
import {
  type BaseUrlSource,
  type Endpoint,
  resolveEndpoint,
  warnIfInsecure,
} from "./endpoint.ts";
import { ConfigError } from "./errors.ts";
import { readJwtAuth, readJwtBaseUrl } from "./jwt.ts";
import { readNoAuth, readNoAuthBaseUrl } from "./none.ts";
import { readAllowedOrigins } from "./origins.ts";
import { selectProvider } from "./provider.ts";
import { readScalekitAuth, readScalekitBaseUrl } from "./scalekit.ts";
import { readServerSettings, type ServerSettings } from "./server.ts";
import type {
  AuthConfig,
  Config,
  ConfigWarning,
  ProviderKind,
} from "./types.ts";

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  /** The configuration, deeply frozen. */
  readonly config: Config;
  /** Things the operator should fix or know, each at most once; log them at start. */
  readonly warnings: readonly ConfigWarning[];
}

/**
 * Parses the environment into a deeply frozen {@link Config}. The record is
 * only read, never changed; blank values count as unset.
 *
 * @param env the variables, e.g. from `readEnv()`
 * @returns the configuration and any warnings
 * @throws {ConfigError} with every problem found, one line each in `message`
 *
 * @example
 * ```ts
 * import { loadConfig } from "./load.ts";
 *
 * const { config, warnings } = loadConfig({
 *   SCALEKIT_ENVIRONMENT_URL: "https://your-env.scalekit.com",
 *   SCALEKIT_RESOURCE_ID: "res_123",
 *   BASE_URL: "https://mcp.example.com",
 * });
 * config.mcpUrl; // "https://mcp.example.com/mcp"
 * warnings.length; // 0
 * ```
 */
export function loadConfig(env: Env): LoadedConfig {
  const findings = createFindings();
  const provider = selectProvider(env, findings);
  const server = readServerSettings(env, findings);

  const source = readBaseUrl(provider, env, server, findings);
  const endpoint = source === undefined
    ? undefined
    : resolveEndpoint(source, server.mcpPath, findings);
  const auth = readAuth(provider, env, server, endpoint, findings);
  if (
    source !== undefined && endpoint !== undefined &&
    (provider === "scalekit" || provider === "jwt")
  ) {
    warnIfInsecure(source, endpoint, findings);
  }
  const allowedOrigins = readAllowedOrigins(env, endpoint?.baseUrl, findings);
  if (provider === "none" && server.proxyAuthorizationServerMetadata) {
    addProblem(
      findings,
      "MCP_PROXY_AUTH_SERVER_METADATA",
      `MCP_PROXY_AUTH_SERVER_METADATA is on but FASTMCP_SERVER_AUTH is "none", so there is no authorization server to forward; turn it off or choose "scalekit" or "jwt"`,
    );
  }

  if (findings.problems.length > 0) throw new ConfigError(findings.problems);
  if (endpoint === undefined || auth === undefined) {
    // Every path that leaves these undefined records a problem first.
    throw new Error("Configuration incomplete without a recorded problem");
  }

  const config: Config = {
    auth,
    baseUrl: endpoint.baseUrl,
    mcpPath: server.mcpPath,
    mcpUrl: endpoint.mcpUrl,
    resourceMetadataUrl: endpoint.resourceMetadataUrl,
    host: server.host,
    port: server.port,
    allowedOrigins,
    maxBodyBytes: server.maxBodyBytes,
    clockSkewSeconds: server.clockSkewSeconds,
    logLevel: server.logLevel,
    scopeDenial: server.scopeDenial,
    responseMode: server.responseMode,
    ...(server.resourceName === undefined
      ? {}
      : { resourceName: server.resourceName }),
    ...(server.resourceDocumentation === undefined
      ? {}
      : { resourceDocumentation: server.resourceDocumentation }),
    proxyAuthorizationServerMetadata: server.proxyAuthorizationServerMetadata,
    shutdownGraceMs: server.shutdownGraceMs,
  };
  return deepFreeze({ config, warnings: [...findings.warnings] });
}

function readBaseUrl(
  provider: ProviderKind | undefined,
  env: Env,
  server: ServerSettings,
  findings: Findings,
): BaseUrlSource | undefined {
  switch (provider) {
    case "scalekit":
      return readScalekitBaseUrl(env, findings);
    case "jwt":
      return readJwtBaseUrl(env, server, findings);
    case "none":
    case undefined:
      // Without a provider (already a problem) BASE_URL is still checked,
      // so every problem is reported at once.
      return readNoAuthBaseUrl(env, server);
  }
}

function readAuth(
  provider: ProviderKind | undefined,
  env: Env,
  server: ServerSettings,
  endpoint: Endpoint | undefined,
  findings: Findings,
): AuthConfig | undefined {
  switch (provider) {
    case "scalekit":
      return readScalekitAuth(env, endpoint?.mcpUrl, findings);
    case "jwt":
      return readJwtAuth(env, endpoint?.mcpUrl, findings);
    case "none":
      return readNoAuth(server, endpoint?.mcpUrl, findings);
    case undefined:
      return undefined;
  }
}
