/**
 * Every setting the server reads, described once. Parsing, validation, the
 * effective-settings description and the README's tables
 * (`deno task docs:config`) all come from here.
 *
 * To add a setting, add one entry: to {@link SERVER_SETTINGS} when the
 * server uses the value as is (it becomes the `Config` field of the same
 * key), to {@link AUTH_SETTINGS} when `load.ts` derives something from it.
 * Then run `deno task docs:config`.
 *
 * @module
 */

import {
  algorithms,
  boolean,
  choice,
  databaseUrl,
  host,
  httpUrl,
  httpUrlText,
  integer,
  list,
  oneOf,
  origins,
  requiredScopes,
  resourceId,
  scopeImplications,
  secondsAsMs,
  text,
  urlPath,
  workers,
} from "./parsers.ts";
import { normalisePath } from "./_urls.ts";
import type { SettingSpec } from "./settings.ts";
import type { ProviderKind } from "./types.ts";

const SK = "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_";
const JWT = "FASTMCP_SERVER_AUTH_JWT_";

/** Accepted `FASTMCP_SERVER_AUTH` values: FastMCP's class paths and short names. */
const PROVIDER_NAMES: readonly (readonly [string, ProviderKind])[] = [
  ["fastmcp.server.auth.providers.scalekit.ScalekitProvider", "scalekit"],
  ["scalekit", "scalekit"],
  ["fastmcp.server.auth.providers.jwt.JWTVerifier", "jwt"],
  ["jwt", "jwt"],
  ["none", "none"],
];

/** `FASTMCP_SERVER_AUTH`: read first, as it decides which other settings apply. */
export const PROVIDER_SETTING = {
  fastmcp: "FASTMCP_SERVER_AUTH",
  parse: choice(PROVIDER_NAMES),
  computedDefault: "`scalekit` if an environment URL is set",
  doc:
    "Provider, in any case: `scalekit` or `fastmcp.server.auth.providers.scalekit.ScalekitProvider`; `jwt` or `fastmcp.server.auth.providers.jwt.JWTVerifier`; `none`",
} as const satisfies SettingSpec;

