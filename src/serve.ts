/**
 * Runs the server until SIGTERM or SIGINT: read the configuration, build the
 * app, serve, then drain and stop. `main.ts` and dev mode both use it, so
 * there is one way the server starts and stops.
 *
 * @module
 */

import { ConfigError } from "./config/errors.ts";
import { type Env, loadConfig } from "./config/load.ts";
import type { Config } from "./config/types.ts";
import { createApp } from "./http/app.ts";
import { createDrainer } from "./http/drain.ts";
import {
  type ConnectionEvent,
  type GuardedServeOptions,
  serveGuarded,
} from "./http/guarded_server.ts";
import { createLogger, describeError, type Logger } from "./log/logger.ts";
import { MemoryTodoStore } from "./store/memory.ts";

/** Exit status for a configuration the server refuses (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

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
  /** Called once the server listens, with its configuration. */
  readonly onReady?: (config: Config) => void;
  /** Resolves when the server should stop. Default: SIGTERM or SIGINT. */
  readonly stop?: Promise<string>;
}

/**
 * Serves until told to stop; returns the process exit status: 0 after a
 * clean stop, {@link EXIT_CONFIG} when the configuration is refused (the
 * problems are printed to stderr, one per line).
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
  const logger = createLogger({ level: config.logLevel });
  for (const warning of warnings) {
    logger.warn("config_warning", { ...warning });
  }

  const store = new MemoryTodoStore({
    maxTenants: config.memoryMaxTenants,
    maxTodos: config.memoryMaxTodos,
  });
  const app = createApp({ config, store, logger });
  const drainer = createDrainer();
  const maxConnections = options.maxConnections ?? config.maxConnections;
  const server = serveGuarded({
    hostname: config.host,
    port: config.port,
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
      options.onReady?.(config);
    },
    onError: (error) => {
      logger.error("unhandled_error", describeError(error));
      return Response.json({ error: "server_error" }, { status: 500 });
    },
    onEvent: (event) => logConnectionEvent(logger, event),
  }, drainer.wrap((request, info) => app.fetch(request, info)));

  const signal = await (options.stop ?? stopSignal());
  logger.info("shutting_down", { signal, grace_ms: config.shutdownGraceMs });
  const { drained, closed } = await stopWithin(config.shutdownGraceMs, {
    drain: (ms) => drainer.drain(ms),
    shutdown: (deadline) => server.shutdown(deadline),
  });
  await store.close();
  if (drained && closed) logger.info("stopped", {});
  else {
    logger.warn("stopped", {
      reason: "grace period over",
      requests_finished: drained,
      connections_closed: closed,
    });
  }
  return 0;
}

/** The two stages of a stop, each given what is left of one budget. */
export interface StopStages {
  /** Waits up to `ms` for in-flight requests; `true` if they all ended. */
  drain(ms: number): Promise<boolean>;
  /** Closes listeners and connections by `deadline` (ms since the epoch); `true` if all closed in time. */
  shutdown(deadline: number): Promise<boolean>;
}

/**
 * Drains, then shuts down, within one budget of `graceMs` from now: the
 * shutdown gets only what the drain left, so a stop never takes more than
 * `MCP_SHUTDOWN_GRACE_SECONDS` (it took twice that when each stage had its
 * own).
 */
export async function stopWithin(
  graceMs: number,
  stages: StopStages,
  now: () => number = Date.now,
): Promise<{ readonly drained: boolean; readonly closed: boolean }> {
  const deadline = now() + graceMs;
  const drained = await stages.drain(Math.max(0, deadline - now()));
  const closed = await stages.shutdown(deadline);
  return { drained, closed };
}

/** Resolves with the name of the first SIGTERM or SIGINT. */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(name, () => resolve(name));
    }
  });
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
