/**
 * The permissions the server needs, and no more: what `deno task compile`
 * bakes into the binary, and what CI grants the bundle (`deno run <these>
 * dist/mcp-scalekit.js`) to prove that set is enough. Never `-A`.
 *
 * - `--allow-net`: it listens on `HOST:PORT` and fetches the issuer's keys
 *   (and reaches PostgreSQL); all three come from configuration at run
 *   time, so no host list can be fixed at build time.
 * - `--allow-env=<list>`: every variable of the settings table
 *   (`src/config/variables.ts` derives it), so a new setting is readable
 *   without touching this file.
 * - `--allow-read` / `--allow-write`: the data directory (SQLite), relative
 *   to the working directory as the default `DATA_DIR` is; `./.env`; and
 *   `/etc/mcp-scalekit`, where the operator's env file lives, for
 *   `--check-config --env-file`. Relative paths are resolved against the
 *   working directory when the binary starts, and Deno compares paths
 *   without resolving symbolic links: keep `DATA_DIR` relative.
 * - `--allow-run=systemd-notify`: readiness under systemd (`src/cli/sd_notify.ts`).
 *
 * Run it to print the flags, one per line.
 *
 * @module
 */

import { SYSTEMD_NOTIFY } from "../src/cli/sd_notify.ts";
import { namesOf } from "../src/config/settings.ts";
import { SETTINGS } from "../src/config/table.ts";
import { serverVariables } from "../src/config/variables.ts";

/** Where the operator's env file lives (`deploy/systemd/mcp-scalekit.env`). */
export const CONFIG_DIR = "/etc/mcp-scalekit";

/** The data directory: the `DATA_DIR` setting's default, when the table has one. */
export function dataDir(): string {
  const spec = Object.values(SETTINGS).find((s) =>
    namesOf(s).includes("DATA_DIR")
  ) as { readonly default?: string } | undefined;
  return (spec?.default ?? "data").replace(/^\.\//, "").replace(/\/+$/, "");
}

/**
 * The permission flags of the binary, in a stable order.
 *
 * @example
 * ```ts
 * import { permissionFlags } from "./permissions.ts";
 *
 * permissionFlags().includes("--allow-net"); // true
 * ```
 */
export function permissionFlags(): string[] {
  const data = dataDir();
  return [
    "--allow-net",
    `--allow-env=${serverVariables().join(",")}`,
    `--allow-read=${data},.env,${CONFIG_DIR}`,
    `--allow-write=${data}`,
    `--allow-run=${SYSTEMD_NOTIFY}`,
  ];
}

if (import.meta.main) {
  console.log(permissionFlags().join("\n"));
}
