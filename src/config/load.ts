/**
 * Turns an environment record into the frozen {@link Config}: the settings
 * table is read (`table.ts`), then the endpoint and the provider's token
 * rules are derived from it. Every problem is collected and thrown together
 * as a {@link ConfigError}; warnings are returned for the caller to log.
 *
 * @module
 */

import {
  addProblem,
  addWarning,
  createFindings,
  type Findings,
  quote,
} from "./_findings.ts";
import {
  hostForUrl,
  isLoopbackHost,
  normalisePath,
  wellKnownUrl,
} from "./_urls.ts";
import { ConfigError, type ConfigProblem } from "./errors.ts";
import { httpUrl, httpUrlProblem } from "./parsers.ts";
import {
  currentNames,
  type DescribedSetting,
  describeSetting,
  type Env,
  parseValue,
  readFirst,
  readSettings,
  type Resolved,
  resolveSetting,
  type SettingValues,
} from "./settings.ts";
import {
  AUTH_SETTINGS,
  PROVIDER_SETTING,
  SERVER_SETTINGS,
  SETTINGS,
} from "./table.ts";
import type {
  AuthConfig,
  Config,
  ConfigWarning,
  ProviderKind,
  ServerSettings,
  TokenAuthConfig,
} from "./types.ts";

export type { DescribedSetting, Env };

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  /** The configuration, deeply frozen. */
  readonly config: Config;
  /** Things the operator should fix or know, each at most once; log them at start. */
  readonly warnings: readonly ConfigWarning[];
}

/** What {@link describeConfig} returns: the effective settings, secrets masked. */
export interface ConfigDescription {
  /** The provider, when one could be chosen. */
  readonly provider?: ProviderKind;
  /** The settings that apply to it (every one when there is none), in table order. */
  readonly settings: readonly DescribedSetting[];
  /** Every warning, as {@link loadConfig} returns them. */
  readonly warnings: readonly ConfigWarning[];
  /** Every problem, as {@link loadConfig} throws them; empty when valid. */
  readonly problems: readonly ConfigProblem[];
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
  const { config, findings } = evaluate(env);
  if (findings.problems.length > 0) throw new ConfigError(findings.problems);
  // Every path that leaves the config unbuilt records a problem first.
  if (!config) throw new Error("Configuration incomplete without a problem");
  return deepFreeze({ config, warnings: [...findings.warnings] });
}

/**
 * The effective settings for `env`, with every warning and problem: what
 * `--check-config` prints. Pure; never throws for a bad configuration;
 * secret values never appear in it.
 *
 * @example
 * ```ts
 * import { describeConfig } from "./load.ts";
 *
 * const { settings, problems } = describeConfig({ FASTMCP_SERVER_AUTH: "none" });
 * settings.find((s) => s.key === "port")?.value; // "3002"
 * problems.length; // 0
 * ```
 */
export function describeConfig(env: Env): ConfigDescription {
  const { provider, resolved, derived, findings } = evaluate(env);
  const settings = Object.entries(SETTINGS).flatMap(([key, spec]) => {
    const setting = resolved[key as keyof typeof SETTINGS];
    if (setting.state === "skipped") return [];
    const computed = derived.has(key) ? { value: derived.get(key) } : undefined;
    return [describeSetting(key, spec, setting, computed)];
  });
  return deepFreeze({
    ...(provider && { provider }),
    settings,
    warnings: [...findings.warnings],
    problems: [...findings.problems],
  });
}

/** Everything but the provider, which decides what else is read. */
const AFTER_PROVIDER = { ...AUTH_SETTINGS, ...SERVER_SETTINGS };
type Resolution = { readonly [K in keyof typeof SETTINGS]: Resolved };

/** What the derivations read and record. */
interface Context {
  readonly values: SettingValues<typeof AFTER_PROVIDER>;
  readonly resolved: Resolution;
  readonly findings: Findings;
  /** Values computed from other settings, by key, for descriptions. */
  readonly derived: Map<string, unknown>;
}