/** Settings the endpoint and the token provider are derived from (in `load.ts`). */
export const AUTH_SETTINGS = {
  environmentUrl: {
    fastmcp: `${SK}ENVIRONMENT_URL`,
    name: "SCALEKIT_ENVIRONMENT_URL",
    providers: ["scalekit"],
    // Scalekit's `iss` has no trailing slash; paths are joined onto this.
    parse: httpUrl({ bare: true, example: "https://your-env.scalekit.com" })
      .transform((url) => url.origin + normalisePath(url.pathname)),
    required:
      'to your Scalekit environment URL (Dashboard > Settings), such as "https://your-env.scalekit.com"',
    doc: "Scalekit environment URL",
  },
  resourceId: {
    fastmcp: `${SK}RESOURCE_ID`,
    name: "SCALEKIT_RESOURCE_ID",
    providers: ["scalekit"],
    parse: resourceId(),
    required:
      "to your resource id (res_…), shown in the Scalekit dashboard under MCP Servers",
    doc: "Resource id (`res_…`)",
  },
  scalekitBaseUrl: {
    fastmcp: `${SK}BASE_URL`,
    name: "BASE_URL",
    // FastMCP's `mcp_url`: same meaning, and `base_url` wins.
    deprecated: { fastmcp: `${SK}MCP_URL`, name: "MCP_URL" },
    providers: ["scalekit"],
    parse: httpUrl({ bare: true }),
    required:
      'to the server\'s public URL, such as "https://mcp.example.com" or "http://localhost:3002"',
    doc:
      "Public base URL; the MCP endpoint is this plus `MCP_PATH`. A base URL that already ends in the MCP path is not doubled (it warns)",
  },
  scalekitRequiredScopes: {
    fastmcp: `${SK}REQUIRED_SCOPES`,
    name: "SCALEKIT_REQUIRED_SCOPES",
    providers: ["scalekit"],
    parse: requiredScopes(),
    computedDefault: "none",
    doc:
      'Scopes every request needs: `a,b`, `a b` or `["a","b"]` (never `offline_access`)',
  },
  clientId: {
    fastmcp: `${SK}CLIENT_ID`,
    name: "SCALEKIT_CLIENT_ID",
    providers: ["scalekit"],
    ignored:
      "a resource server needs no client id (MCP clients register themselves)",
    doc:
      "Accepted and ignored (a resource server needs no client id); warns once",
  },
  jwksUri: {
    fastmcp: `${JWT}JWKS_URI`,
    providers: ["jwt"],
    parse: httpUrl({
      example: "https://auth.example.com/.well-known/jwks.json",
    }).transform((url) => url.href),
    required:
      'to the URL of the issuer\'s signing keys (JWKS), such as "https://auth.example.com/.well-known/jwks.json"; a static public key is not supported',
    doc: "JWKS of any OIDC/OAuth issuer (static public keys are not supported)",
  },
  issuers: {
    fastmcp: `${JWT}ISSUER`,
    providers: ["jwt"],
    parse: list(),
    required:
      'to the issuer (the tokens\' "iss"), such as "https://auth.example.com"; several may be separated by commas',
    doc: "Accepted issuers, one or several",
  },
  audiences: {
    fastmcp: `${JWT}AUDIENCE`,
    providers: ["jwt"],
    parse: list(),
    computedDefault: "the MCP endpoint URL",
    doc: "Accepted audiences, one or several",
  },
  algorithms: {
    fastmcp: `${JWT}ALGORITHM`,
    providers: ["jwt"],
    parse: algorithms(),
    default: "RS256",
    doc: "Accepted asymmetric algorithms (`HS*` and `none` are refused)",
  },
  jwtRequiredScopes: {
    fastmcp: `${JWT}REQUIRED_SCOPES`,
    providers: ["jwt"],
    parse: requiredScopes(),
    computedDefault: "none",
    doc: "Scopes every request needs, as for Scalekit",
  },
  jwtBaseUrl: {
    fastmcp: `${JWT}BASE_URL`,
    name: "BASE_URL",
    providers: ["jwt"],
    parse: httpUrl({ bare: true }),
    computedDefault: "`http://HOST:PORT` (not with `PORT` 0)",
    doc: "Public base URL, as for Scalekit",
  },
  authorizationServers: {
    fastmcp: `${JWT}AUTHORIZATION_SERVERS`,
    providers: ["jwt"],
    parse: list(
      httpUrlText({ bare: true, example: "https://auth.example.com" }),
    ),
    computedDefault: "the issuers",
    doc: "What the metadata advertises as `authorization_servers`",
  },
  baseUrl: {
    name: "BASE_URL",
    providers: ["none"],
    parse: httpUrl({ bare: true }),
    computedDefault: "`http://HOST:PORT`",
    doc: "Public base URL, without authentication",
  },
  mcpPath: {
    name: "MCP_PATH",
    parse: urlPath(),
    default: "/mcp",
    doc: "Path of the MCP endpoint",
  },
  allowedOrigins: {
    name: "MCP_ALLOWED_ORIGINS",
    parse: origins(),
    computedDefault: "the base URL's origin",
    doc:
      "Browser origins allowed to call the endpoint (exact origins; `*` refused). Loopback origins are always allowed",
  },
} as const satisfies Record<string, SettingSpec>;

