/**
 * Builds the Hono app: liveness and readiness checks, discovery documents
 * and the protected MCP endpoint. Tests call `app.fetch(new Request(…))`
 * in-process; `src/serve.ts` serves it (through the guarded server and the
 * drain).
 *
 * @module
 */

import type { ServerEventBus } from "@modelcontextprotocol/server";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { ChallengeContext } from "../auth/challenge.ts";
import { anonymousIdentity, type Identity } from "../auth/identity.ts";
import type { TokenVerifier } from "../auth/verify.ts";
import { createScopePolicy, type ScopePolicy } from "../authz/policy.ts";
import type { Config, TokenAuthConfig } from "../config/types.ts";
import { describeError, type Logger, silentLogger } from "../log/logger.ts";
import { isLoopbackHost } from "../net/loopback.ts";
import { createMcpEndpoint } from "../mcp/handler.ts";
import {
  countJwksFetches,
  noMetrics,
  type ServerMetrics,
  tokenCacheStatsOf,
} from "../metrics/metrics.ts";
import { recordMetrics } from "../metrics/middleware.ts";
import { createMcpServers } from "../mcp/server.ts";
import { PROMPTS } from "../prompts/plan_my_day.ts";
import { reportTodoChanges } from "../events/todo_changes.ts";
import { changedUris, TODO_RESOURCES } from "../resources/todos.ts";
import type { TodoStore } from "../store/todo_store.ts";
import { IDENTITY_TOOLS } from "../tools/identity.ts";
import { createTodoTools } from "../tools/todos.ts";
import {
  createMetadataForwarder,
  UpstreamMetadataError,
} from "./authorization_server_metadata.ts";
import type { Store } from "hono-rate-limiter";
import type { AppEnv } from "./env.ts";
import { limitConcurrency } from "./concurrency.ts";
import { rejectForeignHosts } from "./host.ts";
import { handleMcpPost, refuseUnreadableBody } from "./mcp_route.ts";
import { handleErrors } from "./on_error.ts";
import { guardOrigins } from "./origin.ts";
import { withHeader } from "./_response_headers.ts";
import { limitByAddress, limitByCaller } from "./rate_limit.ts";
import { requireBearer } from "./require_bearer.ts";
import { createConfiguredVerifier } from "./verifier.ts";
import { readiness } from "./readiness.ts";
import { clientText, logRequests } from "./request_log.ts";
import {
  protectedResourceMetadata,
  serveResourceMetadata,
} from "./resource_metadata.ts";

/** Options for {@link createApp}. */
export interface AppOptions {
  /** The parsed configuration. */
  readonly config: Config;
  /** Todo storage; `GET /ready` answers 200 only while it answers. */
  readonly store: TodoStore;
  /**
   * Where todo changes are published for `subscriptions/listen` streams:
   * the bus `openEventBus(store)` gives (PostgreSQL `LISTEN`/`NOTIFY` when
   * instances share a database). Default an in-process bus.
   */
  readonly bus?: ServerEventBus;
  /** Where logs go. Default: nowhere. */
  readonly logger?: Logger;
  /**
   * Token verifier; default one built from `config.auth`, behind the
   * verified-token cache (`src/http/verifier.ts`).
   */
  readonly verifier?: TokenVerifier;
  /**
   * Who may do what. Default built from `config.auth.requiredScopes` and the
   * scope table; tests inject faults around the real one.
   */
  readonly policy?: ScopePolicy;
  /** The fetch used for the JWKS and forwarded metadata. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Aborted when the server shuts down: the MCP endpoint then ends its
   * long-lived streams (`subscriptions/listen`) so the drain can finish.
   */
  readonly signal?: AbortSignal;
  /**
   * Where rate-limit counters live. Default: this process. A shared
   * `hono-rate-limiter` store makes the limits hold across workers and
   * instances (see `rate_limit.ts`).
   */
  readonly rateLimitStores?: {
    readonly address?: Store<AppEnv>;
    readonly caller?: Store<AppEnv>;
  };
  /**
   * Where requests, authentication decisions, key-set fetches and the
   * token cache are counted (`src/metrics/`). Default: nowhere.
   */
  readonly metrics?: ServerMetrics;
}

const ROOT_METADATA_PATH = "/.well-known/oauth-protected-resource";

