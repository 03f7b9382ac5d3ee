/**
 * The SQLite {@link TodoStore}, the embedded default: Deno's built-in
 * `node:sqlite` (no FFI, nothing to install), one file, WAL mode.
 *
 * `node:sqlite` is synchronous, so each call runs to completion before the
 * next starts in this process; `BEGIN IMMEDIATE` takes SQLite's write lock
 * up front, which makes the quota check and the migrations safe against a
 * second process on the same file too. A lock held elsewhere is waited for
 * up to the busy timeout (which blocks this process for that long), then
 * reported as `unavailable`.
 *
 * @module
 */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { decodeCursor, pageOf, type Position } from "./_cursor.ts";
import {
  type CheckedPatch,
  checkNewTodo,
  checkPatch,
  checkQuery,
  checkTenant,
  isTodoId,
} from "./_input.ts";
import {
  checkQuota,
  closedError,
  quotaExceeded,
  unavailable,
} from "./_refusals.ts";
import {
  MIGRATIONS_TABLE,
  pendingMigrations,
  SQLITE_MIGRATIONS,
} from "./migrations.ts";
import {
  type NewTodo,
  type Todo,
  type TodoPage,
  type TodoPatch,
  type TodoQuery,
  type TodoStore,
  TodoStoreError,
} from "./todo_store.ts";

