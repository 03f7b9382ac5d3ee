/**
 * The server's entry point: read the environment, build the app, serve it,
 * and shut down cleanly on SIGTERM or SIGINT. It only wires; every behaviour
 * lives in `src/`.
 *
 * @module
 */

import { readEnv } from "./src/config/env_file.ts";
import { ConfigError } from "./src/config/errors.ts";
import { loadConfig } from "./src/config/load.ts";
import { createApp } from "./src/http/app.ts";
import { createDrainer } from "./src/http/drain.ts";
import { createLogger, describeError } from "./src/log/logger.ts";
import { MemoryTodoStore } from "./src/store/memory.ts";

/** Exit status for a configuration the server refuses (sysexits EX_CONFIG). */
const EXIT_CONFIG = 78;

async function main(): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(readEnv());
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
    onListen: ({ hostname, port }) =>
      logger.info("listening", {
        address: `${hostname}:${port}`,
        mcp_url: config.mcpUrl,
        provider: config.auth.kind,
      }),
    onError: (error) => {
      logger.error("unhandled_error", describeError(error));
      return Response.json({ error: "server_error" }, { status: 500 });
    },
  }, drainer.wrap((request) => app.fetch(request)));

  const signal = await stopSignal();
  logger.info("shutting_down", {
    signal,
    grace_ms: config.shutdownGraceMs,
  });
  const drained = await drainer.drain(config.shutdownGraceMs);
  // Nothing is in flight now (or the grace period is over): close listeners
  // and idle connections; streams still being written get the same bound.
  await Promise.race([server.shutdown(), delay(config.shutdownGraceMs)]);
  await store.close();
  if (drained) logger.info("stopped", {});
  else logger.warn("stopped", { reason: "grace period over" });
  return 0;
}

function stopSignal(): Promise<Deno.Signal> {
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

if (import.meta.main) {
  Deno.exit(await main());
}