function evaluate(env: Env): Omit<Context, "values"> & {
  readonly provider?: ProviderKind;
  /** Absent when a problem stopped it from being built. */
  readonly config?: Config;
} {
  const findings = createFindings();
  const derived = new Map<string, unknown>();
  const chosen = resolveSetting(PROVIDER_SETTING, env, findings);
  const provider = chooseProvider(chosen, env, findings, derived);
  const read = readSettings(AFTER_PROVIDER, env, findings, provider);
  const resolved: Resolution = { provider: chosen, ...read.resolved };
  const c: Context = { values: read.values, resolved, findings, derived };
  if (provider === undefined) return c;

  const source = baseUrlSource(c, provider);
  const endpoint = source && resolveEndpoint(c, source);
  const auth: AuthConfig | undefined = provider === "scalekit"
    ? scalekitAuth(c, endpoint?.mcpUrl)
    : provider === "jwt"
    ? jwtAuth(c, endpoint?.mcpUrl)
    : noAuth(c, endpoint?.mcpUrl);
  if (source && endpoint && provider !== "none") {
    warnIfInsecure(c, source, endpoint.baseUrl);
  }
  let { allowedOrigins, proxyAuthorizationServerMetadata: proxy } = c.values;
  if (resolved.allowedOrigins.state === "unset" && endpoint) {
    allowedOrigins = [new URL(endpoint.baseUrl).origin];
    derived.set("allowedOrigins", allowedOrigins);
  }
  if (provider === "none" && proxy) {
    const variable = SERVER_SETTINGS.proxyAuthorizationServerMetadata.name;
    addProblem(
      findings,
      variable,
      `${variable} is on but FASTMCP_SERVER_AUTH is "none", so there is no authorization server to forward; turn it off or choose "scalekit" or "jwt"`,
    );
  }
  checkBackoff(c);
  if (!endpoint || !auth || !allowedOrigins) return { ...c, provider };
  const server = Object.fromEntries(
    Object.keys(SERVER_SETTINGS).flatMap((key) => {
      const value = c.values[key as keyof typeof SERVER_SETTINGS];
      return value === undefined ? [] : [[key, value]];
    }),
  ) as ServerSettings;
  const { mcpUrl, resourceMetadataUrl } = endpoint;
  const config = {
    auth,
    mcpUrl,
    resourceMetadataUrl,
    allowedOrigins,
    ...server,
  };
  return { ...c, provider, config };
}

/** The JWKS backoff's ceiling cannot be below its floor. */
function checkBackoff(c: Context): void {
  const { jwksBackoffMinMs: min, jwksBackoffMaxMs: max } = c.values;
  if (min <= max) return;
  const { name } = SERVER_SETTINGS.jwksBackoffMaxMs;
  addProblem(
    c.findings,
    name,
    `${name} (${
      max / 1000
    } s) must be at least ${SERVER_SETTINGS.jwksBackoffMinMs.name} (${
      min / 1000
    } s)`,
  );
}

/**
 * `FASTMCP_SERVER_AUTH`, or Scalekit when it is unset and a Scalekit
 * environment URL is set; otherwise a problem.
 */
function chooseProvider(
  chosen: Resolved,
  env: Env,
  findings: Findings,
  derived: Map<string, unknown>,
): ProviderKind | undefined {
  if (chosen.state !== "unset") return chosen.value as ProviderKind | undefined;
  const { name, fastmcp } = AUTH_SETTINGS.environmentUrl;
  if (readFirst(env, [fastmcp, name])) {
    derived.set("provider", "scalekit");
    return "scalekit";
  }
  const variable = PROVIDER_SETTING.fastmcp;
  addProblem(
    findings,
    variable,
    `Set ${variable} to "scalekit", "jwt" or "none", or set ${name} (or ${fastmcp}) to your Scalekit environment URL to use Scalekit`,
  );
}

