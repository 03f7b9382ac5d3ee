/**
 * Reads a `DATABASE_URL`-style string into the backend it names, without
 * ever echoing the string back (it may hold a password).
 *
 * - unset or empty: SQLite at `<dataDir>/todos.db`
 * - `sqlite:<path>` or `sqlite://<path>` (so `sqlite:///abs/todos.db` is absolute)
 * - `postgres://…` or `postgresql://…` (libpq URL form; `sslmode` as libpq)
 * - `memory:`
 *
 * @module
 */

import { join } from "node:path";
import { TodoStoreError } from "./todo_store.ts";

/** The backend a database URL names, with what it needs to open. */
export type DatabaseTarget =
  | { readonly kind: "memory"; readonly location: string }
  | {
    readonly kind: "sqlite";
    /** The database file, as given (relative paths are from the working directory). */
    readonly path: string;
    /** Safe to log. */
    readonly location: string;
  }
  | {
    readonly kind: "postgres";
    /** The URL as given, for the driver only: it may hold a password. */
    readonly url: string;
    /** `postgres://user@host:port/db`: safe to log. */
    readonly location: string;
    /** Host and port, for messages. */
    readonly address: string;
  };

/** Options for {@link parseDatabaseUrl}. */
export interface ParseDatabaseUrlOptions {
  /** Where the default SQLite file lives. Default `./data`. */
  readonly dataDir?: string;
  /** The setting's name, for messages. Default `DATABASE_URL`. */
  readonly name?: string;
}

/** The file the default SQLite database lives in, under the data directory. */
export const DEFAULT_SQLITE_FILE = "todos.db";

/** The data directory when none is given. */
export const DEFAULT_DATA_DIR = "./data";

// libpq's sslmode values (PostgreSQL docs, "SSL Support", Table 34.1).
// postgres.js treats verify-ca as verify-full, which only checks more.
const SSL_MODES = new Set([
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
]);

function refuse(message: string): TodoStoreError {
  return new TodoStoreError("invalid_url", message);
}

/**
 * Names the backend a database URL asks for.
 *
 * @throws {TodoStoreError} `invalid_url`, naming the scheme but never the
 * value.
 * @example
 * ```ts
 * parseDatabaseUrl(undefined, { dataDir: "/var/lib/mcp" });
 * // { kind: "sqlite", path: "/var/lib/mcp/todos.db", location: "sqlite:/var/lib/mcp/todos.db" }
 * ```
 */
export function parseDatabaseUrl(
  value: string | undefined,
  options: ParseDatabaseUrlOptions = {},
): DatabaseTarget {
  const name = options.name ?? "DATABASE_URL";
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") {
    const path = join(options.dataDir ?? DEFAULT_DATA_DIR, DEFAULT_SQLITE_FILE);
    return { kind: "sqlite", path, location: `sqlite:${path}` };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(trimmed)?.[1]
    ?.toLowerCase();
  switch (scheme) {
    case "memory":
      if (trimmed.length !== "memory:".length) {
        throw refuse(`${name} "memory:" takes nothing after the colon`);
      }
      return { kind: "memory", location: "memory:" };
    case "sqlite": {
      let path = trimmed.slice("sqlite:".length);
      if (path.startsWith("//")) path = path.slice(2);
      if (path === "" || path.includes("\u0000")) {
        throw refuse(`${name} "sqlite:" needs a file path, as sqlite:<path>`);
      }
      return { kind: "sqlite", path, location: `sqlite:${path}` };
    }
    case "postgres":
    case "postgresql":
      return parsePostgres(trimmed, name);
    case undefined:
      throw refuse(
        `${name} has no scheme; use sqlite:<path>, postgres://… or memory:`,
      );
    default:
      throw refuse(
        `${name} has the unsupported scheme "${scheme}:"; use sqlite:<path>, postgres://… or memory:`,
      );
  }
}

function parsePostgres(value: string, name: string): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(`${name} is not a valid postgres:// URL`);
  }
  if (url.hostname === "") {
    throw refuse(`${name} needs a host, as postgres://user:password@host/db`);
  }
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && !SSL_MODES.has(sslmode)) {
    throw refuse(
      `${name} has an unknown sslmode; use one of ${[...SSL_MODES].join(", ")}`,
    );
  }
  const port = url.port || "5432";
  const user = url.username ? `${url.username}@` : "";
  const database = url.pathname.length > 1 ? url.pathname : "";
  return {
    kind: "postgres",
    url: value,
    location: `postgres://${user}${url.hostname}:${port}${database}`,
    address: `${url.hostname}:${port}`,
  };
}
