/**
 * Runs the server until SIGTERM or SIGINT: read the configuration, open the
 * todo store and its change-event bus, build the app, serve, then drain and
 * stop. `main.ts` and dev mode both use it, so there is one way the server
 * starts and stops.
 *
 * @module
 */

import { delay, within } from "./timers.ts";
import { ConfigError } from "./config/errors.ts";
import {
  EXIT_CONFIG,
  EXIT_LISTEN_FAILED,
  EXIT_STORE_UNAVAILABLE,
  isListenError,
  logListenFailed,
  stopSignal,
} from "./lifecycle.ts";
import { type Env, loadConfig } from "./config/load.ts";
import type { Config } from "./config/types.ts";
import { createApp } from "./http/app.ts";
import { createDrainer } from "./http/drain.ts";
import {
  type ConnectionEvent,
  type GuardedServeOptions,
  type GuardedServer,
  serveGuarded,
} from "./http/guarded_server.ts";
import type { Registry } from "prom-client";
import {
  METRICS_PATH,
  type MetricsEndpoint,
  serveMetrics,
} from "./metrics/endpoint.ts";
import {
  combineMetrics,
  noMetrics,
  type ServerMetrics,
} from "./metrics/metrics.ts";
import { createOtelMetrics, otelMetricsEnabled } from "./metrics/otel.ts";
import { createPrometheusMetrics } from "./metrics/prometheus.ts";
import { type ClosableEventBus, openEventBus } from "./events/event_bus.ts";
import { createLogger, describeError, type Logger } from "./log/logger.ts";
import { openTodoStore } from "./store/open.ts";
import { type TodoStore, TodoStoreError } from "./store/todo_store.ts";

/**
 * What makes this `serve()` one of several workers of a process
 * (`MCP_WORKERS` above 1; `src/workers/`): the supervisor gives each a
 * number, the port they share and the channel their change events travel.
 */
export interface WorkerRole {
  /** This worker's number, from 1; on every log line as `worker`. */
  readonly id: number;
  /** How many workers serve the port. */
  readonly count: number;
  /** The concrete port every worker binds, with `SO_REUSEPORT`. */
  readonly port: number;
  /** The `BroadcastChannel` the workers' event buses share (SQLite). */
  readonly channel: string;
  /** Called once this worker listens. */
  readonly onListening?: () => void;
  /**
   * Given this worker's Prometheus registry when `MCP_METRICS_PORT` is
   * set: the supervisor serves the endpoint, summing every worker's.
   */
  readonly onRegistry?: (registry: Registry) => void;
}

/**
 * Connection limits, each overriding its setting (`MCP_MAX_CONNECTIONS`,
 * `MCP_*_TIMEOUT_SECONDS`, `MCP_MAX_HEADER_*`) when given; see
 * {@link GuardedServeOptions} (`src/http/guarded_server.ts`).
 */
export type ConnectionLimits = Pick<
  GuardedServeOptions,
  | "maxConnections"
  | "headersTimeoutMs"
  | "bodyTimeoutMs"
  | "keepAliveTimeoutMs"
  | "sendTimeoutMs"
  | "maxHeaderBytes"
  | "maxHeaderCount"
>;

/** Options for {@link serve}. */
export interface ServeOptions extends ConnectionLimits {
  /**
   * Called once, when the server listens and its store has answered (what
   * `GET /ready` checks), with its configuration: the moment to tell a
   * supervisor the service is ready.
   */
  readonly onReady?: (config: Config) => void;
  /** Resolves when the server should stop. Default: SIGTERM or SIGINT. */
  readonly stop?: Promise<string>;
  /** Set when this is one of several workers; see {@link WorkerRole}. */
  readonly worker?: WorkerRole;
}

/**
 * Serves until told to stop; returns the process exit status: 0 after a
 * clean stop, {@link EXIT_CONFIG} when the configuration is refused (the
 * problems are printed to stderr, one per line),
 * {@link EXIT_STORE_UNAVAILABLE} when the todo store cannot be opened,
 * {@link EXIT_LISTEN_FAILED} when a port cannot be bound.
 */
