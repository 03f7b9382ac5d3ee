/**
 * Turns an environment record into the frozen {@link Config}: the settings
 * table is read (`table.ts`), then the endpoint and the provider's token
 * rules are derived from it. Every problem is collected and thrown together
 * as a {@link ConfigError}; warnings are returned for the caller to log.
 *
 * @module
 */

import { isLoopbackHost } from "../net/loopback.ts";
import {
  addProblem,
  addWarning,
  createFindings,
  type Findings,
  quote,
} from "./_findings.ts";
import { hostForUrl, normalisePath, wellKnownUrl } from "./_urls.ts";
import { ConfigError, type ConfigProblem } from "./errors.ts";
import { httpUrl, httpUrlText } from "./parsers.ts";
import { parseDatabaseUrl } from "../store/database_url.ts";
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

/** What the derivations read and record. */
interface Context {
  readonly values: SettingValues<typeof AFTER_PROVIDER>;
  readonly resolved: { readonly [K in keyof typeof SETTINGS]: Resolved };
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
  let provider = chosen.value as ProviderKind | undefined;
  const { name, fastmcp } = AUTH_SETTINGS.environmentUrl;
  if (chosen.state === "unset" && readFirst(env, [fastmcp, name])) {
    derived.set("provider", provider = "scalekit");
  } else if (chosen.state === "unset") {
    addProblem(
      findings,
      PROVIDER_SETTING.fastmcp,
      `Set ${PROVIDER_SETTING.fastmcp} to "scalekit", "jwt" or "none", or set ${name} (or ${fastmcp}) to your Scalekit environment URL to use Scalekit`,
    );
  }
  const read = readSettings(AFTER_PROVIDER, env, findings, provider);
  const resolved = { provider: chosen, ...read.resolved };
  const c: Context = { values: read.values, resolved, findings, derived };
  if (provider === undefined) return c;

