// One isolate of the MCP_WORKERS prototype (bench/workers/main.ts): serves
// the port its parent names, sharing it with its siblings (SO_REUSEPORT:
// the kernel spreads new connections over the isolates), until the parent
// says stop; then drains like a single server does and reports.
//
// BENCH_GUARDED=1: this server's real `serve()` (src/serve.ts), with the
// connection layer; its `Deno.listen` is given `reusePort` here, which is
// what a `reusePort` option of `serveGuarded` would do (needs
// --unstable-net in Deno 2.9.6). Otherwise: the app on `Deno.serve({
// reusePort })` (stable), without the connection layer.
import { serve } from "../../src/serve.ts";
import { readEnv } from "../../src/config/env_file.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/log/logger.ts";
import { MemoryTodoStore } from "../../src/store/memory.ts";

declare const self: Worker & {
  onmessage: ((event: MessageEvent) => void) | null;
};

let requestStop: (signal: string) => void = () => {};
const stop = new Promise<string>((resolve) => (requestStop = resolve));
self.onmessage = (event) => {
  if (event.data?.type === "stop") requestStop(event.data.signal ?? "SIGTERM");
};

const env = readEnv();
if (Deno.env.get("BENCH_GUARDED") === "1") {
  const listen = Deno.listen;
  // deno-lint-ignore no-explicit-any
  (Deno as any).listen = (options: Deno.TcpListenOptions) =>
    listen({ ...options, reusePort: true } as Deno.TcpListenOptions);
  const status = await serve(env, {
    stop,
    onReady: () => self.postMessage({ type: "ready" }),
  });
  self.postMessage({ type: "stopped", status });
} else {
  const { config } = loadConfig(env);
  const logger = createLogger({ level: config.logLevel });
  const app = createApp({ config, store: new MemoryTodoStore(), logger });
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    reusePort: true,
    onListen: () => self.postMessage({ type: "ready" }),
  }, (request) => app.fetch(request));
  await stop;
  await server.shutdown();
  self.postMessage({ type: "stopped", status: 0 });
}
