/**
 * Every environment variable the server process reads, derived from the
 * settings table so the compiled binary's `--allow-env` list cannot drift
 * from it: add a setting to `table.ts` and the binary may read it.
 *
 * @module
 */

import { namesOf } from "./settings.ts";
import { SETTINGS } from "./table.ts";

/**
 * Variables read outside the settings table: `NOTIFY_SOCKET`, set by
 * systemd for a `Type=notify` service (sd_notify(3)), tells the process
 * where to report readiness.
 */
export const PROCESS_VARIABLES = ["NOTIFY_SOCKET"] as const;

/**
 * Variables the PostgreSQL driver (postgres.js, `vendor/postgres`) reads
 * for what a `DATABASE_URL` leaves out, following libpq: host, port, user,
 * database, password, and `PG<OPTION>` for each of its options
 * (`parseOptions()` in `src/index.js`), and the user name it falls back
 * on (`osUsername()`). Under a narrower `--allow-env` the read throws
 * instead of returning nothing.
 */
export const DRIVER_VARIABLES = [
  "PGHOST",
  "PGPORT",
  "PGUSER",
  "PGUSERNAME",
  "PGDATABASE",
  "PGPASSWORD",
  "PGMAX",
  "PGSSL",
  "PGSSLNEGOTIATION",
  "PGIDLE_TIMEOUT",
  "PGCONNECT_TIMEOUT",
  "PGMAX_LIFETIME",
  "PGMAX_PIPELINE",
  "PGBACKOFF",
  "PGKEEP_ALIVE",
  "PGPREPARE",
  "PGDEBUG",
  "PGFETCH_TYPES",
  "PGPUBLICATIONS",
  "PGTARGET_SESSION_ATTRS",
  "USERNAME",
  "USER",
  "LOGNAME",
] as const;

/**
 * The variables the server reads, sorted: every name of every setting
 * (FastMCP's, plain, deprecated), {@link PROCESS_VARIABLES} and
 * {@link DRIVER_VARIABLES}.
 *
 * @example
 * ```ts
 * import { serverVariables } from "./variables.ts";
 *
 * serverVariables().includes("SCALEKIT_RESOURCE_ID"); // true
 * ```
 */
export function serverVariables(): string[] {
  const names = new Set<string>([...PROCESS_VARIABLES, ...DRIVER_VARIABLES]);
  for (const spec of Object.values(SETTINGS)) {
    for (const name of namesOf(spec)) names.add(name);
  }
  return [...names].sort();
}
