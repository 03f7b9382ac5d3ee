/**
 * Server settings that do not depend on the provider: where to listen, the
 * MCP path, limits, logging and response shapes.
 *
 * @module
 */

import { addProblem, type Findings, quote, quoteChoices } from "./_findings.ts";
import { type Env, readVar } from "./_read.ts";
import { normalisePath, parseHttpUrl } from "./_urls.ts";
import type {
  Config,
  LogLevel,
  ResponseMode,
  ScopeDenialMode,
} from "./types.ts";

/**
 * The provider-independent part of {@link Config}, read from `HOST`, `PORT`,
 * `MCP_PATH`, `MCP_MAX_BODY_BYTES`, `MCP_CLOCK_SKEW_SECONDS`, `LOG_LEVEL`,
 * `MCP_SCOPE_DENIAL`, `MCP_RESPONSE_MODE`, `MCP_RESOURCE_NAME`,
 * `MCP_RESOURCE_DOCUMENTATION`, `MCP_PROXY_AUTH_SERVER_METADATA` and
 * `MCP_SHUTDOWN_GRACE_SECONDS`; invalid values are reported and replaced by
 * defaults.
 */
export type ServerSettings = Pick<
  Config,
  | "host"
  | "port"
  | "mcpPath"
  | "maxBodyBytes"
  | "clockSkewSeconds"
  | "logLevel"
  | "scopeDenial"
  | "responseMode"
  | "resourceName"
  | "resourceDocumentation"
  | "proxyAuthorizationServerMetadata"
  | "shutdownGraceMs"
>;

/** Defaults of {@link ServerSettings}. */
export const SERVER_DEFAULTS = Object.freeze(
  {
    host: "127.0.0.1",
    port: 3002,
    mcpPath: "/mcp",
    maxBodyBytes: 1_048_576,
    clockSkewSeconds: 30,
    logLevel: "info",
    scopeDenial: "http",
    responseMode: "json",
    proxyAuthorizationServerMetadata: false,
    shutdownGraceSeconds: 10,
  } as const,
);

/** Longest accepted shutdown grace, in seconds: far below the timer limit of about 24 days. */
const MAX_SHUTDOWN_GRACE_SECONDS = 3600;

// Maps, not objects: objects put integer-like keys ("1", "0") first, and
// messages list the choices in this order.
const LOG_LEVELS: ReadonlyMap<string, LogLevel> = new Map([
  ["debug", "debug"],
  ["info", "info"],
  ["warn", "warn"],
  ["warning", "warn"],
  ["error", "error"],
]);

const SCOPE_DENIAL: ReadonlyMap<string, ScopeDenialMode> = new Map([
  ["http", "http"],
  ["tool", "tool"],
]);

const RESPONSE_MODES: ReadonlyMap<string, ResponseMode> = new Map([
  ["json", "json"],
  ["sse", "sse"],
]);

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["false", false],
  ["1", true],
  ["0", false],
  ["yes", true],
  ["no", false],
]);

/** Reads the provider-independent settings, reporting every bad value. */
export function readServerSettings(
  env: Env,
  findings: Findings,
): ServerSettings {
  const resourceName = readVar(env, "MCP_RESOURCE_NAME");
  const resourceDocumentation = readDocumentation(env, findings);
  return {
    host: readHost(env, findings),
    port: readInteger(env, findings, "PORT", {
      min: 0,
      max: 65_535,
      fallback: SERVER_DEFAULTS.port,
    }),
    mcpPath: readMcpPath(env, findings),
    maxBodyBytes: readInteger(env, findings, "MCP_MAX_BODY_BYTES", {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      fallback: SERVER_DEFAULTS.maxBodyBytes,
    }),
    clockSkewSeconds: readInteger(env, findings, "MCP_CLOCK_SKEW_SECONDS", {
      min: 0,
      max: 300,
      fallback: SERVER_DEFAULTS.clockSkewSeconds,
    }),
    logLevel: readChoice(
      env,
      findings,
      "LOG_LEVEL",
      LOG_LEVELS,
      SERVER_DEFAULTS.logLevel,
    ),
    scopeDenial: readChoice(
      env,
      findings,
      "MCP_SCOPE_DENIAL",
      SCOPE_DENIAL,
      SERVER_DEFAULTS.scopeDenial,
    ),
    responseMode: readChoice(
      env,
      findings,
      "MCP_RESPONSE_MODE",
      RESPONSE_MODES,
      SERVER_DEFAULTS.responseMode,
    ),
    ...(resourceName === undefined ? {} : { resourceName }),
    ...(resourceDocumentation === undefined ? {} : { resourceDocumentation }),
    proxyAuthorizationServerMetadata: readChoice(
      env,
      findings,
      "MCP_PROXY_AUTH_SERVER_METADATA",
      BOOLEANS,
      SERVER_DEFAULTS.proxyAuthorizationServerMetadata,
    ),
    shutdownGraceMs: readShutdownGraceMs(env, findings),
  };
}

