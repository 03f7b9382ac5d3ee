/**
 * {@link MockIssuerOptions} checked once and merged with their defaults.
 *
 * @module
 */

import type {
  MockIssuerOptions,
  ResourceRegistration,
  TestUser,
} from "./types.ts";
import { DEFAULT_RESOURCE, resourceProblems } from "./resources.ts";

/** The user logged in when the options name none. */
export const DEFAULT_USER: TestUser = Object.freeze({
  id: "usr_conformance",
  organizationId: "org_conformance",
  email: "conformance@example.com",
});

/** Options with every default filled in, frozen. */
export interface IssuerSettings {
  /** Address to bind. */
  readonly hostname: string;
  /** Port to bind; 0 for a free one. */
  readonly port: number;
  /** Resources, first is the default. */
  readonly resources: readonly ResourceRegistration[];
  /** Auto-login user. */
  readonly user: TestUser;
  /** Access token lifetime, seconds. */
  readonly accessTokenTtlSeconds: number;
  /** Refresh token lifetime, seconds. */
  readonly refreshTokenTtlSeconds: number;
  /** State file, if any. */
  readonly statePath: string | undefined;
  /** Clock, milliseconds since the epoch. */
  readonly now: () => number;
  /** `iss` form of issued tokens. */
  readonly issuerForm: "environment" | "resource";
  /** Fetch for client ID metadata documents. */
  readonly fetch: typeof fetch;
  /** Time limit per client ID metadata document, milliseconds. */
  readonly clientMetadataTimeoutMs: number;
  /** How the authorization endpoint gets consent. */
  readonly consent: "auto" | "prompt";
}

/**
 * Checks the options and fills in defaults. Throws a `TypeError` naming
 * every problem at once.
 */
export function resolveOptions(
  options: MockIssuerOptions = {},
): IssuerSettings {
  const problems: string[] = [];
  const resources = options.resources ?? [DEFAULT_RESOURCE];
  problems.push(...resourceProblems(resources));
  const user = options.user ?? DEFAULT_USER;
  if (typeof user.id !== "string" || user.id === "") {
    problems.push("user.id must be a non-empty string");
  }
  if (typeof user.organizationId !== "string" || user.organizationId === "") {
    problems.push("user.organizationId must be a non-empty string");
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`port must be an integer from 0 to 65535, not ${port}`);
  }
  const hostname = options.hostname ?? "127.0.0.1";
  if (hostname === "") problems.push("hostname must not be empty");
  const accessTokenTtlSeconds = positive(
    "accessTokenTtlSeconds",
    options.accessTokenTtlSeconds ?? 3600,
    problems,
  );
  const refreshTokenTtlSeconds = positive(
    "refreshTokenTtlSeconds",
    options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    problems,
  );
  const clientMetadataTimeoutMs = positive(
    "clientMetadataTimeoutMs",
    options.clientMetadataTimeoutMs ?? 5000,
    problems,
  );
  const issuerForm = options.issuerForm ?? "environment";
  if (issuerForm !== "environment" && issuerForm !== "resource") {
    problems.push(
      `issuerForm must be "environment" or "resource", not "${issuerForm}"`,
    );
  }
  const consent = options.consent ?? "auto";
  if (consent !== "auto" && consent !== "prompt") {
    problems.push(`consent must be "auto" or "prompt", not "${consent}"`);
  }
  if (options.statePath !== undefined && options.statePath === "") {
    problems.push("statePath must not be empty");
  }
  if (problems.length > 0) {
    throw new TypeError(`Invalid mock issuer options: ${problems.join("; ")}`);
  }
  return Object.freeze({
    hostname,
    port,
    resources,
    user: Object.freeze({ ...user }),
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    statePath: options.statePath,
    now: options.now ?? Date.now,
    issuerForm,
    // A wrapper, so the global is looked up per call and never called unbound.
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clientMetadataTimeoutMs,
    consent,
  });
}

function positive(name: string, value: number, problems: string[]): number {
  if (!Number.isInteger(value) || value <= 0) {
    problems.push(`${name} must be a positive integer, not ${value}`);
  }
  return value;
}