/** Settings the server uses as parsed: each becomes the `Config` field of the same key. */
export const SERVER_SETTINGS = {
  port: {
    name: "PORT",
    parse: integer(0, 65_535),
    default: "3002",
    doc: "Port to bind; 0 picks a free one",
  },
  host: {
    name: "HOST",
    parse: host(),
    default: "127.0.0.1",
    doc: "Address to bind. `none` is refused unless this is loopback",
  },
  maxBodyBytes: {
    name: "MCP_MAX_BODY_BYTES",
    parse: integer(1),
    default: "1048576",
    doc: "Largest request body, in bytes; larger gets 413",
  },
  clockSkewSeconds: {
    name: "MCP_CLOCK_SKEW_SECONDS",
    parse: integer(0, 300),
    default: "30",
    doc: "Leeway for `exp`/`nbf`, in seconds, 0–300",
  },
  scopeImplications: {
    name: "MCP_SCOPE_IMPLIES",
    parse: scopeImplications(),
    default: "{}",
    doc:
      "A scope hierarchy you defined in Scalekit: `broad=narrow narrow; other=narrow` or a JSON object. A token with a broad scope may then do what the narrow ones allow. None by default",
  },
  scopeDenial: {
    name: "MCP_SCOPE_DENIAL",
    parse: oneOf("http", "tool"),
    default: "http",
    doc:
      "A tool call without its scopes: `http` gives 403 `insufficient_scope` (step-up); `tool` gives the guides' in-band tool error",
  },
  responseMode: {
    name: "MCP_RESPONSE_MODE",
    parse: oneOf("json", "sse"),
    default: "json",
    doc: "`json` bodies or `sse` streams",
  },
  resourceName: {
    name: "MCP_RESOURCE_NAME",
    parse: text(),
    doc: "Optional `resource_name` in the metadata",
  },
  resourceDocumentation: {
    name: "MCP_RESOURCE_DOCUMENTATION",
    parse: httpUrl({ example: "https://docs.example.com/mcp" })
      .transform((url) => url.href),
    doc: "Optional `resource_documentation` URL",
  },
  proxyAuthorizationServerMetadata: {
    name: "MCP_PROXY_AUTH_SERVER_METADATA",
    parse: boolean(),
    default: "false",
    doc:
      "Also serve `/.well-known/oauth-authorization-server`, forwarded from the issuer's per-resource document (5 s timeout, 5 min cache, 502 JSON when unreachable), for older clients",
  },
  databaseUrl: {
    name: "DATABASE_URL",
    parse: databaseUrl(),
    secret: true,
    computedDefault: "SQLite in `DATA_DIR`",
    doc:
      "Where todos live: `sqlite:<path>` (one instance), `postgres://user:password@host:5432/db` or `postgresql://…` with libpq's `sslmode` (several instances share it), or `memory:` (lost at exit). Unset: `DATA_DIR/todos.db`",
  },
  dataDir: {
    name: "DATA_DIR",
    parse: text(),
    default: "./data",
    doc:
      "Directory of the default SQLite file, `todos.db`; created (mode 0700) on first start. Unused when `DATABASE_URL` is set",
  },
  maxTodosPerTenant: {
    name: "MAX_TODOS_PER_TENANT",
    parse: integer(1, 1_000_000),
    default: "10000",
    doc:
      "Most todos one organisation (or user without one) may keep; `create_todo` says so past it",
  },
  databasePoolSize: {
    name: "DATABASE_POOL_SIZE",
    parse: integer(1, 1_000),
    default: "10",
    doc:
      "PostgreSQL: most connections one instance opens for queries (one more listens for change notifications)",
  },
  databaseConnectTimeoutMs: {
    name: "DATABASE_CONNECT_TIMEOUT_SECONDS",
    parse: secondsAsMs(300),
    default: "5",
    doc:
      "PostgreSQL: how long to wait for a connection; past it a call fails as unavailable",
  },
  databaseQueryTimeoutMs: {
    name: "DATABASE_QUERY_TIMEOUT_SECONDS",
    parse: secondsAsMs(300),
    default: "5",
    doc:
      "PostgreSQL: how long one statement may run (`statement_timeout`); a call waits at most connect plus query timeout",
  },
  databaseMigrationTimeoutMs: {
    name: "DATABASE_MIGRATION_TIMEOUT_SECONDS",
    parse: secondsAsMs(3600),
    default: "60",
    doc:
      "PostgreSQL: how long start-up may spend migrating, waiting for another instance's migration included",
  },
  sqliteBusyTimeoutMs: {
    name: "SQLITE_BUSY_TIMEOUT_SECONDS",
    parse: secondsAsMs(60),
    default: "5",
    doc:
      "SQLite: how long a write waits for another process's lock (a backup, say) before failing as unavailable",
  },
  shutdownGraceMs: {
    name: "MCP_SHUTDOWN_GRACE_SECONDS",
    // Far below the timer limit of about 24 days.
    parse: secondsAsMs(3600),
    default: "10",
    doc: "How long SIGTERM/SIGINT waits for in-flight requests, in seconds",
  },
  // Limits and timeouts (issue 9). Every one answers a breach with a
  // documented error; the README's limits table lists them all.
  maxConnections: {
    name: "MCP_MAX_CONNECTIONS",
    parse: integer(1, 100_000),
    default: "300",
    doc:
      "Most client connections open at once; one more gets 503 `too_many_connections`. Needs `3 × this + 64` file descriptors",
  },
  headersTimeoutMs: {
    name: "MCP_HEADERS_TIMEOUT_SECONDS",
    parse: secondsAsMs(3600),
    default: "10",
    doc:
      "Time a client has to send a request's headers, in seconds; then 408 `request_timeout`",
  },
  bodyTimeoutMs: {
    name: "MCP_BODY_TIMEOUT_SECONDS",
    parse: secondsAsMs(3600),
    default: "30",
    doc:
      "Time a client has to send a request's body once its headers are in, in seconds; then 408 `request_timeout`",
  },
  keepAliveTimeoutMs: {
    name: "MCP_KEEP_ALIVE_TIMEOUT_SECONDS",
    parse: secondsAsMs(3600),
    default: "5",
    doc:
      "Idle time between requests before a connection is closed, in seconds (advertised as `Keep-Alive: timeout=`)",
  },
  sendTimeoutMs: {
    name: "MCP_SEND_TIMEOUT_SECONDS",
    parse: secondsAsMs(3600),
    default: "30",
    doc:
      "How long one write to a client may make no progress before the connection is dropped, in seconds",
  },
  maxHeaderBytes: {
    name: "MCP_MAX_HEADER_BYTES",
    parse: integer(1024, 1_048_576),
    default: "16384",
    doc:
      "Largest request line plus headers, in bytes; larger gets 431 `request_header_fields_too_large`",
  },
  maxHeaderCount: {
    name: "MCP_MAX_HEADER_COUNT",
    parse: integer(8, 1000),
    default: "64",
    doc: "Most header fields in a request; more gets 431",
  },
  requestTimeoutMs: {
    name: "MCP_REQUEST_TIMEOUT_SECONDS",
    parse: secondsAsMs(3600),
    default: "30",
    doc:
      "Time an MCP request has to produce its response, in seconds; then it is cancelled and answered 503 (JSON-RPC error -31504)",
  },
  maxConcurrentRequests: {
    name: "MCP_MAX_CONCURRENT_REQUESTS",
    parse: integer(1, 100_000),
    default: "100",
    doc:
      "Most MCP requests being handled at once, all callers together; more get 503 `server_busy`",
  },
  maxConcurrentPerCaller: {
    name: "MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER",
    parse: integer(1, 100_000),
    default: "8",
    doc:
      "Most MCP requests one caller (subject and client id) may have in flight; more get 429 `too_many_concurrent_requests`",
  },
  maxSubscriptions: {
    name: "MCP_MAX_SUBSCRIPTIONS",
    parse: integer(1, 100_000),
    default: "256",
    doc:
      "Most `subscriptions/listen` streams open at once, all callers together; more get JSON-RPC -32603 `Subscription limit reached`. Each holds a connection: keep it below `MCP_MAX_CONNECTIONS`",
  },
  maxSubscriptionsPerTenant: {
    name: "MCP_MAX_SUBSCRIPTIONS_PER_TENANT",
    parse: integer(1, 100_000),
    default: "128",
    doc:
      "Most `subscriptions/listen` streams one tenant's callers (one organisation, else one subject) may hold; at most `MCP_MAX_SUBSCRIPTIONS`; more get JSON-RPC -32603",
  },
  maxSubscriptionsPerCaller: {
    name: "MCP_MAX_SUBSCRIPTIONS_PER_CALLER",
    parse: integer(1, 100_000),
    default: "16",
    doc:
      "Most `subscriptions/listen` streams one caller (subject and client id) may hold; at most `MCP_MAX_SUBSCRIPTIONS_PER_TENANT`; more get JSON-RPC -32603",
  },
  rateLimitPerAddress: {
    name: "MCP_RATE_LIMIT_PER_ADDRESS",
    parse: integer(0, 1_000_000),
    default: "600",
    doc:
      "Requests per minute from one remote address (an IPv6 /64), counted before authentication; more get 429 `rate_limited` with `Retry-After`. 0 turns it off",
  },
  rateLimitPerCaller: {
    name: "MCP_RATE_LIMIT_PER_CALLER",
    parse: integer(0, 1_000_000),
    default: "300",
    doc:
      "MCP requests per minute from one verified caller (subject and client id); more get 429 `rate_limited` with `Retry-After`. 0 turns it off",
  },
  rateLimitLoopback: {
    name: "MCP_RATE_LIMIT_LOOPBACK",
    parse: boolean(),
    default: "true",
    doc:
      "Whether requests from loopback addresses count against `MCP_RATE_LIMIT_PER_ADDRESS`; `deno task dev` sets it to `false`",
  },
  maxJsonDepth: {
    name: "MCP_MAX_JSON_DEPTH",
    parse: integer(4, 1000),
    default: "32",
    doc:
      "Deepest nesting of arrays and objects in a request body; deeper gets 400 (JSON-RPC -32600)",
  },
  maxBatchSize: {
    name: "MCP_MAX_BATCH_SIZE",
    parse: integer(1, 100),
    default: "20",
    doc:
      "Most messages in one 2025-era JSON-RPC batch; more gets 400 (JSON-RPC -32600)",
  },
  maxArgumentBytes: {
    name: "MCP_MAX_ARGUMENT_BYTES",
    parse: integer(256, 1_048_576),
    default: "65536",
    doc:
      "Largest `arguments` of one tool call or prompt get, as JSON bytes; larger gets 400 (JSON-RPC -32602)",
  },
  maxResourceSubscriptions: {
    name: "MCP_MAX_RESOURCE_SUBSCRIPTIONS",
    parse: integer(1, 10_000),
    default: "100",
    doc:
      "Most URIs in one `subscriptions/listen` request's `resourceSubscriptions`; more gets 400 (JSON-RPC -32602)",
  },
  maxResponseBytes: {
    name: "MCP_MAX_RESPONSE_BYTES",
    parse: integer(4096, 1_073_741_824),
    default: "4194304",
    doc:
      "Most result bytes one HTTP request may produce (a batch shares it); a result over it is replaced by an error saying to ask for less",
  },
  maxPageSize: {
    name: "MCP_MAX_PAGE_SIZE",
    parse: integer(1, 1000),
    default: "100",
    doc:
      "Largest page `list_todos` and `export_all_todos` return; `limit` above it is refused",
  },
  memoryMaxTenants: {
    name: "MCP_MEMORY_MAX_TENANTS",
    parse: integer(1, 10_000_000),
    default: "10000",
    doc:
      "In-memory store: most tenants (organisations or subjects) with todos; a new one's first todo is then refused",
  },
  memoryMaxTodos: {
    name: "MCP_MEMORY_MAX_TODOS",
    parse: integer(1, 100_000_000),
    default: "100000",
    doc:
      "In-memory store: most todos of all tenants together; creating more is refused",
  },
  maxTokenLifetimeSeconds: {
    name: "MCP_MAX_TOKEN_LIFETIME_SECONDS",
    parse: integer(60, 31_536_000),
    default: "86400",
    doc:
      "Longest token lifetime accepted, in seconds: `exp` at most this far from now and from `iat`",
  },
  jwksBackoffMinMs: {
    name: "MCP_JWKS_BACKOFF_MIN_SECONDS",
    parse: secondsAsMs(3600),
    default: "1",
    doc:
      "After a failed fetch of the issuer's keys, no fetch for this long, in seconds; doubles per failure",
  },
  jwksBackoffMaxMs: {
    name: "MCP_JWKS_BACKOFF_MAX_SECONDS",
    parse: secondsAsMs(86_400),
    default: "60",
    doc:
      "Longest wait between key fetches while the issuer keeps failing, in seconds (at least the minimum)",
  },
  jwksStaleIfErrorMs: {
    name: "MCP_JWKS_STALE_IF_ERROR_SECONDS",
    parse: secondsAsMs(2_592_000, { zero: true }),
    default: "86400",
    doc:
      "While key fetches fail, keys from the last good fetch keep verifying tokens this long after it, in seconds; 0 turns it off",
  },
  tokenCacheMaxEntries: {
    name: "MCP_TOKEN_CACHE_MAX_ENTRIES",
    parse: integer(0, 1_000_000),
    default: "10000",
    doc:
      "Most verified tokens remembered (by their SHA-256), so a repeated token skips the signature check; 0 turns the cache off. Tokens over 4 KiB are never cached",
  },
  tokenCacheTtlMs: {
    name: "MCP_TOKEN_CACHE_TTL_SECONDS",
    // An hour at most: a decision should not outlive the key set it was
    // made with by longer than a Scalekit token lives.
    parse: secondsAsMs(3600),
    default: "300",
    doc:
      "Longest a verified token is remembered, in seconds, whatever its `exp` (checked again, with the leeway, on every use); at most 3600",
  },
  // Performance (issue 12): isolates and metrics.
  workers: {
    name: "MCP_WORKERS",
    parse: workers(),
    default: "1",
    doc:
      "Isolates serving the port together (`SO_REUSEPORT`): a whole number from 1 to 64, or `auto` for one per core. Each opens its own store connection(s) and token cache; the in-memory store needs 1",
  },
  metricsPort: {
    name: "MCP_METRICS_PORT",
    parse: integer(0, 65_535),
    doc:
      "Serve Prometheus metrics at `http://127.0.0.1:<port>/metrics` (loopback only; 0 picks a free port). Unset: no endpoint",
  },
  logLevel: {
    name: "LOG_LEVEL",
    parse: choice([
      ["debug", "debug"],
      ["info", "info"],
      ["warn", "warn"],
      ["warning", "warn"],
      ["error", "error"],
    ]),
    default: "info",
    doc: "`debug`, `info`, `warn` or `error`",
  },
} as const satisfies Record<string, SettingSpec>;