/** Where the public base URL came from. */
interface BaseUrlSource {
  /** The variable it was read from (or is reported as, when derived). */
  readonly variable: string;
  readonly raw: string;
  readonly url: URL;
  /** Built from HOST and PORT because no variable was set. */
  readonly derived: boolean;
}

/**
 * Scalekit requires a base URL. JWT and `none` derive `http://HOST:PORT`
 * when it is unset, but with PORT 0 JWT cannot: the port is picked at start
 * and the URL is the token audience.
 */
function baseUrlSource(
  c: Context,
  provider: ProviderKind,
): BaseUrlSource | undefined {
  const key = provider === "scalekit"
    ? "scalekitBaseUrl"
    : provider === "jwt"
    ? "jwtBaseUrl"
    : "baseUrl";
  const { state, variable, raw, value } = c.resolved[key];
  if (state === "environment") {
    return { variable, raw, url: value, derived: false } as BaseUrlSource;
  }
  if (state !== "unset" || provider === "scalekit") return undefined;
  const { host, port } = c.values;
  if (provider === "jwt" && port === 0) {
    const spec = AUTH_SETTINGS.jwtBaseUrl;
    const names = currentNames(spec);
    addProblem(
      c.findings,
      spec.fastmcp,
      `Set ${names} to the server's public URL: PORT is 0, so the port is picked at start and the URL (the token audience) cannot be derived`,
    );
    return undefined;
  }
  const built = `http://${hostForUrl(host)}:${port}`;
  const parsed = parseValue(
    { parse: httpUrl({ bare: true }) },
    "BASE_URL",
    built,
    c.findings,
  );
  if (!parsed.ok) return undefined;
  c.derived.set(key, parsed.value);
  return { variable: "BASE_URL", raw: built, url: parsed.value, derived: true };
}

/**
 * Combines the base URL with the MCP path, so the endpoint served, the
 * RFC 9728 `resource` and the token audience are one string. A base URL
 * that already ends in the MCP path is cut (FastMCP would serve
 * `/mcp/mcp`), with a warning.
 */
function resolveEndpoint(c: Context, { url, raw, variable }: BaseUrlSource) {
  const { mcpPath } = c.values;
  let path = normalisePath(url.pathname);
  // mcpPath starts with "/", so endsWith() only matches whole segments.
  if (mcpPath !== "/" && path.endsWith(mcpPath)) {
    path = path.slice(0, -mcpPath.length);
    const [q, qPath, qBase] = [raw, mcpPath, url.origin + path].map(quote);
    addWarning(c.findings, {
      code: "mcp_path_in_base_url",
      variable,
      message:
        `${variable} ${q} already ends in the MCP path ${qPath}; using ${qBase} as the base URL so the endpoint is not doubled; set ${variable} without ${qPath}`,
    });
  }
  const baseUrl = url.origin + path;
  const mcpUrl = mcpPath === "/" ? `${baseUrl}/` : baseUrl + mcpPath;
  const resourceMetadataUrl = wellKnownUrl(mcpUrl, "oauth-protected-resource");
  return { baseUrl, mcpUrl, resourceMetadataUrl };
}

/**
 * Warns when the public URL is plain http on a host that is not loopback:
 * OAuth 2.1 (§1.5) requires TLS wherever tokens travel.
 */
function warnIfInsecure(
  c: Context,
  source: BaseUrlSource,
  baseUrl: string,
): void {
  const url = new URL(baseUrl);
  if (url.protocol !== "http:" || isLoopbackHost(url.hostname)) return;
  const { variable } = source;
  const what = source.derived
    ? `${variable} is not set, so the public URL is ${quote(baseUrl)}, which`
    : `${variable} ${quote(source.raw)}`;
  addWarning(c.findings, {
    code: "insecure_base_url",
    variable,
    message:
      `${what} uses plain http on a host that is not loopback; OAuth 2.1 requires HTTPS, so bearer tokens would cross the network in clear text: set ${variable} to the public https URL`,
  });
}