/** Options for {@link openSqliteTodoStore}. */
export interface SqliteTodoStoreOptions {
  /** The database file; created (with its directory, mode 0700) when missing. */
  readonly path: string;
  /** Most todos one tenant may hold. Default 10 000. */
  readonly maxTodosPerTenant?: number;
  /** How long to wait for another connection's write lock, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

const COLUMNS =
  "id, title, description, completed, created_by, created_at, updated_at";

interface Row {
  id: string;
  title: string;
  description: string | null;
  completed: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

function toTodo(row: Row): Todo {
  return Object.freeze({
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed === 1,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  });
}

// sqlite3_errstr() texts of the result codes that mean "the database cannot
// serve now" rather than "this statement is wrong" (sqlite.org/rescode.html:
// SQLITE_BUSY, _LOCKED, _IOERR, _FULL, _CANTOPEN, _READONLY, _CORRUPT,
// _NOTADB). Deno's node:sqlite reports only the text, not the code.
const OUTAGES = [
  "database is locked",
  "database table is locked",
  "disk I/O error",
  "database or disk is full",
  "unable to open database file",
  "attempt to write a readonly database",
  "database disk image is malformed",
  "file is not a database",
];

function outage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if ((error as { code?: unknown }).code !== "ERR_SQLITE_ERROR") {
    return undefined;
  }
  return OUTAGES.find((text) => error.message.startsWith(text));
}

/**
 * Opens (creating when missing) a SQLite database and brings its schema up
 * to date.
 *
 * @throws {TodoStoreError} `unavailable` when the file cannot be opened or
 * written, `schema_too_new` when a newer release migrated it.
 * @example
 * ```ts
 * const store = await openSqliteTodoStore({ path: "./data/todos.db" });
 * ```
 */
export function openSqliteTodoStore(
  options: SqliteTodoStoreOptions,
): Promise<SqliteTodoStore> {
  try {
    return Promise.resolve(new SqliteTodoStore(options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Todos in one SQLite file. Build it with {@link openSqliteTodoStore}. */
export class SqliteTodoStore implements TodoStore {
  /** Always `"sqlite"`. */
  readonly backend = "sqlite" as const;
  /** `sqlite:<path>`. */
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #maxTodos: number;
  readonly #now: () => Date;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

  /**
   * Opens the file synchronously; prefer {@link openSqliteTodoStore}.
   *
   * @param options File, quota, busy timeout and clock.
   */
  constructor(options: SqliteTodoStoreOptions) {
    this.location = `sqlite:${options.path}`;
    this.#maxTodos = checkQuota(options.maxTodosPerTenant);
    this.#now = options.now ?? (() => new Date());
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(
        `busyTimeoutMs must be a whole number of ms, got ${busyTimeoutMs}`,
      );
    }
    try {
      mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
      this.#db = new DatabaseSync(options.path);
    } catch (error) {
      throw this.#openFailed(error);
    }
    try {
      // WAL: readers never block the writer and a commit is one append
      // (sqlite.org/wal.html). synchronous=FULL syncs the WAL at every
      // commit, so an acknowledged write survives power loss, not only a
      // crash of this process.
      this.#db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      const mode = this.#db.prepare("PRAGMA journal_mode = WAL").get() as {
        journal_mode: string;
      };
      if (mode.journal_mode !== "wal") {
        throw unavailable(
          `the file system refused WAL mode (journal_mode is ${mode.journal_mode})`,
        );
      }
      this.#db.exec("PRAGMA synchronous = FULL");
      this.#db.exec("PRAGMA foreign_keys = ON");
      this.#migrate();
    } catch (error) {
      this.#db.close();
      throw this.#openFailed(error);
    }
  }

  create(tenant: string, input: NewTodo): Promise<Todo> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const todo = checkNewTodo(input);
      return this.#transaction(() => {
        const { n } = this.#statement(
          "count",
          "SELECT count(*) AS n FROM todos WHERE tenant = ?",
        ).get(key) as { n: number };
        if (n >= this.#maxTodos) throw quotaExceeded(this.#maxTodos);
        const at = this.#now().toISOString();
        const row = this.#statement(
          "insert",
          `INSERT INTO todos (tenant, ${COLUMNS}) VALUES (?, ?, ?, ?, 0, ?, ?, ?)
           RETURNING ${COLUMNS}`,
        ).get(
          key,
          crypto.randomUUID(),
          todo.title,
          todo.description,
          todo.created_by,
          at,
          at,
        ) as unknown as Row;
        return toTodo(row);
      });
    });
  }

  get(tenant: string, id: string): Promise<Todo | undefined> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      if (!isTodoId(id)) return undefined;
      const row = this.#statement(
        "get",
        `SELECT ${COLUMNS} FROM todos WHERE tenant = ? AND id = ?`,
      ).get(key, id) as Row | undefined;
      return row === undefined ? undefined : toTodo(row);
    });
  }

  list(tenant: string, query?: TodoQuery): Promise<TodoPage> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const { completed, limit } = checkQuery(query);
      const after: Position | undefined = query?.cursor === undefined
        ? undefined
        : decodeCursor(query.cursor, completed);
      const where = ["tenant = ?"];
      const params: (string | number)[] = [key];
      if (completed !== undefined) {
        where.push("completed = ?");
        params.push(completed ? 1 : 0);
      }
      if (after !== undefined) {
        where.push("(created_at, id) > (?, ?)");
        params.push(after.created_at, after.id);
      }
      const rows = this.#statement(
        `list:${completed !== undefined}:${after !== undefined}`,
        `SELECT ${COLUMNS} FROM todos WHERE ${where.join(" AND ")}
         ORDER BY created_at, id LIMIT ?`,
      ).all(...params, limit + 1) as unknown as Row[];
      return pageOf(rows.map(toTodo), limit, completed);
    });
  }

  update(
    tenant: string,
    id: string,
    patch: TodoPatch,
  ): Promise<Todo | undefined> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const changes = checkPatch(patch);
      if (!isTodoId(id)) return undefined;
      const fields = Object.keys(changes) as (keyof CheckedPatch)[];
      if (fields.length === 0) {
        const row = this.#statement(
          "get",
          `SELECT ${COLUMNS} FROM todos WHERE tenant = ? AND id = ?`,
        ).get(key, id) as Row | undefined;
        return row === undefined ? undefined : toTodo(row);
      }
      // One UPDATE that names only the given columns: a concurrent update
      // of another column is never overwritten with a stale value.
      const values = fields.map((field) =>
        field === "completed" ? (changes.completed ? 1 : 0) : changes[field]!
      );
      const row = this.#statement(
        `update:${fields.join(",")}`,
        `UPDATE todos SET ${
          fields.map((field) => `${field} = ?`).join(", ")
        }, updated_at = ?
         WHERE tenant = ? AND id = ? RETURNING ${COLUMNS}`,
      ).get(...values, this.#now().toISOString(), key, id) as Row | undefined;
      return row === undefined ? undefined : toTodo(row);
    });
  }

  delete(tenant: string, id: string): Promise<boolean> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      if (!isTodoId(id)) return false;
      const result = this.#statement(
        "delete",
        "DELETE FROM todos WHERE tenant = ? AND id = ?",
      ).run(key, id);
      return Number(result.changes) > 0;
    });
  }

  deleteCompleted(tenant: string): Promise<string[]> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const rows = this.#statement(
        "deleteCompleted",
        `DELETE FROM todos WHERE tenant = ? AND completed = 1
         RETURNING id, created_at`,
      ).all(key) as unknown as { id: string; created_at: string }[];
      return rows
        .sort((a, b) =>
          a.created_at < b.created_at ||
            (a.created_at === b.created_at && a.id < b.id)
            ? -1
            : 1
        )
        .map((row) => row.id);
    });
  }

  ping(): Promise<void> {
    return this.#run(() => {
      // Reads a page of the file, so a file that went away or went bad fails.
      this.#statement("ping", `SELECT count(*) FROM ${MIGRATIONS_TABLE}`).get();
    });
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    }
    return Promise.resolve();
  }

  #migrate(): void {
    this.#transaction(() => {
      this.#db.exec(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
           version    INTEGER PRIMARY KEY,
           name       TEXT NOT NULL,
           applied_at TEXT NOT NULL
         ) STRICT`,
      );
      const applied = this.#db.prepare(
        `SELECT version FROM ${MIGRATIONS_TABLE}`,
      ).all().map((row) => Number(row.version));
      const record = this.#db.prepare(
        `INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`,
      );
      for (
        const migration of pendingMigrations(
          applied,
          SQLITE_MIGRATIONS,
          this.location,
        )
      ) {
        this.#db.exec(migration.sql);
        record.run(migration.version, migration.name, new Date().toISOString());
      }
    });
  }

  #statement(name: string, sql: string): StatementSync {
    let statement = this.#statements.get(name);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(name, statement);
    }
    return statement;
  }

  /** Runs `work` in a write transaction; rolls back when it throws. */
  #transaction<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Runs `work` unless closed; outages become `unavailable`, and a throw a rejection. */
  #run<T>(work: () => T): Promise<T> {
    try {
      if (this.#closed) throw closedError();
      return Promise.resolve(work());
    } catch (error) {
      const reason = outage(error);
      return Promise.reject(
        reason === undefined ? error : unavailable(
          `SQLite at ${this.location}: ${reason}`,
          error,
        ),
      );
    }
  }

  /** Any failure to open is an outage with the reason, except a refusal the store made itself. */
  #openFailed(error: unknown): unknown {
    if (error instanceof TodoStoreError && error.code !== "unavailable") {
      return error;
    }
    const reason = error instanceof TodoStoreError
      ? error.detail ?? error.message
      : error instanceof Error
      ? error.message
      : String(error);
    return new TodoStoreError(
      "unavailable",
      `Cannot open the SQLite database at ${this.location}: ${reason}`,
      { detail: reason, cause: error },
    );
  }
}
