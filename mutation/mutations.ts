/**
 * The named mutations `deno task mutate` applies, one at a time: each
 * breaks one guard of the security-critical code the way a careless
 * refactor could, and names the tests that must then fail.
 *
 * `from` must occur exactly once in `file` (`mutate_test.ts` checks it, so
 * the list cannot rot unnoticed); `to` replaces it. A mutation that cannot
 * be told apart from the original by any client carries `equivalent`, the
 * reason, and is left out of the score.
 *
 * @module
 */

/** One deliberate break. */
export interface Mutation {
  /** Unique; says which guard breaks and how. */
  readonly name: string;
  /** Path from the repository root. */
  readonly file: string;
  /** Exact text, found once in `file`. */
  readonly from: string;
  /** What replaces it. */
  readonly to: string;
  /** Test files (or folders) that must fail. */
  readonly tests: readonly string[];
  /** Why no test can notice it, when none can. */
  readonly equivalent?: string;
}

const T = {
  bearer: ["src/auth/bearer_test.ts"],
  challenge: ["src/auth/challenge_test.ts"],
  verify: ["src/auth/verify_test.ts"],
  jwks: ["src/auth/jwks_test.ts", "src/auth/verify_test.ts"],
  cache: ["src/auth/token_cache_test.ts", "src/http/verifier_test.ts"],
  authz: ["src/authz/"],
  app: ["src/http/app_test.ts"],
  origin: ["src/http/origin_test.ts", "src/http/app_test.ts"],
  host: ["src/http/host_test.ts", "src/http/app_test.ts"],
  guard: ["src/http/require_bearer_test.ts", "src/http/app_test.ts"],
  route: ["src/http/mcp_route_test.ts", "src/http/app_test.ts"],
  log: ["src/http/request_log_test.ts", "src/log/logger_test.ts"],
  drain: ["src/http/drain_test.ts", "src/serve_test.ts"],
  config: ["src/config/", "src/net/"],
  store: ["src/store/memory_test.ts", "src/store/sqlite_test.ts"],
  tenants: [
    "src/auth/identity_test.ts",
    "src/http/app_test.ts",
    "src/mcp/server_test.ts",
  ],
  mcp: ["src/mcp/server_test.ts"],
  workers: ["src/workers/supervisor_test.ts"],
  connection: ["src/http/guarded_server_test.ts"],
  nodelay: ["src/http/guarded_server_nodelay_test.ts"],
  metrics: ["src/metrics/wired_test.ts"],
  verdicts: [
    "conformance/runner_test.ts",
    "conformance/main_test.ts",
    "conformance/catches_faults_test.ts",
  ],
} as const;

function m(
  name: string,
  file: string,
  from: string,
  to: string,
  tests: readonly string[],
  equivalent?: string,
): Mutation {
  return { name, file, from, to, tests, ...(equivalent ? { equivalent } : {}) };
}

const BEARER = "src/auth/bearer.ts";
const VERIFY = "src/auth/verify.ts";
const JWKS = "src/auth/jwks.ts";
const TOKEN_CACHE = "src/auth/token_cache.ts";
const VERIFIER = "src/http/verifier.ts";
const CHALLENGE = "src/auth/challenge.ts";
const POLICY = "src/authz/policy.ts";
const SCOPES = "src/authz/scopes.ts";
const LOOPBACK = "src/net/loopback.ts";
const ORIGIN = "src/http/origin.ts";
const APP = "src/http/app.ts";
const SETTINGS = "src/config/settings.ts";
const LOAD = "src/config/load.ts";
const PARSERS = "src/config/parsers.ts";
const TABLE = "src/config/table.ts";
const SCENARIO = "conformance/scenario.ts";
const RUNNER = "conformance/runner.ts";
const CONNECTION = "src/http/_proxied_connection.ts";
const GUARDED = "src/http/guarded_server.ts";