function readHost(env: Env, findings: Findings): string {
  const host = readVar(env, "HOST");
  if (host === undefined) return SERVER_DEFAULTS.host;
  // A URL or a host:port here is a common slip; Deno.serve would fail later
  // with a less helpful message.
  if (/[\s/?#@]/.test(host)) {
    addProblem(
      findings,
      "HOST",
      `HOST must be a host name or IP address to listen on, such as "127.0.0.1" or "0.0.0.0", not ${
        quote(host)
      }; put the public URL in BASE_URL`,
    );
    return SERVER_DEFAULTS.host;
  }
  return host;
}

interface IntegerRange {
  readonly min: number;
  readonly max: number;
  readonly fallback: number;
}

function readInteger(
  env: Env,
  findings: Findings,
  variable: string,
  range: IntegerRange,
): number {
  const raw = readVar(env, variable);
  if (raw === undefined) return range.fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= range.min && value <= range.max) {
    return value;
  }
  const bounds = range.max === Number.MAX_SAFE_INTEGER
    ? `a whole number of at least ${range.min}`
    : `a whole number from ${range.min} to ${range.max}`;
  addProblem(
    findings,
    variable,
    `${variable} must be ${bounds}, not ${quote(raw)}`,
  );
  return range.fallback;
}

function readChoice<T>(
  env: Env,
  findings: Findings,
  variable: string,
  choices: ReadonlyMap<string, T>,
  fallback: T,
): T {
  const raw = readVar(env, variable);
  if (raw === undefined) return fallback;
  const value = choices.get(raw.toLowerCase());
  if (value !== undefined) return value;
  addProblem(
    findings,
    variable,
    `${variable} must be ${quoteChoices([...choices.keys()])}, not ${
      quote(raw)
    }`,
  );
  return fallback;
}

function readMcpPath(env: Env, findings: Findings): string {
  const raw = readVar(env, "MCP_PATH");
  if (raw === undefined) return SERVER_DEFAULTS.mcpPath;
  if (!raw.startsWith("/")) {
    addProblem(
      findings,
      "MCP_PATH",
      `MCP_PATH must start with "/", such as "/mcp", not ${quote(raw)}`,
    );
    return SERVER_DEFAULTS.mcpPath;
  }
  const path = normalisePath(raw) || "/";
  // The path must survive URL parsing unchanged, or the endpoint we serve
  // and the URL we advertise would differ.
  const parsed = new URL(path, "http://localhost");
  if (parsed.pathname !== path || parsed.search !== "" || parsed.hash !== "") {
    addProblem(
      findings,
      "MCP_PATH",
      `MCP_PATH must be a plain URL path such as "/mcp", without a query, fragment, "." or ".." segments or characters that need percent-encoding, not ${
        quote(raw)
      }`,
    );
    return SERVER_DEFAULTS.mcpPath;
  }
  return path;
}

function readDocumentation(env: Env, findings: Findings): string | undefined {
  const raw = readVar(env, "MCP_RESOURCE_DOCUMENTATION");
  if (raw === undefined) return undefined;
  const result = parseHttpUrl(raw, "MCP_RESOURCE_DOCUMENTATION", {
    example: "https://docs.example.com/mcp",
  });
  if (!result.ok) {
    addProblem(findings, "MCP_RESOURCE_DOCUMENTATION", result.message);
    return undefined;
  }
  return result.url.href;
}

function readShutdownGraceMs(env: Env, findings: Findings): number {
  const variable = "MCP_SHUTDOWN_GRACE_SECONDS";
  const raw = readVar(env, variable);
  if (raw === undefined) return SERVER_DEFAULTS.shutdownGraceSeconds * 1000;
  const seconds = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (seconds > 0 && seconds <= MAX_SHUTDOWN_GRACE_SECONDS) {
    return Math.max(1, Math.round(seconds * 1000));
  }
  addProblem(
    findings,
    variable,
    `${variable} must be a number of seconds above 0 and at most ${MAX_SHUTDOWN_GRACE_SECONDS}, such as "10" or "2.5", not ${
      quote(raw)
    }`,
  );
  return SERVER_DEFAULTS.shutdownGraceSeconds * 1000;
}
