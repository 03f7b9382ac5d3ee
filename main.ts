/**
 * The server's entry point, for `deno run main.ts` and the compiled binary
 * alike: `serve` (the default), `--check-config`, `--env-file <path>`,
 * `--help`, `--version`. The command line lives in `src/cli/`, every other
 * behaviour in `src/`.
 *
 * @module
 */

import { runCli } from "./src/cli/run.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
