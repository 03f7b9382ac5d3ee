/**
 * Opens the todo store a `DATABASE_URL`-style string names: SQLite by
 * default, PostgreSQL for several instances, memory for tests. Schema
 * migrations run here, before the store is returned.
 *
 * @module
 */

import { parseDatabaseUrl } from "./database_url.ts";
import { MemoryTodoStore } from "./memory.ts";
import { openPostgresTodoStore } from "./postgres.ts";
import { openSqliteTodoStore } from "./sqlite.ts";
import type { TodoStore } from "./todo_store.ts";

/** Options for {@link openTodoStore}; each applies to the backends it names. */
export interface OpenTodoStoreOptions {
  /** Where the default SQLite file (`todos.db`) lives; created on first open. Default `./data`. */
  readonly dataDir?: string;
  /** Most todos one tenant may hold (every backend). Default 10 000. */
  readonly maxTodosPerTenant?: number;
  /** Memory: most tenants holding todos at once. Default 10 000. */
  readonly memoryMaxTenants?: number;
  /** Memory: most todos of all tenants together. Default 100 000. */
  readonly memoryMaxTodos?: number;
  /** SQLite: how long to wait for another process's write lock, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL: most pooled connections per instance. Default 10. */
  readonly poolSize?: number;
  /** PostgreSQL: how long to wait for a connection, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL: server-side statement timeout, in ms. Default 5000. */
  readonly queryTimeoutMs?: number;
  /** PostgreSQL: how long migrations may take, waiting for another instance included, in ms. Default 60 000. */
  readonly migrationTimeoutMs?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/**
 * Opens the store `url` names (unset or empty: SQLite under `dataDir`;
 * `sqlite:<path>`; `postgres://…`/`postgresql://…`; `memory:`) and brings its
 * schema up to date.
 *
 * @throws {TodoStoreError} `invalid_url` (naming the scheme, never the
 * value), `unavailable` (the database cannot be opened or reached, with the
 * reason), `schema_too_new`.
 * @example
 * ```ts
 * const store = await openTodoStore(Deno.env.get("DATABASE_URL"), { dataDir: "./data" });
 * console.log(`todos in ${store.location}`);
 * ```
 */
export async function openTodoStore(
  url: string | undefined,
  options: OpenTodoStoreOptions = {},
): Promise<TodoStore> {
  const target = parseDatabaseUrl(url, { dataDir: options.dataDir });
  switch (target.kind) {
    case "memory":
      return new MemoryTodoStore({
        maxTodosPerTenant: options.maxTodosPerTenant,
        maxTenants: options.memoryMaxTenants,
        maxTodos: options.memoryMaxTodos,
        now: options.now,
      });
    case "sqlite":
      return await openSqliteTodoStore({
        path: target.path,
        maxTodosPerTenant: options.maxTodosPerTenant,
        busyTimeoutMs: options.busyTimeoutMs,
        now: options.now,
      });
    case "postgres":
      return await openPostgresTodoStore({
        url: target.url,
        maxTodosPerTenant: options.maxTodosPerTenant,
        poolSize: options.poolSize,
        connectTimeoutMs: options.connectTimeoutMs,
        queryTimeoutMs: options.queryTimeoutMs,
        migrationTimeoutMs: options.migrationTimeoutMs,
        now: options.now,
      });
  }
}