/** Every mutation, grouped by what it breaks. */
export const MUTATIONS: readonly Mutation[] = [
  // Bearer extraction (RFC 6750 §2.1; MCP: never in the query string).
  m(
    "bearer: a token in the query string is treated as no token",
    BEARER,
    'new URL(request.url).searchParams.has("access_token")',
    "false",
    T.bearer,
  ),
  m(
    "bearer: the scheme check is unanchored",
    BEARER,
    "const BEARER_SCHEME = /^Bearer(?: |$)/i;",
    "const BEARER_SCHEME = /Bearer(?: |$)/i;",
    T.bearer,
  ),
  m(
    "bearer: any characters pass as a token",
    BEARER,
    "([A-Za-z0-9\\-._~+/]+=*)",
    "(\\S+)",
    T.bearer,
  ),
  m(
    "bearer: text after the token is ignored",
    BEARER,
    "([A-Za-z0-9\\-._~+/]+=*) *$/i",
    "([A-Za-z0-9\\-._~+/]+=*) */i",
    T.bearer,
  ),
  m(
    "bearer: padding is required",
    BEARER,
    "([A-Za-z0-9\\-._~+/]+=*)",
    "([A-Za-z0-9\\-._~+/]+=+)",
    T.bearer,
  ),

  // Token verification (RFC 8725, RFC 9068, MCP authorization).
  m(
    "verify: algorithms left out, so the token's alg is trusted",
    VERIFY,
    "    algorithms,\n    clockTolerance",
    "    clockTolerance",
    T.verify,
  ),
  m(
    "verify: HS* and none accepted by the constructor",
    VERIFY,
    'if (algorithms.some((alg) => alg === "none" || alg.startsWith("HS"))) {',
    "if (false) {",
    T.verify,
  ),
  m(
    "verify: no issuer check",
    VERIFY,
    "    issuer: [...options.issuers],\n",
    "",
    T.verify,
  ),
  m(
    "verify: no audience check",
    VERIFY,
    "    audience: [...options.audiences],\n",
    "",
    T.verify,
  ),
  m(
    "verify: leeway ten times the setting",
    VERIFY,
    "    clockTolerance: leeway,",
    "    clockTolerance: leeway * 10,",
    T.verify,
  ),
  m(
    "verify: a negative leeway accepted",
    VERIFY,
    "if (!Number.isFinite(leeway) || leeway < 0) {",
    "if (false) {",
    T.verify,
  ),
  m(
    "verify: no lifetime limit",
    VERIFY,
    "      checkLifetime(payload, at / 1000, maxLifetime, leeway);\n",
    "",
    T.verify,
  ),
  m(
    "verify: lifetime not measured from iat",
    VERIFY,
    ' ||\n    (typeof payload.iat === "number" && !(exp - payload.iat <= maxLifetime));',
    ";",
    T.verify,
  ),
  m(
    "verify: claim types not checked",
    VERIFY,
    "      checkClaimTypes(payload);\n",
    "",
    T.verify,
  ),
  m(
    "verify: a sub of any type accepted",
    VERIFY,
    'if (typeof payload.sub !== "string" || payload.sub === "") {',
    'if (payload.sub === "") {',
    T.verify,
  ),
  m(
    "verify: scp of any type accepted",
    VERIFY,
    '"scp" in payload && typeof payload.scp !== "string" &&',
    'false && typeof payload.scp !== "string" &&',
    T.verify,
  ),
  m(
    "verify: an unreachable key set is the token's fault (401, not 503)",
    VERIFY,
    '      "verifier_unavailable",\n      error.code === "unusable_key"',
    '      "invalid_token",\n      error.code === "unusable_key"',
    [...T.verify, ...T.guard],
  ),

  // Key set fetching (no hammering, no outage from a brief failure).
  m(
    "jwks: no backoff after a failed fetch",
    JWKS,
    "      retryAt = now() + wait;",
    "      retryAt = -Infinity; void wait;",
    T.jwks,
  ),
  m(
    "jwks: the backoff does not double",
    JWKS,
    "settings.failureBackoffMinMs * 2 ** Math.min(failures - 1, 30)",
    "settings.failureBackoffMinMs",
    T.jwks,
  ),
  m(
    "jwks: a success does not reset the backoff",
    JWKS,
    "      failures = 0;\n",
    "",
    T.jwks,
  ),
  m(
    "jwks: no stale keys during an outage",
    JWKS,
    "      const stale = staleKeys();",
    "      const stale = undefined as JWTVerifyGetKey | undefined;",
    T.jwks,
  ),
  m(
    "jwks: stale keys trusted forever",
    JWKS,
    "    if (now() >= lastSuccessAt + settings.staleIfErrorMs) return undefined;\n",
    "",
    T.jwks,
  ),
  m(
    "jwks: a malformed key is the token's fault",
    JWKS,
    "  if (error instanceof errors.JOSEError || error instanceof DOMException) {",
    "  if (false) {",
    T.jwks,
  ),

  // The verified-token cache (issue 12): it must never change an answer.
  m(
    "cache: exp not checked again on a hit",
    TOKEN_CACHE,
    "        entry.identity.expiresAt > seconds - leeway &&",
    "        true &&",
    T.cache,
  ),
  m(
    "cache: nbf not checked again on a hit",
    TOKEN_CACHE,
    "          entry.notBefore <= seconds + leeway);",
    "          true);",
    T.cache,
  ),
  m(
    "cache: no cap on an entry's life",
    TOKEN_CACHE,
    "      const valid = at < entry.capAt &&",
    "      const valid = true &&",
    T.cache,
  ),
  m(
    "cache: a key leaving the JWKS keeps its entries",
    TOKEN_CACHE,
    "        if (entry.kid === undefined || !kept.has(entry.kid)) {",
    "        if (false) {",
    T.cache,
  ),
  m(
    "cache: a verification that began before a rotation is stored under the old key",
    TOKEN_CACHE,
    "        published !== undefined &&\n",
    "        false &&\n",
    T.cache,
  ),
  m(
    "cache: tokens of any size are cached",
    TOKEN_CACHE,
    "token.length <= settings.maxTokenBytes",
    "token.length >= 0",
    T.cache,
  ),
  m(
    "jwks: the token cache never hears of a new key set",
    JWKS,
    "      options.onKeySet?.(kidsOf(keySet));",
    "      void kidsOf;",
    [...T.jwks, ...T.cache],
  ),
  m(
    "cache: MCP_TOKEN_CACHE_TTL_SECONDS ignored",
    VERIFIER,
    "    maxTtlMs: config.tokenCacheTtlMs,",
    "",
    T.cache,
  ),

  // Per-request servers (issue 12): a request of nothing but tool calls
  // gets a server with only those tools; anything else gets them all.
  m(
    "mcp: a batch with other messages gets a server with only its called tools",
    "src/mcp/server.ts",
    'if (operation?.kind !== "tool") return undefined;',
    'if (operation?.kind !== "tool") continue;',
    T.mcp,
  ),

  // Challenges (RFC 6750 §3, RFC 9728 §5.1).
  m(
    "challenge: a request without a token gets error=invalid_token",
    CHALLENGE,
    '"WWW-Authenticate": bearer(metadata, scope)',
    '"WWW-Authenticate": bearer(\'error="invalid_token"\', metadata, scope)',
    T.challenge,
  ),
  m(
    "challenge: invalid_token without resource_metadata",
    CHALLENGE,
    "            description,\n            metadata,\n",
    "            description,\n",
    T.challenge,
  ),
  m(
    "challenge: 403 without the scopes to step up to",
    CHALLENGE,
    "            scopeParam(error.requiredScopes),\n",
    "",
    T.challenge,
  ),
  m(
    "challenge: characters RFC 6750 forbids pass through",
    CHALLENGE,
    'value.replace(/[^\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]/g, "")',
    "value",
    T.challenge,
  ),
  m(
    "challenge: 503 without Retry-After",
    CHALLENGE,
    'headers: { "Retry-After": "30" },',
    "headers: {},",
    T.challenge,
  ),

  // Scope table and policy, including each era's 403 rule.
  m(
    "policy: required scopes not checked",
    POLICY,
    "        ...required,\n        ...operations.flatMap(operationScopes),",
    "        ...operations.flatMap(operationScopes),",
    T.authz,
  ),
  m(
    "policy: the eras' challenge rules swapped",
    POLICY,
    'const relevantGranted = era === "legacy"',
    'const relevantGranted = era === "modern"',
    T.authz,
  ),
  m(
    "policy: legacy challenges echo unknown granted scopes (offline_access)",
    POLICY,
    "? granted.filter((scope) => known.has(scope))",
    "? granted",
    T.authz,
  ),
  m(
    "policy: offline_access accepted as a required scope",
    POLICY,
    "if (required.includes(OFFLINE_ACCESS)) {",
    "if (false) {",
    T.authz,
  ),
  m(
    "policy: the scope hierarchy is not transitive",
    POLICY,
    "          queue.push(implied);\n",
    "",
    T.authz,
  ),
  m(
    "policy: the scope hierarchy is ignored",
    POLICY,
    "const have = effective(granted);",
    "const have = new Set(granted);",
    [...T.authz, "src/http/app_test.ts"],
  ),
  m(
    "scopes: bulk delete needs only todo:write",
    SCOPES,
    'bulk_delete_todos: ["todo:admin"],',
    'bulk_delete_todos: ["todo:write"],',
    T.authz,
  ),
  m(
    "scopes: export needs only todo:admin",
    SCOPES,
    'export_all_todos: ["todo:read", "todo:admin"],',
    'export_all_todos: ["todo:admin"],',
    T.authz,
  ),
  m(
    "scopes: reading the todo list needs no scope",
    SCOPES,
    'todo_list: ["todo:read"],',
    "todo_list: [],",
    T.authz,
  ),
  m(
    "scopes: the prompt needs no scope",
    SCOPES,
    'plan_my_day: ["todo:read"],',
    "plan_my_day: [],",
    T.authz,
  ),
  m(
    "scopes: inherited names count as tools",
    SCOPES,
    "return Object.hasOwn(TOOL_SCOPES, name);",
    "return name in TOOL_SCOPES;",
    [...T.authz, ...T.mcp],
  ),

  // Origin and Host (DNS rebinding; MCP transport "Security Warning").
  m(
    "loopback: the 127/8 pattern is unanchored",
    LOOPBACK,
    "/^127\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$/",
    "/127\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/",
    [...T.origin, ...T.config],
  ),
  m(
    "loopback: the 127/8 pattern has no end anchor",
    LOOPBACK,
    "/^127\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$/",
    "/^127\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/",
    [...T.origin, ...T.config],
  ),
  m(
    "loopback: any IPv6 address is loopback",
    LOOPBACK,
    'return URL.parse(`http://[${name}]/`)?.hostname === "[::1]";',
    "return true;",
    [...T.origin, ...T.config],
  ),
  m(
    "loopback: octets above 255 accepted",
    LOOPBACK,
    "octets.slice(1).every((o) => Number(o) <= 255)",
    "true",
    T.config,
  ),
  m(
    "origin: no Origin check at all",
    ORIGIN,
    "    if (!isAllowedOrigin(origin, allowed)) {",
    "    if (false) {",
    T.origin,
  ),
  m(
    "origin: CORS reflects any origin",
    ORIGIN,
    "origin: (origin) => isAllowedOrigin(origin, allowed) ? origin : null,",
    "origin: (origin) => origin,",
    T.origin,
    "the same middleware refuses a foreign Origin with 403 before CORS runs, so CORS only ever sees allowed origins or none; the policy is kept in CORS so that splitting the two again stays safe",
  ),
  m(
    "origin: an origin with a path or another spelling accepted",
    ORIGIN,
    "if (url === null || url.origin !== origin) return false;",
    "if (url === null) return false;",
    T.origin,
  ),
  m(
    "origin: loopback on any scheme",
    ORIGIN,
    'if (url.protocol !== "http:" && url.protocol !== "https:") return false;',
    "",
    T.origin,
  ),
  m(
    "origin: Mcp-Protocol-Version not allowed in a preflight",
    ORIGIN,
    '  "Accept",\n  "Mcp-Protocol-Version",\n',
    '  "Accept",\n',
    T.origin,
  ),
  m(
    "origin: 2026-07-28 headers not allowed in a preflight",
    ORIGIN,
    '  "Mcp-Method",\n  "Mcp-Name",\n',
    "",
    T.origin,
  ),
  m(
    "origin: WWW-Authenticate hidden from browsers",
    ORIGIN,
    '  "WWW-Authenticate",\n  "Mcp-Session-Id",',
    '  "Mcp-Session-Id",',
    T.origin,
  ),
  m(
    "request id: not on answers a handler builds itself",
    APP,
    'const answer = withHeader(c.res, "X-Request-Id", c.get("requestId"));',
    "const answer = c.res;",
    T.app,
  ),
  m(
    "host: once one Host is accepted, any passes",
    "src/http/host.ts",
    "if (host !== undefined && host === accepted)",
    "if (accepted !== undefined)",
    T.host,
  ),
  m(
    "host: any host that parses passes",
    "src/http/host.ts",
    "result.hostname !== undefined && isLoopbackHost(result.hostname);",
    "result.hostname !== undefined;",
    T.host,
  ),
  m(
    "host: no Host check when bound to loopback",
    APP,
    "  if (isLoopbackHost(config.host)) {",
    "  if (false) {",
    T.app,
  ),
  m(
    "host: a proxy's Host refused when bound to all interfaces",
    APP,
    "  if (isLoopbackHost(config.host)) {",
    "  if (true) {",
    T.app,
  ),

  // The request body limit.
  m(
    "body limit: a kilobyte too generous",
    APP,
    "      maxSize: config.maxBodyBytes,",
    "      maxSize: config.maxBodyBytes + 1024,",
    T.app,
  ),
  m(
    "body limit: one byte too generous",
    APP,
    "      maxSize: config.maxBodyBytes,",
    "      maxSize: config.maxBodyBytes + 1,",
    T.app,
  ),
  m(
    "body limit: one byte too strict",
    APP,
    "      maxSize: config.maxBodyBytes,",
    "      maxSize: config.maxBodyBytes - 1,",
    T.app,
  ),

  // The endpoint's middlewares and error handling.
  m(
    "guard: a verifier bug answered as a refusal",
    "src/http/require_bearer.ts",
    "      if (error instanceof AuthError) return deny(c, error, challenge);\n      throw error;",
    '      if (error instanceof AuthError) return deny(c, error, challenge);\n      return c.json({ error: "invalid_token" }, 401);',
    T.guard,
  ),
  m(
    "route: the server's required scopes not checked",
    "src/http/mcp_route.ts",
    "const refusal = policy.check([], identity.scopes, era);",
    "const refusal = undefined;",
    T.route,
  ),
  m(
    "route: every required-scope 403 follows the legacy rule",
    "src/http/mcp_route.ts",
    "const refusal = policy.check([], identity.scopes, era);",
    'const refusal = policy.check([], identity.scopes, "legacy");',
    T.route,
  ),
  m(
    "route: runs without authentication in front of it",
    "src/http/mcp_route.ts",
    "    if (identity === undefined) {",
    "    if (false) {",
    T.route,
  ),
  m(
    "metadata: scopes_supported lists only the required scopes",
    "src/http/resource_metadata.ts",
    "scopes_supported: policy.supported,",
    "scopes_supported: policy.requiredScopes,",
    ["src/http/resource_metadata_test.ts", "src/http/app_test.ts"],
  ),
  m(
    "metadata: not served at the root path",
    APP,
    "new Set([metadataPath, ROOT_METADATA_PATH])",
    "new Set([metadataPath])",
    T.app,
  ),
  m(
    "onError: an HTTPException's own response discarded",
    "src/http/on_error.ts",
    "      if (error.res !== undefined) return error.getResponse();\n",
    "",
    ["src/http/on_error_test.ts"],
  ),
  m(
    "onError: a bug's message reaches the client",
    "src/http/on_error.ts",
    '      error_description: "Internal server error",',
    "      error_description: String(error),",
    ["src/http/on_error_test.ts"],
  ),
  m(
    "logger: a token the length cut splits is written in part",
    "src/log/logger.ts",
    '`${redacted.replace(JWT_TAIL, "[redacted]")}...(',
    "`${redacted}...(",
    T.log,
  ),
  m(
    "request log: writes the Authorization header",
    "src/http/request_log.ts",
    "      path: clientText(c.req.path, MAX_LOGGED_PATH),",
    '      path: clientText(c.req.path, MAX_LOGGED_PATH),\n      authorization: c.req.header("authorization"),',
    T.log,
  ),
  m(
    "request log: writes the query string",
    "src/http/request_log.ts",
    "      path: clientText(c.req.path, MAX_LOGGED_PATH),",
    "      path: clientText(c.req.url, MAX_LOGGED_PATH),",
    T.log,
  ),
  m(
    "logger: credential fields kept",
    "src/log/logger.ts",
    "  if (SECRET_FIELD.test(key)) return undefined;\n",
    "",
    T.log,
  ),
  m(
    "logger: JWT-shaped strings not masked",
    "src/log/logger.ts",
    '.replace(JWT_LIKE, "[redacted]")',
    '.replace(/$^/, "[redacted]")',
    T.log,
  ),

  // Graceful shutdown.
  m(
    "drain: ends when any request ends",
    "src/http/drain.ts",
    "    if (inFlight === 0) idle?.();",
    "    idle?.();",
    T.drain,
  ),
  m(
    "drain: a request counts until its handler returns, not until it is sent",
    "src/http/drain.ts",
    "        if (completed) completed.then(finished, finished);\n        else finished();",
    "        finished();",
    T.drain,
  ),
  m(
    "drain: a handler's error is swallowed",
    "src/http/drain.ts",
    "        } catch (error) {\n          finished();\n          throw error;\n        }",
    "        } catch {\n          // swallowed\n        }",
    T.drain,
  ),
  m(
    "drain: no Connection: close while draining",
    "src/http/drain.ts",
    '? withHeader(response, "Connection", "close")',
    "? response",
    T.drain,
  ),
  m(
    "shutdown: two budgets instead of one",
    "src/serve.ts",
    "  const closed = await stages.shutdown(deadline);",
    "  const closed = await stages.shutdown(now() + graceMs);",
    T.drain,
  ),

  // Configuration precedence and validation.
  m(
    "config: the plain name wins over FastMCP's",
    SETTINGS,
    "const current = readFirst(env, [spec.fastmcp, spec.name]);",
    "const current = readFirst(env, [spec.name, spec.fastmcp]);",
    T.config,
  ),
  m(
    "config: a deprecated name wins over the current one",
    SETTINGS,
    "const chosen = current ?? old;",
    "const chosen = old ?? current;",
    T.config,
  ),
  m(
    "config: a blank value counts as set",
    SETTINGS,
    'if (variable !== undefined && raw !== "") return { variable, raw };',
    "if (variable !== undefined && value !== undefined) {\n      return { variable, raw };\n    }",
    T.config,
  ),
  m(
    "config: inherited properties of the environment read",
    SETTINGS,
    "variable !== undefined && Object.hasOwn(env, variable)",
    "variable !== undefined && variable in env",
    T.config,
  ),
  m(
    "config: a missing required setting is no problem",
    SETTINGS,
    "if ((!chosen || empty) && strict && spec.required !== undefined) {",
    "if (false) {",
    T.config,
  ),
  m(
    "config: an empty list satisfies a required setting",
    SETTINGS,
    "if (parsed?.ok && !(empty && spec.required)) {",
    "if (parsed?.ok) {",
    T.config,
  ),
  m(
    "config: the first problem stops the reading",
    "src/config/_findings.ts",
    "  if (!seen) findings.problems.push({ variable, message });",
    "  if (!seen && findings.problems.length === 0) {\n    findings.problems.push({ variable, message });\n  }",
    T.config,
  ),
  m(
    "config: provider none allowed on a public interface",
    LOAD,
    "  if (!isLoopbackHost(c.values.host)) {",
    "  if (false) {",
    T.config,
  ),
  m(
    "config: no warning for plain http off loopback",
    LOAD,
    '    provider !== "none" && url.protocol === "http:" &&\n    !isLoopbackHost(url.hostname)',
    "    false",
    T.config,
  ),
  m(
    "config: the environment-level issuer not accepted",
    LOAD,
    "    issuers: [environmentUrl, resourceIssuer],",
    "    issuers: [resourceIssuer],",
    [...T.config, "src/http/app_test.ts"],
  ),
  m(
    "config: the MCP URL not accepted as audience",
    LOAD,
    "    audiences: [resourceId, mcpUrl],",
    "    audiences: [resourceId],",
    [...T.config, "src/http/app_test.ts"],
  ),
  m(
    "config: the JWT audience defaults to the issuers",
    LOAD,
    'if (!audiences) c.derived.set("audiences", audiences = [mcpUrl]);',
    'if (!audiences) c.derived.set("audiences", audiences = issuers);',
    T.config,
  ),
  m(
    "config: a base URL ending in the MCP path is doubled",
    LOAD,
    'if (mcpPath !== "/" && path.endsWith(mcpPath)) {',
    "if (false) {",
    T.config,
  ),
  m(
    "config: HS256 accepted as a JWT algorithm",
    PARSERS,
    'const ALGORITHMS = "RS256 RS384',
    'const ALGORITHMS = "HS256 RS256 RS384',
    T.config,
  ),
  m(
    "config: offline_access accepted as a required scope",
    PARSERS,
    'if (!items.includes("offline_access")) return items;',
    "return items;",
    T.config,
  ),
  m(
    "config: * accepted as an allowed origin",
    PARSERS,
    '    if (item === "*") {\n      return no`',
    '    if (item === "*") {\n      return "*";\n      no`',
    T.config,
  ),
  m(
    "config: the clock skew may be ten times larger",
    TABLE,
    "parse: integer(0, 300),",
    "parse: integer(0, 3000),",
    T.config,
  ),
  m(
    "config: a body limit of 0 accepted",
    TABLE,
    "    parse: integer(1),",
    "    parse: integer(0),",
    T.config,
  ),
  m(
    "config: .env wins over the real environment",
    "src/config/env_file.ts",
    "if (value !== undefined || !merged.has(name)) merged.set(name, value);",
    "if (!merged.has(name)) merged.set(name, value);",
    T.config,
  ),
  m(
    "config: a refused configuration exits 1, not 78",
    "src/lifecycle.ts",
    "export const EXIT_CONFIG = 78;",
    "export const EXIT_CONFIG = 1;",
    ["src/serve_test.ts", "main_test.ts"],
  ),

  // Tenant keys and store limits.
  m(
    "tenants: an organisation's todos kept per user",
    "src/auth/identity.ts",
    "    ? `org:${identity.organizationId}`",
    "    ? `sub:${identity.subject}`",
    T.tenants,
  ),
  m(
    "tenants: a user without an organisation shares the organisation namespace",
    "src/auth/identity.ts",
    "    : `sub:${identity.subject}`;",
    "    : `org:${identity.subject}`;",
    T.tenants,
  ),
  m(
    "tenants: the memory store reads across tenants",
    "src/store/memory.ts",
    "return isTodoId(id) ? this.#tenants.get(key)?.get(id) : undefined;",
    "return isTodoId(id)\n        ? [...this.#tenants.values()].find((t) => t.has(id))?.get(id)\n        : undefined;",
    T.store,
  ),
  m(
    "tenants: SQLite deletes across tenants",
    "src/store/sqlite.ts",
    '"DELETE FROM todos WHERE tenant = ? AND id = ?",',
    '"DELETE FROM todos WHERE (tenant = ? OR 1) AND id = ?",',
    T.store,
  ),
  m(
    "tenants: a key of the maximum length refused",
    "src/store/_input.ts",
    "value.length > TODO_LIMITS.keyMaxLength || !storable(value)",
    "value.length >= TODO_LIMITS.keyMaxLength || !storable(value)",
    T.store,
  ),
  m(
    "tenants: a key longer than the maximum accepted",
    "src/store/_input.ts",
    "value.length > TODO_LIMITS.keyMaxLength || !storable(value)",
    "!storable(value)",
    T.store,
  ),
  m(
    "limits: no title length limit in the store",
    "src/store/_input.ts",
    "trimmed.length === 0 || trimmed.length > TODO_LIMITS.titleMaxLength ||",
    "trimmed.length === 0 ||",
    T.store,
  ),
  m(
    "limits: the tools advertise no title limit",
    "src/tools/todos.ts",
    "const title = z.string().trim().min(1).max(TODO_LIMITS.titleMaxLength);",
    "const title = z.string().trim().min(1);",
    T.mcp,
  ),
  m(
    "limits: no default per-tenant quota",
    "src/store/todo_store.ts",
    "  maxTodosPerTenant: 10_000,",
    "  maxTodosPerTenant: Number.MAX_SAFE_INTEGER,",
    T.store,
  ),
  m(
    "limits: a quota of 1 refused as an option",
    "src/store/_refusals.ts",
    "if (!Number.isSafeInteger(quota) || quota < 1) {",
    "if (!Number.isSafeInteger(quota) || quota <= 1) {",
    [...T.store, "src/store/database_url_test.ts"],
  ),
  m(
    "limits: a quota of 0 accepted as an option",
    "src/store/_refusals.ts",
    "if (!Number.isSafeInteger(quota) || quota < 1) {",
    "if (!Number.isSafeInteger(quota) || quota < 0) {",
    T.store,
  ),
  m(
    "limits: the quota allows one more",
    "src/store/memory.ts",
    "if (todos.size >= this.#maxTodos) throw quotaExceeded(this.#maxTodos);",
    "if (todos.size > this.#maxTodos) throw quotaExceeded(this.#maxTodos);",
    T.store,
  ),

  // The conformance runner's verdicts.
  m(
    "verdicts: a failed run exits 0",
    RUNNER,
    "  if (summary.failed > 0) return 1;\n",
    "",
    T.verdicts,
  ),
  m(
    "verdicts: --strict ignores warnings",
    RUNNER,
    "  if (summary.strict && summary.warnings > 0) return 1;\n",
    "",
    T.verdicts,
  ),
  m(
    "verdicts: warnings counted as failures",
    RUNNER,
    '    warnings: count("warn"),',
    '    warnings: count("fail"),',
    T.verdicts,
  ),
  m(
    "verdicts: a MUST finding only warns",
    SCENARIO,
    'const status: Status = findings.some((f) => f.level === "MUST")',
    'const status: Status = findings.some((f) => f.level === "INFO")',
    T.verdicts,
  ),
  // MCP_WORKERS (issue 12): one start at a time, nothing half up, every
  // worker drained, every worker told of changes; metrics on loopback.
  m(
    "workers: the in-memory store is accepted with several workers",
    LOAD,
    '  if (parseDatabaseUrl(databaseUrl).kind !== "memory") return;',
    "  return;",
    ["src/config/workers_test.ts", ...T.workers],
  ),
  m(
    "workers: the metrics port may be the server's own",
    LOAD,
    "  if (metricsPort === undefined || metricsPort === 0 || metricsPort !== port) {",
    "  if (true) {",
    ["src/config/workers_test.ts"],
  ),
  m(
    "workers: every worker starts at once, racing migrations and the port",
    "src/workers/supervisor.ts",
    "  let failure = await started(spawn(1));",
    "  const all = [spawn(1)];\n  for (let id = 2; id <= count; id++) all.push(spawn(id));\n  let failure = await started(all[0]);",
    T.workers,
  ),
  m(
    "workers: stop terminates the workers without waiting for their drain",
    "src/workers/supervisor.ts",
    '  for (const handle of handles) handle.send({ type: "stop", signal });',
    '  for (const handle of handles) handle.send({ type: "stop", signal });\n  for (const handle of handles) handle.terminate();',
    T.workers,
  ),
  m(
    "workers: SQLite change events stay in the worker that wrote",
    "src/events/event_bus.ts",
    "  if (options.workerChannel !== undefined) {",
    "  if (false) {",
    T.workers,
  ),
  m(
    "workers: a scrape shows one worker, not the sum",
    "src/workers/supervisor.ts",
    "      const present = parts.filter((part) => part !== undefined);",
    "      const present = parts.slice(0, 1).filter((part) => part !== undefined);",
    T.metrics,
  ),
  m(
    "metrics: the endpoint listens on every address",
    "src/metrics/endpoint.ts",
    "  const server = Deno.serve({\n    hostname,",
    '  const server = Deno.serve({\n    hostname: "0.0.0.0",',
    T.metrics,
  ),
  m(
    "metrics: invalid tokens lose the check that failed",
    "src/http/require_bearer.ts",
    "    ...(error.kind === undefined ? {} : { kind: error.kind }),",
    "",
    T.metrics,
  ),
  m(
    "verdicts: a SHOULD finding passes",
    SCENARIO,
    '    : findings.length > 0\n    ? "warn"',
    '    : false\n    ? "warn"',
    T.verdicts,
  ),
  m(
    "verdicts: a skip hides earlier findings",
    SCENARIO,
    "const status: Status = findings.some(",
    'const status: Status = skipped ? "skip" : findings.some(',
    T.verdicts,
  ),
  m(
    "verdicts: a scenario that throws passes",
    SCENARIO,
    '    } else {\n      record(\n        scenario.rule,\n        "The scenario could not complete",',
    '    } else if (false) {\n      record(\n        scenario.rule,\n        "The scenario could not complete",',
    T.verdicts,
  ),
  m(
    "verdicts: SHOULD findings dropped as informational",
    SCENARIO,
    'if (clause.level === "INFO") {',
    'if (clause.level !== "MUST") {',
    T.verdicts,
  ),
  // The connection layer: an unread body is drained only when small and
  // already there, so a refusal never waits long nor reads much.
  m(
    "connection: an unread body of any size is drained",
    CONNECTION,
    "if (!(length <= DRAIN_MAX_BYTES)) return false;",
    "",
    T.connection,
  ),
  m(
    "connection: the drain waits for a body however long it takes",
    CONNECTION,
    "return await within(DRAIN_WAIT_MS, drained) && await drained;",
    "return await drained;",
    T.connection,
  ),
  m(
    "connection: Nagle's algorithm left on for the client's socket",
    GUARDED,
    "    client.setNoDelay(true);",
    "",
    T.nodelay,
  ),
  m(
    "connection: Nagle's algorithm left on for the loopback hop",
    GUARDED,
    "    upstream.setNoDelay(true);",
    "",
    T.nodelay,
  ), // subscriptions/listen limits: streams capped per caller, per tenant and
  // in all, each slot given back; listens out of the concurrency count; the
  // URIs one listen names.
  ...(() => {
    const CAPS = "src/mcp/subscription_caps.ts";
    const tests = [
      "src/mcp/subscription_caps_test.ts",
      "src/mcp/handler_test.ts",
      "src/http/subscription_limits_test.ts",
    ];
    const http = ["src/http/subscription_limits_test.ts"];
    const config = ["src/config/limits_test.ts"];
    return [
      m(
        "subscriptions: no per-caller cap",
        CAPS,
        "      if ((byCaller.get(caller) ?? 0) >= maxPerCaller) {",
        "      if (false) {",
        tests,
      ),
      m(
        "subscriptions: the per-caller cap allows one more",
        CAPS,
        "      if ((byCaller.get(caller) ?? 0) >= maxPerCaller) {",
        "      if ((byCaller.get(caller) ?? 0) > maxPerCaller) {",
        tests,
      ),
      m(
        "subscriptions: no per-tenant cap",
        CAPS,
        "      if ((byTenant.get(tenant) ?? 0) >= maxPerTenant) {",
        "      if (false) {",
        tests,
      ),
      m(
        "subscriptions: no server cap",
        CAPS,
        "      if (total >= maxTotal) {",
        "      if (false) {",
        tests,
      ),
      m(
        "subscriptions: a slot given back twice is counted twice",
        CAPS,
        "          if (!held) return;",
        "",
        tests,
      ),
      m(
        "subscriptions: a closed stream keeps its slot",
        "src/mcp/handler.ts",
        "      slot.release();\n",
        "",
        tests,
      ),
      m(
        "subscriptions: the per-caller cap keyed by tenant",
        "src/mcp/handler.ts",
        "caps.admit(callerOf(identity), tenant)",
        "caps.admit(tenant, tenant)",
        tests,
      ),
      m(
        "subscriptions: the per-caller cap not wired from its setting",
        "src/http/app.ts",
        "    maxSubscriptionsPerCaller: config.maxSubscriptionsPerCaller,\n",
        "",
        http,
      ),
      m(
        "subscriptions: open listen streams hold requests in flight",
        "src/http/concurrency.ts",
        ' ||\n      c.get("listen") === true',
        "",
        http,
      ),
      m(
        "subscriptions: listens not marked for the concurrency limiter",
        "src/http/mcp_route.ts",
        '    if (era === "modern" && isListenRequest(body)) c.set("listen", true);\n',
        "",
        http,
      ),
      m(
        "subscriptions: resourceSubscriptions not counted",
        "src/http/request_limits.ts",
        "    if (uris > limits.maxResourceSubscriptions) {",
        "    if (false) {",
        http,
      ),
      m(
        "subscriptions: resourceSubscriptions refused at the limit",
        "src/http/request_limits.ts",
        "    if (uris > limits.maxResourceSubscriptions) {",
        "    if (uris >= limits.maxResourceSubscriptions) {",
        http,
      ),
      m(
        "subscriptions: a caller's cap may exceed its tenant's",
        LOAD,
        "  if (caller > tenant) {",
        "  if (false) {",
        config,
      ),
      m(
        "subscriptions: a tenant's cap may exceed the server's",
        LOAD,
        "  if (tenant > total) {",
        "  if (false) {",
        config,
      ),
    ];
  })(),
];