function scalekitAuth(
  c: Context,
  mcpUrl?: string,
): TokenAuthConfig | undefined {
  const { environmentUrl, resourceId, scalekitRequiredScopes } = c.values;
  if (!environmentUrl || !resourceId || !mcpUrl) return undefined;
  // The per-resource issuer; Scalekit is migrating `iss` from the
  // environment URL to this form, so both are accepted.
  const resourceIssuer = `${environmentUrl}/resources/${resourceId}`;
  return {
    kind: "scalekit",
    // Keys live at the environment level; <env>/resources/<res>/keys is a 404.
    jwksUri: `${environmentUrl}/keys`,
    issuers: [environmentUrl, resourceIssuer],
    audiences: [resourceId, mcpUrl],
    algorithms: ["RS256"],
    requiredScopes: scalekitRequiredScopes ?? [],
    authorizationServers: [resourceIssuer],
    authorizationServerMetadataUrl: wellKnownUrl(
      resourceIssuer,
      "oauth-authorization-server",
    ),
  };
}

/**
 * FastMCP's `JWTVerifier`. The audience defaults to the MCP endpoint URL
 * (RFC 8707: it is always checked); the advertised authorization servers
 * default to the issuers, which must then be http(s) issuer identifiers
 * without query or fragment (RFC 8414 §2).
 */
function jwtAuth(c: Context, mcpUrl?: string): TokenAuthConfig | undefined {
  const { jwksUri, issuers, algorithms, jwtRequiredScopes } = c.values;
  let { authorizationServers, audiences } = c.values;
  if (c.resolved.authorizationServers.state === "unset" && issuers) {
    const variable = AUTH_SETTINGS.issuers.fastmcp;
    const instead = AUTH_SETTINGS.authorizationServers.fastmcp;
    const bad = issuers.filter((i) => httpUrlProblem(i, { bare: true }));
    for (const q of bad.map(quote)) {
      addProblem(
        c.findings,
        variable,
        `${variable} value ${q} is not an http or https URL without query or fragment, so it cannot be advertised as the authorization server; set ${instead} to the authorization server's issuer URL`,
      );
    }
    if (bad.length === 0) {
      c.derived.set("authorizationServers", authorizationServers = issuers);
    }
  }
  if (!jwksUri || !issuers || !mcpUrl || !authorizationServers) return;
  if (!audiences) c.derived.set("audiences", audiences = [mcpUrl]);
  return {
    kind: "jwt",
    jwksUri,
    issuers,
    audiences,
    algorithms,
    requiredScopes: jwtRequiredScopes ?? [],
    authorizationServers,
    authorizationServerMetadataUrl: wellKnownUrl(
      authorizationServers[0],
      "oauth-authorization-server",
    ),
  };
}

/**
 * No authentication: refused unless HOST is a loopback address, and always
 * announced with a `no_authentication` warning.
 */
function noAuth(c: Context, mcpUrl?: string): AuthConfig | undefined {
  const variable = PROVIDER_SETTING.fastmcp;
  const host = quote(c.values.host);
  if (!isLoopbackHost(c.values.host)) {
    addProblem(
      c.findings,
      variable,
      `${variable} is "none", which is only allowed when HOST is a loopback address (127.0.0.1, ::1 or localhost), but HOST is ${host}; set ${variable} to "scalekit" or "jwt", or set HOST to "127.0.0.1"`,
    );
    return undefined;
  }
  const where = mcpUrl ? quote(mcpUrl) : "the MCP endpoint";
  addWarning(c.findings, {
    code: "no_authentication",
    variable,
    message:
      `AUTHENTICATION IS OFF (${variable} is "none"): anything that can reach ${where} can call every tool without a token; use this for local development only`,
  });
  return { kind: "none", requiredScopes: [] };
}

/** Freezes `value` and every object and array reachable from it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
