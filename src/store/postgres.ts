/**
 * The PostgreSQL {@link TodoStore}, for several server instances sharing one
 * database: postgres.js (`npm:postgres`) with a bounded pool, connect and
 * statement timeouts, TLS as the URL's `sslmode` asks, and reconnection by
 * the driver when the database comes back.
 *
 * Every call has a deadline (connect timeout plus statement timeout): past
 * it, or when the server refuses or drops the connection, the call rejects
 * with `unavailable` instead of waiting.
 *
 * @module
 */

import postgres from "postgres";
import { decodeCursor, pageOf } from "./_cursor.ts";
import {
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
import { parseDatabaseUrl } from "./database_url.ts";
import {
  MIGRATIONS_TABLE,
  pendingMigrations,
  POSTGRES_MIGRATIONS,
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

/** Options for {@link openPostgresTodoStore}. */
export interface PostgresTodoStoreOptions {
  /** `postgres://user:password@host:port/db?sslmode=…`. */
  readonly url: string;
  /** Most connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Server-side `statement_timeout` for each statement, in ms. Default 5000. */
  readonly queryTimeoutMs?: number;
  /** How long migrations (and waiting for another instance's) may take, in ms. Default 60 000. */
  readonly migrationTimeoutMs?: number;
  /** Most todos one tenant may hold. Default 10 000. */
  readonly maxTodosPerTenant?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

// Advisory lock keys (two int4 form): a class for this project, then the
// object. Migrations take one fixed lock; creating a todo takes its tenant's,
// so two instances cannot both pass the quota check with one slot left.
const LOCK_CLASS_MIGRATIONS = 0x4d435053; // "MCPS"
const LOCK_CLASS_TENANT = 0x4d435054; // "MCPT"

interface Row {
  id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

function toTodo(row: Row): Todo {
  return Object.freeze({
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  });
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of at least 1`);
  }
  return value;
}

const LOST = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
]);
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ETIMEDOUT",
]);

/**
 * What an error says about the database being unavailable, or `undefined`
 * when it is not an outage (a bug, which the caller must see as such).
 */
function describeOutage(
  error: unknown,
  address: string,
  timeouts: { connectMs: number; queryMs: number },
): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return undefined;
  if (error instanceof postgres.PostgresError) {
    // SQLSTATE (PostgreSQL docs, Appendix A): class 08 connection
    // exception, 53 insufficient resources, 57 operator intervention
    // (57014 is a statement timeout), 58 system error, 28 bad credentials,
    // 3D000 no such database, 55P03 lock timeout.
    if (code === "57014") {
      return `PostgreSQL at ${address} cancelled a statement after ${timeouts.queryMs} ms`;
    }
    if (code === "55P03") {
      return `PostgreSQL at ${address} timed out waiting for a lock`;
    }
    if (code.startsWith("28")) {
      return `PostgreSQL at ${address} refused the credentials (SQLSTATE ${code})`;
    }
    if (code === "3D000") {
      return `PostgreSQL at ${address} has no such database`;
    }
    if (/^(08|53|57|58)/.test(code)) {
      return `PostgreSQL at ${address} is unavailable (SQLSTATE ${code})`;
    }
    return undefined;
  }
  if (code === "CONNECT_TIMEOUT") {
    return `no connection to PostgreSQL at ${address} within ${timeouts.connectMs} ms`;
  }
  if (UNREACHABLE.has(code)) {
    return `cannot reach PostgreSQL at ${address} (${code})`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `cannot resolve the host of ${address}`;
  }
  if (LOST.has(code)) return `lost the connection to PostgreSQL at ${address}`;
  if (/CERT|TLS|SSL/.test(code)) {
    return `TLS with PostgreSQL at ${address} failed (${code})`;
  }
  return undefined;
}

/**
 * Connects, brings the schema up to date (waiting for another instance that
 * is migrating the same database), and returns the store.
 *
 * @throws {TodoStoreError} `invalid_url`; `unavailable` naming the host and
 * port and why (refused, timed out, bad credentials, no such database);
 * `schema_too_new`.
 * @example
 * ```ts
 * const store = await openPostgresTodoStore({
 *   url: "postgres://app:secret@db:5432/todos?sslmode=verify-full",
 * });
 * ```
 */
export function openPostgresTodoStore(
  options: PostgresTodoStoreOptions,
): Promise<PostgresTodoStore> {
  return PostgresTodoStore.open(options);
}

/** Todos in PostgreSQL. Build it with {@link openPostgresTodoStore}. */
export class PostgresTodoStore implements TodoStore {
  /** Always `"postgres"`. */
  readonly backend = "postgres" as const;
  /** `postgres://user@host:port/db`, without password or parameters. */
  readonly location: string;
  /**
   * The connection pool. Exposed for the change-notification bus
   * (`src/events/postgres_bus.ts`), which LISTENs and NOTIFYs through it;
   * todos are read and written only through this class's methods.
   */
  readonly client: postgres.Sql;
  readonly #address: string;
  readonly #maxTodos: number;
  readonly #now: () => Date;
  readonly #timeouts: { connectMs: number; queryMs: number };
  #closed = false;

  private constructor(
    client: postgres.Sql,
    location: string,
    address: string,
    options: PostgresTodoStoreOptions,
    timeouts: { connectMs: number; queryMs: number },
  ) {
    this.client = client;
    this.location = location;
    this.#address = address;
    this.#maxTodos = checkQuota(options.maxTodosPerTenant);
    this.#now = options.now ?? (() => new Date());
    this.#timeouts = timeouts;
  }

  /** See {@link openPostgresTodoStore}. */
  static async open(
    options: PostgresTodoStoreOptions,
  ): Promise<PostgresTodoStore> {
    const target = parseDatabaseUrl(options.url);
    if (target.kind !== "postgres") {
      throw new TodoStoreError(
        "invalid_url",
        "The PostgreSQL store needs a postgres:// URL",
      );
    }
    const timeouts = {
      connectMs: positiveInteger(
        "connectTimeoutMs",
        options.connectTimeoutMs ?? 5000,
      ),
      queryMs: positiveInteger(
        "queryTimeoutMs",
        options.queryTimeoutMs ?? 5000,
      ),
    };
    const migrationMs = positiveInteger(
      "migrationTimeoutMs",
      options.migrationTimeoutMs ?? 60_000,
    );
    const client = postgres(target.url, {
      max: positiveInteger("poolSize", options.poolSize ?? 10),
      connect_timeout: timeouts.connectMs / 1000,
      // Idle connections are closed after a minute; the pool opens new ones
      // on demand, so a restarted database is picked up without help.
      idle_timeout: 60,
      // Retry a lost connection soon (50 ms, doubling, at most 2 s) rather
      // than postgres.js's default of up to 20 s.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
      fetch_types: false,
      // CREATE … IF NOT EXISTS raises NOTICEs; the default prints them.
      onnotice: () => {},
      connection: {
        application_name: "mcp-scalekit",
        statement_timeout: timeouts.queryMs,
        // A transaction left open by a stalled client must not hold the
        // tenant's quota lock for long.
        idle_in_transaction_session_timeout: timeouts.queryMs * 2,
      },
    });
    const store = new PostgresTodoStore(
      client,
      target.location,
      target.address,
      options,
      timeouts,
    );
    try {
      await store.#deadline(
        timeouts.connectMs + migrationMs,
        () => store.#migrate(migrationMs),
      );
    } catch (error) {
      await client.end({ timeout: 0 });
      if (error instanceof TodoStoreError && error.code === "unavailable") {
        throw new TodoStoreError(
          "unavailable",
          `Cannot open the PostgreSQL database at ${target.location}: ${error.detail}`,
          { detail: error.detail, cause: error.cause },
        );
      }
      throw error;
    }
    return store;
  }

  create(tenant: string, input: NewTodo): Promise<Todo> {
    return this.#op(async (sql) => {
      const key = checkTenant(tenant);
      const todo = checkNewTodo(input);
      const row = await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${LOCK_CLASS_TENANT}::int, hashtext(${key}))`;
        const [{ n }] = await tx<{ n: number }[]>`
          SELECT count(*)::int AS n FROM todos WHERE tenant = ${key}`;
        if (n >= this.#maxTodos) throw quotaExceeded(this.#maxTodos);
        const at = this.#now();
        const [row] = await tx<Row[]>`
          INSERT INTO todos (tenant, id, title, description, completed,
                             created_by, created_at, updated_at)
          VALUES (${key}, ${crypto.randomUUID()}, ${todo.title},
                  ${todo.description}, false, ${todo.created_by}, ${at}, ${at})
          RETURNING id, title, description, completed, created_by,
                    created_at, updated_at`;
        return row;
      });
      return toTodo(row as Row);
    });
  }

  get(tenant: string, id: string): Promise<Todo | undefined> {
    return this.#op(async (sql) => {
      const key = checkTenant(tenant);
      if (!isTodoId(id)) return undefined;
      const [row] = await sql<Row[]>`
        SELECT id, title, description, completed, created_by, created_at,
               updated_at
        FROM todos WHERE tenant = ${key} AND id = ${id}`;
      return row === undefined ? undefined : toTodo(row);
    });
  }

  list(tenant: string, query?: TodoQuery): Promise<TodoPage> {
    return this.#op(async (sql) => {
      const key = checkTenant(tenant);
      const { completed, limit } = checkQuery(query);
      const after = query?.cursor === undefined
        ? undefined
        : decodeCursor(query.cursor, completed);
      const rows = await sql<Row[]>`
        SELECT id, title, description, completed, created_by, created_at,
               updated_at
        FROM todos
        WHERE tenant = ${key}
        ${completed === undefined ? sql`` : sql`AND completed = ${completed}`}
        ${
        after === undefined ? sql`` : sql`AND (created_at, id) > (${new Date(
          after.created_at,
        )}, ${after.id})`
      }
        ORDER BY created_at, id
        LIMIT ${limit + 1}`;
      return pageOf(rows.map(toTodo), limit, completed);
    });
  }

  update(
    tenant: string,
    id: string,
    patch: TodoPatch,
  ): Promise<Todo | undefined> {
    return this.#op(async (sql) => {
      const key = checkTenant(tenant);
      const changes = checkPatch(patch);
      if (!isTodoId(id)) return undefined;
      if (Object.keys(changes).length === 0) {
        const [row] = await sql<Row[]>`
          SELECT id, title, description, completed, created_by, created_at,
                 updated_at
          FROM todos WHERE tenant = ${key} AND id = ${id}`;
        return row === undefined ? undefined : toTodo(row);
      }
      // One UPDATE naming only the given columns: the row lock it takes
      // orders it after a concurrent update, whose other columns it keeps.
      const set = { ...changes, updated_at: this.#now() };
      const [row] = await sql<Row[]>`
        UPDATE todos SET ${sql(set, Object.keys(set) as (keyof typeof set)[])}
        WHERE tenant = ${key} AND id = ${id}
        RETURNING id, title, description, completed, created_by, created_at,
                  updated_at`;
      return row === undefined ? undefined : toTodo(row);
    });
  }

  delete(tenant: string, id: string): Promise<boolean> {
    return this.#op(async (sql) => {
      const key = checkTenant(tenant);
      if (!isTodoId(id)) return false;
      const rows = await sql`
        DELETE FROM todos WHERE tenant = ${key} AND id = ${id} RETURNING id`;
      return rows.length > 0;
    });
  }

  deleteCompleted(tenant: string): Promise<string[]> {
    return this.#op(async (sql) => {
      const key = checkTenant(tenant);
      const rows = await sql<{ id: string }[]>`
        WITH gone AS (
          DELETE FROM todos WHERE tenant = ${key} AND completed
          RETURNING id, created_at
        )
        SELECT id FROM gone ORDER BY created_at, id`;
      return rows.map((row) => row.id);
    });
  }

  ping(): Promise<void> {
    return this.#op(async (sql) => {
      await sql`SELECT 1`;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.end({ timeout: 5 });
  }

  async #migrate(timeoutMs: number): Promise<void> {
    await this.client.begin(async (tx) => {
      // Bounded waits: for the lock another instance holds while it
      // migrates, and for each statement.
      await tx.unsafe(
        `SET LOCAL lock_timeout = ${timeoutMs}; SET LOCAL statement_timeout = ${timeoutMs}`,
      );
      // Two instances starting together: the second waits here, then finds
      // the migrations recorded and applies nothing.
      await tx.unsafe(
        `SELECT pg_advisory_xact_lock(${LOCK_CLASS_MIGRATIONS}, 1)`,
      );
      await tx.unsafe(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
           version    integer PRIMARY KEY,
           name       text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const applied = await tx<{ version: number }[]>`
        SELECT version FROM ${tx(MIGRATIONS_TABLE)}`;
      const pending = pendingMigrations(
        applied.map((row) => row.version),
        POSTGRES_MIGRATIONS,
        this.location,
      );
      for (const migration of pending) {
        await tx.unsafe(migration.sql);
        await tx`
          INSERT INTO ${tx(MIGRATIONS_TABLE)} (version, name)
          VALUES (${migration.version}, ${migration.name})`;
      }
    });
  }

  /** Runs `work` with the pool unless closed, within the deadline; outages become `unavailable`. */
  #op<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#deadline(
      this.#timeouts.connectMs + this.#timeouts.queryMs,
      () => work(this.client),
    );
  }

  async #deadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            unavailable(
              `no answer from PostgreSQL at ${this.#address} within ${ms} ms`,
            ),
          ),
        ms,
      );
    });
    try {
      // The abandoned query ends on its own: the server cancels it at
      // statement_timeout, or the connection fails.
      return await Promise.race([work(), expired]);
    } catch (error) {
      if (error instanceof TodoStoreError) throw error;
      const detail = describeOutage(error, this.#address, this.#timeouts);
      if (detail === undefined) throw error;
      throw unavailable(detail, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
