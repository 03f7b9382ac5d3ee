// This server as `main.ts` runs it (connection layer, logging, the same
// app) with the verified-token cache (src/auth/token_cache.ts) in front of
// the verifier, as phase 2 will wire it: what the cache is worth on
// loopback, measured today without touching src/. For the benchmarks only.
import { withTokenCache } from "../../src/auth/token_cache.ts";
import { createTokenVerifier } from "../../src/auth/verify.ts";
import { readEnv } from "../../src/config/env_file.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createApp } from "../../src/http/app.ts";
import { serveGuarded } from "../../src/http/guarded_server.ts";
import { createLogger } from "../../src/log/logger.ts";
import { MemoryTodoStore } from "../../src/store/memory.ts";

const { config } = loadConfig(readEnv());
if (config.auth.kind === "none") {
  throw new Error("cached_server.ts needs a token provider");
}
const { auth } = config;
const logger = createLogger({ level: config.logLevel });
const verifier = withTokenCache(
  createTokenVerifier({
    jwksUri: auth.jwksUri,
    issuers: auth.issuers,
    audiences: auth.audiences,
    algorithms: auth.algorithms,
    clockSkewSeconds: config.clockSkewSeconds,
  }),
  { clockSkewSeconds: config.clockSkewSeconds },
);
const app = createApp({
  config,
  store: new MemoryTodoStore(),
  logger,
  verifier,
});
const server = serveGuarded(
  { hostname: config.host, port: config.port },
  (request) => app.fetch(request),
);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(
    signal,
    () => void server.shutdown(Date.now() + 2_000).then(() => Deno.exit(0)),
  );
}
