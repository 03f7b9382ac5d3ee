/**
 * The versioned schema, one list per SQL dialect, and the rule that decides
 * what to apply. Each backend runs its pending migrations at open, inside one
 * transaction that holds the database's migration lock (SQLite: the write
 * lock of `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), and records each
 * in {@link MIGRATIONS_TABLE}. A migration, once released, never changes:
 * new schema is a new version.
 *
 * @module
 */

import { TodoStoreError } from "./todo_store.ts";

/** One schema step. */
export interface Migration {
  /** 1, 2, 3…: applied in order, each once. */
  readonly version: number;
  /** What it does, recorded beside the version. */
  readonly name: string;
  /** The statements, run in the migration transaction. */
  readonly sql: string;
}

/**
 * Where applied versions are recorded. Named for this project, not
 * `schema_migrations`, so it cannot clash with another tool's table in a
 * shared database.
 */
export const MIGRATIONS_TABLE = "todo_schema_migrations";

/**
 * PostgreSQL. Ids and tenants compare bytewise (`COLLATE "C"`), so list
 * order is the same as SQLite's and JavaScript's whatever the database's
 * locale. The primary key leads with the tenant: no index can find a todo
 * by id alone.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "todos",
    sql: `
      CREATE TABLE todos (
        tenant      text COLLATE "C" NOT NULL,
        id          text COLLATE "C" NOT NULL,
        title       text NOT NULL,
        description text,
        completed   boolean NOT NULL DEFAULT false,
        created_by  text NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX todos_list ON todos (tenant, created_at, id);
      CREATE INDEX todos_list_by_state ON todos (tenant, completed, created_at, id);
    `,
  },
]);

/**
 * SQLite. STRICT tables refuse values of the wrong type; times are ISO 8601
 * text in UTC with milliseconds, which sorts as time does.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "todos",
    sql: `
      CREATE TABLE todos (
        tenant      TEXT NOT NULL,
        id          TEXT NOT NULL,
        title       TEXT NOT NULL,
        description TEXT,
        completed   INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      ) STRICT;
      CREATE INDEX todos_list ON todos (tenant, created_at, id);
      CREATE INDEX todos_list_by_state ON todos (tenant, completed, created_at, id);
    `,
  },
]);

/** The schema version this code writes (the same for both dialects). */
export const SCHEMA_VERSION: number = POSTGRES_MIGRATIONS.length;

/**
 * The migrations still to apply, in order.
 *
 * @param applied Versions the database records.
 * @param known This code's migrations.
 * @param location Where the database is, safe to show (for the message).
 * @throws {TodoStoreError} `schema_too_new` when the database records a
 * version this code does not know: a newer release migrated it, and this
 * one must not write to a schema it does not understand.
 */
export function pendingMigrations(
  applied: readonly number[],
  known: readonly Migration[],
  location: string,
): Migration[] {
  const latest = known.length === 0 ? 0 : known[known.length - 1].version;
  const newest = Math.max(0, ...applied);
  if (newest > latest) {
    throw new TodoStoreError(
      "schema_too_new",
      `The database at ${location} has schema version ${newest}, newer than the ${latest} this server knows; run a release at least as new as the one that migrated it, or point DATABASE_URL at another database`,
    );
  }
  const done = new Set(applied);
  return known.filter((migration) => !done.has(migration.version));
}