  const endpoint = resolveEndpoint(c, provider);
  const auth = { scalekit: scalekitAuth, jwt: jwtAuth, none: noAuth }[provider](
    c,
    endpoint?.mcpUrl,
  );
  let { allowedOrigins } = c.values;
  if (resolved.allowedOrigins.state === "unset" && endpoint) {
    derived.set("allowedOrigins", allowedOrigins = [endpoint.origin]);
  }
  if (provider === "none" && c.values.proxyAuthorizationServerMetadata) {
    const variable = SERVER_SETTINGS.proxyAuthorizationServerMetadata.name;
    addProblem(
      findings,
      variable,
      `${variable} is on but FASTMCP_SERVER_AUTH is "none", so there is no authorization server to forward; turn it off or choose "scalekit" or "jwt"`,
    );
  }
  checkBackoff(c);
  checkSubscriptionCaps(c);
  checkWorkers(c);
  checkMetricsPort(c);
  if (!endpoint || !auth || !allowedOrigins) return { ...c, provider };
  const server = Object.fromEntries(
    Object.entries(c.values).filter(([key]) => key in SERVER_SETTINGS),
  ) as ServerSettings;
  const { mcpUrl, resourceMetadataUrl } = endpoint;
  const config = { auth, mcpUrl, resourceMetadataUrl, allowedOrigins };
  return { ...c, provider, config: { ...config, ...server } };
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
 * Each subscription cap sits inside the next: a caller's cannot exceed its
 * tenant's, nor a tenant's the server's, or the inner cap would never be
 * what refuses, and one caller could take every stream of the server.
 */
function checkSubscriptionCaps(c: Context): void {
  const {
    maxSubscriptions: total,
    maxSubscriptionsPerTenant: tenant,
    maxSubscriptionsPerCaller: caller,
  } = c.values;
  const names = {
    total: SERVER_SETTINGS.maxSubscriptions.name,
    tenant: SERVER_SETTINGS.maxSubscriptionsPerTenant.name,
    caller: SERVER_SETTINGS.maxSubscriptionsPerCaller.name,
  };
  if (tenant > total) {
    addProblem(
      c.findings,
      names.tenant,
      `${names.tenant} (${tenant}) must be at most ${names.total} (${total})`,
    );
  }
  if (caller > tenant) {
    addProblem(
      c.findings,
      names.caller,
      `${names.caller} (${caller}) must be at most ${names.tenant} (${tenant})`,
    );
  }
}

/**
 * The in-memory store lives in one isolate: with several workers each
 * would hold its own todos, and a client would see a different list on
 * every connection. Refused rather than half-working.
 */
function checkWorkers(c: Context): void {
  const { workers, databaseUrl } = c.values;
  if (workers <= 1 || databaseUrl === undefined) return;
  if (parseDatabaseUrl(databaseUrl).kind !== "memory") return;
  const variable = SERVER_SETTINGS.workers.name;
  addProblem(
    c.findings,
    variable,
    `${variable} is ${workers} but ${SERVER_SETTINGS.databaseUrl.name} is "memory:", which one isolate holds alone; set ${variable} to 1, or use SQLite or PostgreSQL`,
  );
}

/** The metrics port cannot be the server's own. */
function checkMetricsPort(c: Context): void {
  const { metricsPort, port } = c.values;
  if (metricsPort === undefined || metricsPort === 0 || metricsPort !== port) {
    return;
  }
  const variable = SERVER_SETTINGS.metricsPort.name;
  addProblem(
    c.findings,
    variable,
    `${variable} (${metricsPort}) must differ from ${SERVER_SETTINGS.port.name}: metrics are served on their own loopback port`,
  );
}

/**
 * The public base URL plus the MCP path, so the endpoint served, the
 * RFC 9728 `resource` and the token audience are one string.
 *
 * Scalekit requires a base URL. JWT and `none` derive `http://HOST:PORT`
 * when it is unset, but with PORT 0 JWT cannot: the port is picked at start
 * and the URL is the token audience. A base URL that already ends in the
 * MCP path is cut (FastMCP would serve `/mcp/mcp`), with a warning; plain
 * http on a host that is not loopback warns too, as OAuth 2.1 (§1.5)
 * requires TLS wherever tokens travel.
 */
function resolveEndpoint(c: Context, provider: ProviderKind) {
  const key = ({
    scalekit: "scalekitBaseUrl",
    jwt: "jwtBaseUrl",
    none: "baseUrl",
  } as const)[provider];
  const { host, port, mcpPath } = c.values;
  let { state, variable = "BASE_URL", raw = "", value: url } = c.resolved[key];
  if (state === "unset" && provider === "jwt" && port === 0) {
    addProblem(
      c.findings,
      AUTH_SETTINGS.jwtBaseUrl.fastmcp,
      `Set ${
        currentNames(AUTH_SETTINGS.jwtBaseUrl)
      } to the server's public URL: PORT is 0, so the port is picked at start and the URL (the token audience) cannot be derived`,
    );
    return undefined;
  }
  const derived = state === "unset" && provider !== "scalekit";
  if (derived) {
    raw = `http://${hostForUrl(host)}:${port}`;
    const parsed = parseValue(
      { parse: httpUrl({ bare: true }) },
      variable,
      raw,
      c.findings,
    );
    if (parsed.ok) c.derived.set(key, url = parsed.value);
  } else if (state !== "environment") return undefined;
  if (!(url instanceof URL)) return undefined;

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
  if (
    provider !== "none" && url.protocol === "http:" &&
    !isLoopbackHost(url.hostname)
  ) {
    const what = derived
      ? `${variable} is not set, so the public URL is ${quote(baseUrl)}, which`
      : `${variable} ${quote(raw)}`;
    addWarning(c.findings, {
      code: "insecure_base_url",
      variable,
      message:
        `${what} uses plain http on a host that is not loopback; OAuth 2.1 requires HTTPS, so bearer tokens would cross the network in clear text: set ${variable} to the public https URL`,
    });
  }
  const mcpUrl = mcpPath === "/" ? `${baseUrl}/` : baseUrl + mcpPath;
  const resourceMetadataUrl = wellKnownUrl(mcpUrl, "oauth-protected-resource");
  return { origin: url.origin, mcpUrl, resourceMetadataUrl };
}

function scalekitAuth(c: Context, mcpUrl?: string): TokenAuthConfig | void {
  const { environmentUrl, resourceId, scalekitRequiredScopes } = c.values;
  if (!environmentUrl || !resourceId || !mcpUrl) return;
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
function jwtAuth(c: Context, mcpUrl?: string): TokenAuthConfig | void {
  const { jwksUri, issuers, algorithms, jwtRequiredScopes } = c.values;
  let { authorizationServers, audiences } = c.values;
  if (c.resolved.authorizationServers.state === "unset" && issuers) {
    const variable = AUTH_SETTINGS.issuers.fastmcp;
    const instead = AUTH_SETTINGS.authorizationServers.fastmcp;
    const issuer = httpUrlText({ bare: true });
    const bad = issuers.filter((i) => !issuer.safeParse(i).success);
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
function noAuth(c: Context, mcpUrl?: string): AuthConfig | void {
  const variable = PROVIDER_SETTING.fastmcp;
  if (!isLoopbackHost(c.values.host)) {
    addProblem(
      c.findings,
      variable,
      `${variable} is "none", which is only allowed when HOST is a loopback address (127.0.0.1, ::1 or localhost), but HOST is ${
        quote(c.values.host)
      }; set ${variable} to "scalekit" or "jwt", or set HOST to "127.0.0.1"`,
    );
    return;
  }
  addWarning(c.findings, {
    code: "no_authentication",
    variable,
    message:
      `AUTHENTICATION IS OFF (${variable} is "none"): anything that can reach ${
        mcpUrl ? quote(mcpUrl) : "the MCP endpoint"
      } can call every tool without a token; use this for local development only`,
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
