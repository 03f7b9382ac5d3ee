/**
 * How the process starts and ends, shared by `serve()` and the
 * `MCP_WORKERS` supervisor: exit statuses (sysexits), the stop signals,
 * and what a failed bind looks like. Kept free of the app's imports, so
 * the supervisor's isolate, which serves nothing, does not load the
 * server (about 45 MB of RSS).
 *
 * @module
 */

import type { Logger } from "./log/logger.ts";

/** Exit status for a configuration the server refuses (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * Exit status when the todo store cannot be opened at start: the database
 * is unreachable or refuses the credentials, the SQLite file cannot be
 * created or written, or the schema is newer than this release (sysexits
 * EX_UNAVAILABLE). One JSON log line, `store_open_failed`, says which.
 */
export const EXIT_STORE_UNAVAILABLE = 69;

/**
 * Exit status when the server's port (or the metrics port) cannot be
 * bound: taken by another program, or not permitted (sysexits EX_OSERR).
 * One JSON log line, `listen_failed`, names the address and the reason.
 */
export const EXIT_LISTEN_FAILED = 71;

/**
 * Exit status when a worker (`MCP_WORKERS`) fails after start-up: an
 * uncaught error, or it stopped without being told (sysexits EX_SOFTWARE).
 */
export const EXIT_WORKER_FAILED = 70;

/** Resolves with the name of the first SIGTERM or SIGINT. */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(name, () => resolve(name));
    }
  });
}

/** Errors of binding a port: taken, not permitted, no such address. */
export function isListenError(error: unknown): error is Error {
  return error instanceof Deno.errors.AddrInUse ||
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.AddrNotAvailable;
}

/** The one line saying a port could not be bound, and why. */
export function logListenFailed(
  logger: Logger,
  address: string,
  error: Error,
): void {
  logger.error("listen_failed", {
    address,
    reason: error.name,
    message: error.message,
  });
}
