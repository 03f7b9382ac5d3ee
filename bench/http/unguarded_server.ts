// This server's app on a bare `Deno.serve`, without the connection layer
// (src/http/guarded_server.ts) that `main.ts` puts in front of it: the same
// configuration, store, logger and app as `src/serve.ts` builds, so the
// difference between the two is the connection layer alone. For the
// benchmarks and the profile only; never a way to run the server.
import { readEnv } from "../../src/config/env_file.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/log/logger.ts";
import { MemoryTodoStore } from "../../src/store/memory.ts";

const { config } = loadConfig(readEnv());
const logger = createLogger({ level: config.logLevel });
const app = createApp({ config, store: new MemoryTodoStore(), logger });
const server = Deno.serve({
  hostname: config.host,
  port: config.port,
  onListen: () => {},
}, (request) => app.fetch(request));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => void server.shutdown());
}
