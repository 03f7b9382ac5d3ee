/**
 * The generic JWT provider (FastMCP's `JWTVerifier`): tokens from any
 * issuer that publishes its keys as a JWKS.
 *
 * @module
 */

import { addProblem, type Findings, quote } from "./_findings.ts";
import { splitList } from "./_list.ts";
import { type Env, readFirst, readVar } from "./_read.ts";
import { parseHttpUrl, wellKnownUrl } from "./_urls.ts";
import { type BaseUrlSource, derivedBaseUrl } from "./endpoint.ts";
import { readScopeList } from "./scopes.ts";
import type { ServerSettings } from "./server.ts";
import type { TokenAuthConfig } from "./types.ts";

const PREFIX = "FASTMCP_SERVER_AUTH_JWT_";

/** The JWT provider's variables. */
export const JWT_VARIABLES = Object.freeze({
  jwksUri: `${PREFIX}JWKS_URI`,
  issuer: `${PREFIX}ISSUER`,
  audience: `${PREFIX}AUDIENCE`,
  algorithm: `${PREFIX}ALGORITHM`,
  requiredScopes: `${PREFIX}REQUIRED_SCOPES`,
  baseUrl: `${PREFIX}BASE_URL`,
  authorizationServers: `${PREFIX}AUTHORIZATION_SERVERS`,
  /** FastMCP's static-key option, which this server does not support. */
  publicKey: `${PREFIX}PUBLIC_KEY`,
});

/**
 * Asymmetric JWS algorithms (RFC 7518 §3.1, RFC 8037), the only kind that
 * can be verified with public keys from a JWKS. Keys are lower case for
 * case-insensitive lookup; values are the canonical spelling.
 */
const ALGORITHMS: ReadonlyMap<string, string> = new Map(
  [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
  ].map((alg) => [alg.toLowerCase(), alg]),
);

/**
 * The base URL for the JWT provider: `FASTMCP_SERVER_AUTH_JWT_BASE_URL`, then
 * `BASE_URL`, then `http://<HOST>:<PORT>`. With PORT 0 there is nothing to
 * derive from (the port is picked at start), so that is a problem: the
 * audience would never match.
 */
export function readJwtBaseUrl(
  env: Env,
  server: Pick<ServerSettings, "host" | "port">,
  findings: Findings,
): BaseUrlSource | undefined {
  const setting = readFirst(env, [JWT_VARIABLES.baseUrl, "BASE_URL"]);
  if (setting !== undefined) return { ...setting, derived: false };
  if (server.port === 0) {
    addProblem(
      findings,
      JWT_VARIABLES.baseUrl,
      `Set ${JWT_VARIABLES.baseUrl} or BASE_URL to the server's public URL: PORT is 0, so the port is picked at start and the URL (the token audience) cannot be derived`,
    );
    return undefined;
  }
  return derivedBaseUrl(server);
}

/**
 * The JWT token settings. `mcpUrl` is the default audience (RFC 8707: the
 * audience is always checked); when it is `undefined` problems are still
 * collected and `undefined` is returned.
 */
export function readJwtAuth(
  env: Env,
  mcpUrl: string | undefined,
  findings: Findings,
): TokenAuthConfig | undefined {
  let ok = true;
  const fail = (variable: string, message: string) => {
    addProblem(findings, variable, message);
    ok = false;
  };

  if (readVar(env, JWT_VARIABLES.publicKey) !== undefined) {
    fail(
      JWT_VARIABLES.publicKey,
      `${JWT_VARIABLES.publicKey} is not supported: publish the key as a JWKS and set ${JWT_VARIABLES.jwksUri} instead`,
    );
  }

  const jwksUri = readJwksUri(env, fail);
  const issuers = readList(env, JWT_VARIABLES.issuer, fail);
  if (issuers?.length === 0) {
    fail(
      JWT_VARIABLES.issuer,
      `Set ${JWT_VARIABLES.issuer} to the issuer (the tokens' "iss"), such as "https://auth.example.com"; several may be separated by commas`,
    );
  }
  const audiences = readList(env, JWT_VARIABLES.audience, fail);
  const algorithms = readAlgorithms(env, fail);
  const scopes = readScopeList(
    readVar(env, JWT_VARIABLES.requiredScopes),
    JWT_VARIABLES.requiredScopes,
  );
  if (!scopes.ok) fail(JWT_VARIABLES.requiredScopes, scopes.message);
  const authorizationServers = readAuthorizationServers(env, issuers, fail);

  if (
    !ok || jwksUri === undefined || issuers === undefined ||
    audiences === undefined || algorithms === undefined || !scopes.ok ||
    authorizationServers === undefined || mcpUrl === undefined
  ) {
    return undefined;
  }
  return {
    kind: "jwt",
    jwksUri,
    issuers,
    audiences: audiences.length > 0 ? audiences : [mcpUrl],
    algorithms,
    requiredScopes: scopes.values,
    authorizationServers,
    authorizationServerMetadataUrl: wellKnownUrl(
      authorizationServers[0],
      "oauth-authorization-server",
    ),
  };
}

