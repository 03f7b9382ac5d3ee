/**
 * The server's entry point, for `deno run main.ts` and the compiled binary
 * alike: `serve` (the default), `--check-config`, `--env-file <path>`,
 * `--help`, `--version`. The command line lives in `src/cli/`, every other
 * behaviour in `src/`. Loaded as a worker (`MCP_WORKERS` above 1), it
 * serves as that worker instead.
 *
 * @module
 */

import { isWorkerIsolate } from "./src/workers/protocol.ts";

if (import.meta.main) {
  // With MCP_WORKERS above 1 the supervisor loads this same module in each
  // worker (src/workers/supervisor.ts), so one file serves every role. The
  // imports are dynamic so each isolate loads only what its role needs.
  if (isWorkerIsolate()) {
    const { runWorker } = await import("./src/workers/worker.ts");
    await runWorker();
  } else {
    const { runCli } = await import("./src/cli/run.ts");
    Deno.exit(await runCli(Deno.args));
  }
}
