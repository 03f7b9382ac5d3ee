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
import { createLogger, describeError } from "./log/logger.ts";
import { MemoryTodoStore } from "./store/memory.ts";

/** Exit status for a configuration the server refuses (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** Options for {@link serve}. */
export interface ServeOptions {
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

  const store = new MemoryTodoStore();
  const app = createApp({ config, store, logger });
  const drainer = createDrainer();
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) => {
      logger.info("listening", {
        address: `${hostname}:${port}`,
        mcp_url: config.mcpUrl,
        provider: config.auth.kind,
      });
      options.onReady?.(config);
    },
    onError: (error) => {
      logger.error("unhandled_error", describeError(error));
      return Response.json({ error: "server_error" }, { status: 500 });
    },
  }, drainer.wrap((request) => app.fetch(request)));

  const signal = await (options.stop ?? stopSignal());
  logger.info("shutting_down", { signal, grace_ms: config.shutdownGraceMs });
  const drained = await drainer.drain(config.shutdownGraceMs);
  // Nothing is in flight now (or the grace period is over): close listeners
  // and idle connections; streams still being written get the same bound.
  await Promise.race([server.shutdown(), delay(config.shutdownGraceMs)]);
  await store.close();
  if (drained) logger.info("stopped", {});
  else logger.warn("stopped", { reason: "grace period over" });
  return 0;
}

/** Resolves with the name of the first SIGTERM or SIGINT. */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(name, () => resolve(name));
    }
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    Deno.unrefTimer(timer);
  });
}