type Fail = (variable: string, message: string) => void;

function readJwksUri(env: Env, fail: Fail): string | undefined {
  const raw = readVar(env, JWT_VARIABLES.jwksUri);
  if (raw === undefined) {
    fail(
      JWT_VARIABLES.jwksUri,
      `Set ${JWT_VARIABLES.jwksUri} to the URL of the issuer's signing keys (JWKS), such as "https://auth.example.com/.well-known/jwks.json"`,
    );
    return undefined;
  }
  const parsed = parseHttpUrl(raw, JWT_VARIABLES.jwksUri, {
    example: "https://auth.example.com/.well-known/jwks.json",
  });
  if (!parsed.ok) {
    fail(JWT_VARIABLES.jwksUri, parsed.message);
    return undefined;
  }
  return parsed.url.href;
}

/** A list variable; `[]` when unset, `undefined` after a problem. */
function readList(
  env: Env,
  variable: string,
  fail: Fail,
): string[] | undefined {
  const list = splitList(readVar(env, variable), variable);
  if (!list.ok) {
    fail(variable, list.message);
    return undefined;
  }
  return list.values;
}

function readAlgorithms(env: Env, fail: Fail): string[] | undefined {
  const variable = JWT_VARIABLES.algorithm;
  const names = readList(env, variable, fail);
  if (names === undefined) return undefined;
  if (names.length === 0) return ["RS256"];
  const algorithms: string[] = [];
  let ok = true;
  for (const name of names) {
    const canonical = ALGORITHMS.get(name.toLowerCase());
    if (canonical !== undefined) {
      if (!algorithms.includes(canonical)) algorithms.push(canonical);
      continue;
    }
    ok = false;
    const accepted = [...ALGORITHMS.values()].join(", ");
    if (name.toLowerCase() === "none" || /^hs\d+$/i.test(name)) {
      // "none" is unsigned and HS* needs a shared secret; a JWKS holds
      // public keys only (and HS* with a public key is a known attack).
      fail(
        variable,
        `${variable} must not include ${
          quote(name)
        }: only asymmetric algorithms verified with keys from the JWKS are allowed (${accepted})`,
      );
    } else {
      fail(
        variable,
        `${variable} contains unsupported algorithm ${
          quote(name)
        }; use one or more of ${accepted}`,
      );
    }
  }
  return ok ? algorithms : undefined;
}

/**
 * `AUTHORIZATION_SERVERS` must be http(s) issuer identifiers without query
 * or fragment (RFC 8414 §2). Values are kept exactly as written: clients
 * compare them with the server metadata's `issuer` character by character.
 */
function readAuthorizationServers(
  env: Env,
  issuers: readonly string[] | undefined,
  fail: Fail,
): string[] | undefined {
  const variable = JWT_VARIABLES.authorizationServers;
  const listed = readList(env, variable, fail);
  if (listed === undefined) return undefined;
  if (listed.length > 0) {
    let ok = true;
    for (const server of listed) {
      const parsed = parseHttpUrl(server, variable, {
        bare: true,
        example: "https://auth.example.com",
      });
      if (!parsed.ok) {
        fail(variable, parsed.message);
        ok = false;
      }
    }
    return ok ? listed : undefined;
  }
  if (issuers === undefined || issuers.length === 0) return undefined;
  let ok = true;
  for (const issuer of issuers) {
    const parsed = parseHttpUrl(issuer, JWT_VARIABLES.issuer, { bare: true });
    if (!parsed.ok) {
      fail(
        JWT_VARIABLES.issuer,
        `${JWT_VARIABLES.issuer} value ${
          quote(issuer)
        } is not an http or https URL without query or fragment, so it cannot be advertised as the authorization server; set ${variable} to the authorization server's issuer URL`,
      );
      ok = false;
    }
  }
  return ok ? [...issuers] : undefined;
}
