/**
 * The server's entry point: read the environment (and `.env`), serve until
 * SIGTERM or SIGINT, exit with the status `serve` returns. Every behaviour
 * lives in `src/`.
 *
 * @module
 */

import { readEnv } from "./src/config/env_file.ts";
import { serve } from "./src/serve.ts";

if (import.meta.main) {
  Deno.exit(await serve(readEnv()));
}