export async function serve(
  env: Env,
  options: ServeOptions = {},
): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_CONFIG;
  }
  const { config, warnings } = loaded;
  const { worker } = options;
  const logger = createLogger({
    level: config.logLevel,
    ...(worker ? { fields: { worker: worker.id } } : {}),
  });
  // Several workers read the same configuration: one says what is wrong.
  if ((worker?.id ?? 1) === 1) {
    for (const warning of warnings) {
      logger.warn("config_warning", { ...warning });
    }
  }
  if (worker === undefined && config.workers > 1) {
    // Only main.ts starts workers (src/workers/supervisor.ts); dev mode
    // and embedders call serve() directly.
    logger.warn("workers_ignored", {
      workers: config.workers,
      message: "MCP_WORKERS applies to main.ts only; serving from one isolate",
    });
  }

  const storage = await openStorage(config, logger, worker?.channel);
  if (storage === undefined) return EXIT_STORE_UNAVAILABLE;
  const { store, bus } = storage;
  const { metrics, registry } = buildMetrics(config);
  if (registry !== undefined) worker?.onRegistry?.(registry);
  // Aborted when shutdown starts: subscription streams end (they never
  // would by themselves) and the readiness wait stops.
  const stopping = new AbortController();
  const app = createApp({
    config,
    store,
    bus,
    logger,
    signal: stopping.signal,
    metrics,
  });
  const drainer = createDrainer();
  // The connection cap bounds the process's descriptors (3 per
  // connection), so workers share it rather than each taking all of it.
  const maxConnections = options.maxConnections ??
    Math.max(1, Math.floor(config.maxConnections / (worker?.count ?? 1)));
  let server: GuardedServer;
  let metricsEndpoint: MetricsEndpoint | undefined;
  try {
    metricsEndpoint = worker === undefined && registry !== undefined &&
        config.metricsPort !== undefined
      ? startMetricsEndpoint(config.metricsPort, registry, logger)
      : undefined;
  } catch (error) {
    if (!isListenError(error)) throw error;
    logListenFailed(logger, `127.0.0.1:${config.metricsPort}`, error);
    await closeStorage(storage, Date.now() + config.shutdownGraceMs, logger);
    return EXIT_LISTEN_FAILED;
  }
  try {
    server = serveGuarded({
      hostname: config.host,
      port: worker?.port ?? config.port,
      reusePort: worker !== undefined,
      maxConnections,
      headersTimeoutMs: options.headersTimeoutMs ?? config.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? config.bodyTimeoutMs,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ??
        config.keepAliveTimeoutMs,
      sendTimeoutMs: options.sendTimeoutMs ?? config.sendTimeoutMs,
      maxHeaderBytes: options.maxHeaderBytes ?? config.maxHeaderBytes,
      maxHeaderCount: options.maxHeaderCount ?? config.maxHeaderCount,
      onListen: ({ hostname, port }) => {
        logger.info("listening", {
          address: `${hostname}:${port}`,
          mcp_url: config.mcpUrl,
          provider: config.auth.kind,
          max_connections: maxConnections,
        });
        worker?.onListening?.();
        void announceReady(
          store,
          stopping.signal,
          logger,
          () => options.onReady?.(config),
        );
      },
      onError: (error) => {
        logger.error("unhandled_error", describeError(error));
        return Response.json({ error: "server_error" }, { status: 500 });
      },
      onEvent: (event) => logConnectionEvent(logger, event),
    }, drainer.wrap((request, info) => app.fetch(request, info)));
  } catch (error) {
    if (!isListenError(error)) throw error;
    logListenFailed(
      logger,
      `${config.host}:${worker?.port ?? config.port}`,
      error,
    );
    stopping.abort();
    await metricsEndpoint?.shutdown();
    await closeStorage(storage, Date.now() + config.shutdownGraceMs, logger);
    return EXIT_LISTEN_FAILED;
  }

  const signal = await (options.stop ?? stopSignal());
  logger.info("shutting_down", { signal, grace_ms: config.shutdownGraceMs });
  stopping.abort();
  const { drained, closed, released } = await stopWithin(
    config.shutdownGraceMs,
    {
      drain: (ms) => drainer.drain(ms),
      shutdown: async (deadline) => {
        const closed = await server.shutdown(deadline);
        await metricsEndpoint?.shutdown();
        return closed;
      },
      release: (deadline) => closeStorage(storage, deadline, logger),
    },
  );
  if (drained && closed && released) logger.info("stopped", {});
  else {
    logger.warn("stopped", {
      reason: "grace period over",
      requests_finished: drained,
      connections_closed: closed,
      store_closed: released,
    });
  }
  return 0;
}

/** The store and the bus its changes are published on. */
interface Storage {
  readonly store: TodoStore;
  readonly bus: ClosableEventBus;
}

/**
 * Opens the store `DATABASE_URL` names (migrating it) and its event bus;
 * `undefined`, after one `store_open_failed` log line saying why, when
 * either cannot be opened. Never a stack trace for an outage: only a bug
 * (an error that is not the store's) is thrown.
 */