/** Every server setting, in README order. */
export const SETTINGS = {
  provider: PROVIDER_SETTING,
  ...AUTH_SETTINGS,
  ...SERVER_SETTINGS,
} as const;

/** `deno task dev`'s own settings; the server's are read as usual. */
export const DEV_SETTINGS = {
  port: {
    name: "PORT",
    // The mock issuer must know the server's URL before the server starts.
    parse: integer(1, 65_535),
    default: "3002",
    doc: "Port of the server (0 is refused: the mock issuer needs the URL)",
  },
  mockIssuerPort: {
    name: "MOCK_ISSUER_PORT",
    parse: integer(0, 65_535),
    default: "3003",
    doc: "Port of the mock Scalekit issuer; 0 picks a free one",
  },
  stateDir: {
    name: "DEV_STATE_DIR",
    parse: text(),
    default: ".dev",
    doc: "Where the mock keeps its signing keys and registered clients",
  },
  consent: {
    name: "DEV_CONSENT",
    parse: choice<"prompt" | "auto">([["prompt", "prompt"], ["auto", "auto"]]),
    default: "prompt",
    doc:
      "`prompt`: the mock's login shows a consent page (user, organisation, scopes to tick); `auto`: it consents at once, for scripted clients",
  },
} as const satisfies Record<string, SettingSpec>;