/**
 * Builds the app.
 *
 * @example
 * ```ts
 * const app = createApp({ config, store: new MemoryTodoStore() });
 * const res = await app.fetch(new Request("http://localhost:3002/health"));
 * ```
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  // Every committed change is published to the changed todo's tenant only
  // (src/events/tenant_events.ts); `endpoint` is built below, before any
  // request can change a todo.
  const store = reportTodoChanges(options.store, {
    onChange(tenant, ids) {
      for (const uri of changedUris(ids)) {
        endpoint.notify.resourceUpdated(tenant, uri);
      }
    },
    onError: (error) => logger.warn("notify_failed", describeError(error)),
  });
  const policy = options.policy ?? createScopePolicy({
    requiredScopes: config.auth.requiredScopes,
    implies: config.scopeImplications,
  });
  const servers = createMcpServers({
    tools: [
      ...createTodoTools({ maxPageSize: config.maxPageSize }),
      ...IDENTITY_TOOLS,
    ],
    resources: TODO_RESOURCES,
    prompts: PROMPTS,
    policy,
    scopeDenial: config.scopeDenial,
    store,
    provider: config.auth.kind,
    now: options.now,
    onUnexpectedError: (error, operation) =>
      logger.error("operation_failed", {
        operation: `${operation.kind} ${operation.name}`,
        ...describeError(error),
      }),
    onStoreUnavailable: (error, operation) =>
      logger.warn("store_unavailable", {
        operation: `${operation.kind} ${operation.name}`,
        reason: error.detail ?? error.message,
      }),
  });
  const endpoint = createMcpEndpoint({
    servers,
    bus: options.bus,
    responseMode: config.responseMode,
    requestTimeoutMs: config.requestTimeoutMs,
    maxSubscriptions: config.maxSubscriptions,
    maxSubscriptionsPerTenant: config.maxSubscriptionsPerTenant,
    maxSubscriptionsPerCaller: config.maxSubscriptionsPerCaller,
    ...(config.auth.kind === "none"
      ? {}
      : { resourceMetadataUrl: config.resourceMetadataUrl }),
    // Requests the SDK refuses (a bad envelope, an unknown revision) are the
    // client's mistake and already answered; keep them out of warnings.
    onError: (error) =>
      logger.debug("mcp_refused", { message: clientText(error.message, 200) }),
  });
  options.signal?.addEventListener("abort", () => void endpoint.close(), {
    once: true,
  });
  const challenge: ChallengeContext = {
    resourceMetadataUrl: config.resourceMetadataUrl,
    requiredScopes: policy.requiredScopes,
  };
  const mcpPath = new URL(config.mcpUrl).pathname;

  const app = new Hono<AppEnv>();
  // First, so a request's latency covers every other middleware.
  if (options.metrics !== undefined && options.metrics !== noMetrics) {
    app.use(recordMetrics(options.metrics));
  }
  app.use(requestId());
  app.use(async function echoRequestId(c, next) {
    await next();
    // hono/request-id sets the header before the handler runs, and a
    // handler that returns a Response of its own (the MCP endpoint, the
    // bearer guard's refusals) replaces those headers: set it on the answer
    // actually sent, so a client can quote the id its log line has. Set in
    // place: `c.header()` (and assigning `c.res`) after the handler copies
    // the whole response, 4% of a tools/call's CPU; `withHeader` copies
    // only a response whose headers are immutable.
    const answer = withHeader(c.res, "X-Request-Id", c.get("requestId"));
    if (answer !== c.res) c.res = answer;
  });
  app.use(logRequests(logger));
  if (isLoopbackHost(config.host)) {
    app.use(rejectForeignHosts(config.mcpUrl));
  }
  app.use(
    secureHeaders({
      // Discovery documents and the MCP endpoint are read cross-origin by
      // browser clients under CORS; these defaults would block them.
      crossOriginResourcePolicy: false,
      crossOriginOpenerPolicy: false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.onError(handleErrors(logger));
  app.notFound((c) =>
    c.json({ error: "not_found", error_description: "No such route" }, 404)
  );

  // Liveness: the process serves HTTP. Readiness: it can also reach its
  // store, so a load balancer sends it traffic.
  app.get("/health", (c) => c.json({ status: "healthy" }));
  app.get("/ready", readiness(options.store));

  // ── Limits (issue 9), before anything reads a token: requests per remote
  // address. Registered after /health, so health checks are never limited.
  app.use(limitByAddress({
    perMinute: config.rateLimitPerAddress,
    limitLoopback: config.rateLimitLoopback,
    store: options.rateLimitStores?.address,
  }));
  // ── end of limits before authentication.

  if (config.auth.kind !== "none") {
    registerDiscovery(app, config, config.auth, policy, options);
  }

  app.use(mcpPath, guardOrigins(config.allowedOrigins));
  app.use(mcpPath, authenticate(config, policy, challenge, options));
  // ── Limits (issue 9), once the caller is known: requests per minute and
  // requests in flight per caller, and in flight in all.
  app.use(
    mcpPath,
    limitByCaller({
      perMinute: config.rateLimitPerCaller,
      store: options.rateLimitStores?.caller,
    }),
    limitConcurrency({
      maxTotal: config.maxConcurrentRequests,
      maxPerCaller: config.maxConcurrentPerCaller,
    }),
  );
  // ── end of limits after authentication.
  app.post(
    mcpPath,
    refuseUnreadableBody(bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) =>
        c.json({
          error: "payload_too_large",
          error_description:
            `The request body exceeds ${config.maxBodyBytes} bytes`,
        }, 413),
    })),
    handleMcpPost({
      endpoint,
      policy,
      challenge,
      scopeDenial: config.scopeDenial,
      limits: config,
      maxResponseBytes: config.maxResponseBytes,
    }),
  );
  // Stateless: no session to resume (GET) or end (DELETE).
  app.all(mcpPath, (c) => {
    c.header("Allow", "POST, OPTIONS");
    return c.json({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32000,
        message:
          `Method ${c.req.method} is not allowed: this server is stateless`,
      },
    }, 405);
  });
  return app;
}

function authenticate(
  config: Config,
  policy: ScopePolicy,
  challenge: ChallengeContext,
  options: AppOptions,
): MiddlewareHandler<AppEnv> {
  if (config.auth.kind === "none") {
    // No authentication means no authorization either: every operation is open.
    return requireNothing(anonymousIdentity(policy.supported));
  }
  const metrics = options.metrics ?? noMetrics;
  const verifier = options.verifier ??
    createConfiguredVerifier(config, config.auth, {
      fetch: metrics === noMetrics
        ? options.fetch
        : countJwksFetches(options.fetch ?? fetch, metrics),
      now: options.now,
    });
  const cacheStats = tokenCacheStatsOf(verifier);
  if (cacheStats !== undefined) metrics.watchTokenCache(cacheStats);
  return requireBearer({ verifier, challenge });
}

function requireNothing(identity: Identity): MiddlewareHandler<AppEnv> {
  return async function anonymous(c, next) {
    c.set("identity", identity);
    await next();
  };
}

function registerDiscovery(
  app: Hono<AppEnv>,
  config: Config,
  auth: TokenAuthConfig,
  policy: ScopePolicy,
  options: AppOptions,
): void {
  const document = protectedResourceMetadata(config, auth, policy);
  const metadataPath = new URL(config.resourceMetadataUrl).pathname;
  const openCors = cors({ origin: "*", allowMethods: ["GET", "OPTIONS"] });
  for (const path of new Set([metadataPath, ROOT_METADATA_PATH])) {
    app.use(path, openCors);
    app.get(path, serveResourceMetadata(document));
  }

  if (!config.proxyAuthorizationServerMetadata) return;
  if (auth.authorizationServerMetadataUrl === undefined) return;
  const forwarder = createMetadataForwarder({
    url: auth.authorizationServerMetadataUrl,
    fetch: options.fetch,
    now: options.now,
  });
  const path = "/.well-known/oauth-authorization-server";
  app.use(path, openCors);
  app.get(path, async (c) => {
    try {
      const upstream = await forwarder.get();
      c.header("Cache-Control", "public, max-age=300");
      return c.json(upstream);
    } catch (error) {
      if (!(error instanceof UpstreamMetadataError)) throw error;
      return c.json({
        error: error.code,
        error_description: error.message,
      }, 502);
    }
  });
}
