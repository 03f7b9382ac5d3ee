/**
 * The Scalekit provider's settings, read under FastMCP's prefixed names
 * first and the plain names of Scalekit's guides second, and the values
 * derived from an environment URL and a resource id.
 *
 * @module
 */

import { addProblem, addWarning, type Findings, quote } from "./_findings.ts";
import { type Env, readFirst } from "./_read.ts";
import { normalisePath, parseHttpUrl, wellKnownUrl } from "./_urls.ts";
import type { BaseUrlSource } from "./endpoint.ts";
import { readScopeList } from "./scopes.ts";
import type { TokenAuthConfig } from "./types.ts";

const PREFIX = "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_";

/** Each Scalekit setting's variables, in the order they are read. */
export const SCALEKIT_VARIABLES = Object.freeze({
  environmentUrl: Object.freeze([
    `${PREFIX}ENVIRONMENT_URL`,
    "SCALEKIT_ENVIRONMENT_URL",
  ]),
  resourceId: Object.freeze([`${PREFIX}RESOURCE_ID`, "SCALEKIT_RESOURCE_ID"]),
  baseUrl: Object.freeze([`${PREFIX}BASE_URL`, "BASE_URL"]),
  requiredScopes: Object.freeze([
    `${PREFIX}REQUIRED_SCOPES`,
    "SCALEKIT_REQUIRED_SCOPES",
  ]),
  /** Deprecated: same meaning as `baseUrl`, which wins when both are set. */
  mcpUrl: Object.freeze([`${PREFIX}MCP_URL`, "MCP_URL"]),
  /** Deprecated and ignored. */
  clientId: Object.freeze([`${PREFIX}CLIENT_ID`, "SCALEKIT_CLIENT_ID"]),
});

/** Scalekit signs with RS256 only. */
const SCALEKIT_ALGORITHMS = Object.freeze(["RS256"]);

// Unreserved URL characters (RFC 3986 §2.3): the id is used as a path segment.
const RESOURCE_ID = /^[A-Za-z0-9._~-]+$/;

/**
 * The base URL for Scalekit: `…_BASE_URL` or `BASE_URL`, else the deprecated
 * `…_MCP_URL` or `MCP_URL`. Any MCP_URL variable gives one
 * `deprecated_variable` warning; none of the four gives a problem.
 */
export function readScalekitBaseUrl(
  env: Env,
  findings: Findings,
): BaseUrlSource | undefined {
  const base = readFirst(env, SCALEKIT_VARIABLES.baseUrl);
  const legacy = readFirst(env, SCALEKIT_VARIABLES.mcpUrl);
  if (legacy !== undefined) {
    const replacement = legacy.variable.startsWith(PREFIX)
      ? SCALEKIT_VARIABLES.baseUrl[0]
      : SCALEKIT_VARIABLES.baseUrl[1];
    addWarning(findings, {
      code: "deprecated_variable",
      variable: legacy.variable,
      message: base === undefined
        ? `${legacy.variable} is deprecated; rename it to ${replacement}`
        : `${legacy.variable} is deprecated and ignored because ${base.variable} is set; remove it`,
    });
  }
  const chosen = base ?? legacy;
  if (chosen !== undefined) return { ...chosen, derived: false };
  const [prefixed, plain] = SCALEKIT_VARIABLES.baseUrl;
  addProblem(
    findings,
    prefixed,
    `Set ${prefixed} or ${plain} to the server's public URL, such as "https://mcp.example.com" or "http://localhost:3002"`,
  );
  return undefined;
}

/**
 * The Scalekit token settings. `mcpUrl` is the MCP endpoint (an accepted
 * audience), `undefined` when it could not be resolved: problems are still
 * collected, and `undefined` is returned. A client id variable gives one
 * `ignored_variable` warning.
 */
export function readScalekitAuth(
  env: Env,
  mcpUrl: string | undefined,
  findings: Findings,
): TokenAuthConfig | undefined {
  const clientId = readFirst(env, SCALEKIT_VARIABLES.clientId);
  if (clientId !== undefined) {
    addWarning(findings, {
      code: "ignored_variable",
      variable: clientId.variable,
      message:
        `${clientId.variable} is ignored: a resource server needs no client id (MCP clients register themselves); remove it`,
    });
  }
  const environmentUrl = readEnvironmentUrl(env, findings);
  const resourceId = readResourceId(env, findings);
  const scopesSetting = readFirst(env, SCALEKIT_VARIABLES.requiredScopes);
  const scopesVariable = scopesSetting?.variable ??
    SCALEKIT_VARIABLES.requiredScopes[0];
  const scopes = readScopeList(scopesSetting?.value, scopesVariable);
  if (!scopes.ok) addProblem(findings, scopesVariable, scopes.message);
  if (
    environmentUrl === undefined || resourceId === undefined ||
    mcpUrl === undefined || !scopes.ok
  ) {
    return undefined;
  }
  // The per-resource issuer; Scalekit is migrating `iss` from the
  // environment URL to this form, so both are accepted.
  const resourceIssuer = `${environmentUrl}/resources/${resourceId}`;
  return {
    kind: "scalekit",
    // Keys live at the environment level; <env>/resources/<res>/keys is a 404.
    jwksUri: `${environmentUrl}/keys`,
    issuers: [environmentUrl, resourceIssuer],
    audiences: [resourceId, mcpUrl],
    algorithms: [...SCALEKIT_ALGORITHMS],
    requiredScopes: scopes.values,
    authorizationServers: [resourceIssuer],
    authorizationServerMetadataUrl: wellKnownUrl(
      resourceIssuer,
      "oauth-authorization-server",
    ),
    environmentUrl,
    resourceId,
  };
}

function readEnvironmentUrl(env: Env, findings: Findings): string | undefined {
  const [prefixed, plain] = SCALEKIT_VARIABLES.environmentUrl;
  const setting = readFirst(env, SCALEKIT_VARIABLES.environmentUrl);
  if (setting === undefined) {
    addProblem(
      findings,
      prefixed,
      `Set ${prefixed} or ${plain} to your Scalekit environment URL (Dashboard > Settings), such as "https://your-env.scalekit.com"`,
    );
    return undefined;
  }
  const parsed = parseHttpUrl(setting.value, setting.variable, {
    bare: true,
    example: "https://your-env.scalekit.com",
  });
  if (!parsed.ok) {
    addProblem(findings, setting.variable, parsed.message);
    return undefined;
  }
  // Scalekit's `iss` has no trailing slash; paths are joined onto this.
  return parsed.url.origin + normalisePath(parsed.url.pathname);
}

function readResourceId(env: Env, findings: Findings): string | undefined {
  const [prefixed, plain] = SCALEKIT_VARIABLES.resourceId;
  const setting = readFirst(env, SCALEKIT_VARIABLES.resourceId);
  if (setting === undefined) {
    addProblem(
      findings,
      prefixed,
      `Set ${prefixed} or ${plain} to your resource id (res_…), shown in the Scalekit dashboard under MCP Servers`,
    );
    return undefined;
  }
  if (!RESOURCE_ID.test(setting.value)) {
    addProblem(
      findings,
      setting.variable,
      `${setting.variable} must be a Scalekit resource id such as "res_92015146095" (letters, digits, "_", "-", "." or "~"), not ${
        quote(setting.value)
      }`,
    );
    return undefined;
  }
  return setting.value;
}