async function openStorage(
  config: Config,
  logger: Logger,
  workerChannel: string | undefined,
): Promise<Storage | undefined> {
  let store: TodoStore;
  try {
    store = await openTodoStore(config.databaseUrl, {
      dataDir: config.dataDir,
      maxTodosPerTenant: config.maxTodosPerTenant,
      memoryMaxTenants: config.memoryMaxTenants,
      memoryMaxTodos: config.memoryMaxTodos,
      busyTimeoutMs: config.sqliteBusyTimeoutMs,
      poolSize: config.databasePoolSize,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      queryTimeoutMs: config.databaseQueryTimeoutMs,
      migrationTimeoutMs: config.databaseMigrationTimeoutMs,
    });
  } catch (error) {
    if (!(error instanceof TodoStoreError)) throw error;
    // Store messages name the location without a password, never the URL.
    logger.error("store_open_failed", {
      code: error.code,
      message: error.message,
    });
    return undefined;
  }
  let bus: ClosableEventBus;
  try {
    bus = await openEventBus(store, {
      workerChannel,
      onError: (error) => logger.warn("event_bus_error", describeError(error)),
    });
  } catch (error) {
    await store.close();
    logger.error("store_open_failed", {
      code: "unavailable",
      message: `Cannot listen for change notifications on ${store.location}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    });
    return undefined;
  }
  logger.info("store_opened", {
    backend: store.backend,
    location: store.location,
  });
  return { store, bus };
}

/**
 * What the server counts, and where: OpenTelemetry instruments when Deno
 * exports them (`OTEL_DENO=true`, over OTLP), Prometheus series when
 * `MCP_METRICS_PORT` is set; with neither, nothing (`noMetrics`: the app
 * then installs no metrics middleware, and a request pays nothing).
 */
function buildMetrics(
  config: Config,
): { readonly metrics: ServerMetrics; readonly registry?: Registry } {
  const targets: ServerMetrics[] = [];
  let registry: Registry | undefined;
  if (config.metricsPort !== undefined) {
    const prometheus = createPrometheusMetrics();
    registry = prometheus.registry;
    targets.push(prometheus);
  }
  if (otelMetricsEnabled()) targets.push(createOtelMetrics());
  const metrics = targets.length === 0
    ? noMetrics
    : targets.length === 1
    ? targets[0]
    : combineMetrics(...targets);
  return { metrics, ...(registry ? { registry } : {}) };
}

/** Serves the registry on the loopback metrics port; logs where. */
function startMetricsEndpoint(
  port: number,
  registry: Registry,
  logger: Logger,
): MetricsEndpoint {
  return serveMetrics({
    port,
    registry,
    onListen: ({ hostname, port }) =>
      logger.info("metrics_listening", {
        address: `${hostname}:${port}`,
        path: METRICS_PATH,
      }),
  });
}

/**
 * Waits until the store answers (it did when it opened, but readiness is
 * about now), then logs `ready` and calls `onReady`, once. While it does
 * not answer, logs `not_ready` and asks again after 0.1 s, doubling to at
 * most 5 s; gives up when `signal` aborts (shutdown).
 */
export async function announceReady(
  store: TodoStore,
  signal: AbortSignal,
  logger: Logger,
  onReady: () => void,
): Promise<void> {
  for (let wait = 100; !signal.aborted; wait = Math.min(wait * 2, 5_000)) {
    try {
      await store.ping();
    } catch (error) {
      const reason = error instanceof TodoStoreError
        ? error.detail ?? error.message
        : String(error);
      logger.warn("not_ready", { reason });
      await delay(wait, signal);
      continue;
    }
    if (signal.aborted) return;
    logger.info("ready", { store: store.location });
    onReady();
    return;
  }
}

/**
 * Closes the bus, then the store, by `deadline` (ms since the epoch):
 * `true` when both closed in time. Past it the process exits anyway, and
 * the database drops the connections.
 */
async function closeStorage(
  { store, bus }: Storage,
  deadline: number,
  logger: Logger,
): Promise<boolean> {
  const closing = (async () => {
    await bus.close();
    await store.close();
  })();
  try {
    return await within(Math.max(0, deadline - Date.now()), closing);
  } catch (error) {
    logger.warn("store_close_failed", describeError(error));
    return false;
  }
}

/** The stages of a stop, each given what is left of one budget. */
export interface StopStages {
  /** Waits up to `ms` for in-flight requests; `true` if they all ended. */
  drain(ms: number): Promise<boolean>;
  /** Closes listeners and connections by `deadline` (ms since the epoch); `true` if all closed in time. */
  shutdown(deadline: number): Promise<boolean>;
  /** Releases what requests used (event bus, store) by `deadline`; `true` if done in time. */
  release?(deadline: number): Promise<boolean>;
}

/**
 * Drains, shuts down, then releases the store, within one budget of
 * `graceMs` from now: each stage gets only what the ones before left, so a
 * stop never takes more than `MCP_SHUTDOWN_GRACE_SECONDS` (it took twice
 * that when each stage had its own).
 */
export async function stopWithin(
  graceMs: number,
  stages: StopStages,
  now: () => number = Date.now,
): Promise<
  {
    readonly drained: boolean;
    readonly closed: boolean;
    readonly released: boolean;
  }
> {
  const deadline = now() + graceMs;
  const drained = await stages.drain(Math.max(0, deadline - now()));
  const closed = await stages.shutdown(deadline);
  const released = await (stages.release?.(deadline) ?? true);
  return { drained, closed, released };
}

function logConnectionEvent(logger: Logger, event: ConnectionEvent): void {
  const { kind, ...fields } = event;
  switch (kind) {
    case "accept_failed":
    case "internal_server_failed":
      logger.error(kind, fields);
      return;
    case "connections_refused":
      logger.warn(kind, fields);
      return;
    case "connection_timeout":
    case "headers_too_large":
    case "malformed_request":
      logger.debug(kind, fields);
      return;
    case "accept_recovered":
    case "internal_server_restarted":
      logger.info(kind, fields);
      return;
  }
}
