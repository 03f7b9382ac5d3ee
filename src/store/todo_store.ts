/**
 * The storage interface the todo tools depend on, and the limits every
 * backend enforces the same way. Every call names the tenant, so no
 * implementation can mix two tenants' todos by accident.
 *
 * @module
 */

/** One todo item, as tools and resources show it. */
export interface Todo {
  /** Random UUID (lowercase, canonical form). */
  readonly id: string;
  /** Required, non-empty, trimmed. */
  readonly title: string;
  /** Optional free text; `null` when absent. */
  readonly description: string | null;
  /** Done or not. */
  readonly completed: boolean;
  /** Who created it: the token's subject. */
  readonly created_by: string;
  /** ISO 8601 creation time (UTC, milliseconds). */
  readonly created_at: string;
  /** ISO 8601 time of the last change (UTC, milliseconds). */
  readonly updated_at: string;
}

/** Fields a caller gives when creating a todo. */
export interface NewTodo {
  /** Required; trimmed, then 1 to {@link TODO_LIMITS}.titleMaxLength characters. */
  readonly title: string;
  /** Optional free text, at most {@link TODO_LIMITS}.descriptionMaxLength characters. */
  readonly description?: string | null;
  /** The creating caller's subject, recorded as `created_by`. */
  readonly created_by: string;
}

/** Fields a caller may change; absent (`undefined`) fields stay as they are. */
export interface TodoPatch {
  /** New title. */
  readonly title?: string;
  /** New description; `null` clears it. */
  readonly description?: string | null;
  /** New completion state. */
  readonly completed?: boolean;
}

/** What {@link TodoStore.list} returns, and in which slice. */
export interface TodoQuery {
  /** Only todos with this completion state; all when absent. */
  readonly completed?: boolean;
  /** Most todos in one page: 1 to {@link TODO_LIMITS}.listMaxLimit, default {@link TODO_LIMITS}.listDefaultLimit. */
  readonly limit?: number;
  /** Where to go on: a `nextCursor` from an earlier page of the same query. */
  readonly cursor?: string;
}

/** One page of a tenant's todos, oldest first. */
export interface TodoPage {
  /** The todos on this page. */
  readonly todos: readonly Todo[];
  /** Present when more todos follow: pass it back as `cursor`. Opaque. */
  readonly nextCursor?: string;
}

/**
 * The limits every backend enforces identically. Lengths count UTF-16 code
 * units (JavaScript's `length`), as zod's `.max()` does, so a schema built
 * from these numbers and the store agree.
 */
export interface TodoLimits {
  /** Longest title, after trimming. */
  readonly titleMaxLength: number;
  /** Longest description. */
  readonly descriptionMaxLength: number;
  /** Longest todo id a caller may send (ids are UUIDs; anything else is not found). */
  readonly idMaxLength: number;
  /** Longest tenant key or `created_by`. */
  readonly keyMaxLength: number;
  /** Page size when a list names none. */
  readonly listDefaultLimit: number;
  /** Largest page a list may ask for. */
  readonly listMaxLimit: number;
  /** Default for the per-tenant quota (`maxTodosPerTenant`). */
  readonly maxTodosPerTenant: number;
}

/** The limits in force; tool schemas should import these rather than repeat them. */
export const TODO_LIMITS: TodoLimits = Object.freeze({
  titleMaxLength: 500,
  descriptionMaxLength: 10_000,
  idMaxLength: 200,
  keyMaxLength: 1_000,
  listDefaultLimit: 100,
  listMaxLimit: 1_000,
  maxTodosPerTenant: 10_000,
});

/** Which kind of database backs a store. */
export type StoreBackend = "memory" | "sqlite" | "postgres";

/**
 * Why a store refused an operation or could not open:
 *
 * - `quota_exceeded`: the tenant already holds the most todos allowed.
 * - `store_full`: the store as a whole holds the most todos or tenants it
 *   may (the in-memory store's bounds); nothing new fits until some go.
 * - `invalid_input`: a title, description, tenant, creator or page size is
 *   out of bounds (the `field` says which).
 * - `invalid_cursor`: a cursor this store did not issue for this query.
 * - `unavailable`: the database did not answer in time or refused the
 *   connection; the operation may be retried later.
 * - `invalid_url`: the database URL names no backend this server supports.
 * - `schema_too_new`: the database was migrated by a newer release.
 */
export type TodoStoreErrorCode =
  | "quota_exceeded"
  | "store_full"
  | "invalid_input"
  | "invalid_cursor"
  | "unavailable"
  | "invalid_url"
  | "schema_too_new";

/** Options for {@link TodoStoreError}. */
export interface TodoStoreErrorOptions {
  /** For `invalid_input`: which input was refused. */
  readonly field?: string;
  /**
   * For `unavailable`: what went wrong, for the server log and the readiness
   * probe's reason (`connection refused by db:5432`); never a password.
   */
  readonly detail?: string;
  /** The underlying driver error, for the server log only (never for clients). */
  readonly cause?: unknown;
}

/**
 * A refusal by the store. Its message is safe to show to an MCP client (it
 * never holds a password, a host, a query or a driver's message); `detail`
 * and `cause` are for the server log.
 */
export class TodoStoreError extends Error {
  /** The stable reason. */
  readonly code: TodoStoreErrorCode;
  /** For `invalid_input`: which input was refused. */
  readonly field?: string;
  /** For `unavailable`: what went wrong, for the log and readiness reason. */
  readonly detail?: string;

  /**
   * @param code The stable reason.
   * @param message A sentence for the caller.
   * @param options The refused field and the underlying cause.
   */
  constructor(
    code: TodoStoreErrorCode,
    message: string,
    options: TodoStoreErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "TodoStoreError";
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.detail !== undefined) this.detail = options.detail;
  }
}

/**
 * Per-tenant todo storage. `tenant` is an opaque key (see `tenantOf`); every
 * row carries it and every query is scoped by it, so an id from one tenant
 * is never found in another.
 *
 * Every method rejects with a {@link TodoStoreError} for a refusal or an
 * outage, and never waits longer than the store's timeouts.
 */
export interface TodoStore {
  /** Which kind of database this is. */
  readonly backend: StoreBackend;
  /** Where the data lives, safe to log: no password (`postgres://user@host:5432/db`). */
  readonly location: string;
  /**
   * Creates a todo.
   *
   * @throws {TodoStoreError} `quota_exceeded`, `invalid_input`, `unavailable`.
   */
  create(tenant: string, input: NewTodo): Promise<Todo>;
  /** One todo, or `undefined` when the tenant has no todo with that id. */
  get(tenant: string, id: string): Promise<Todo | undefined>;
  /**
   * One page of the tenant's todos, oldest first (ties broken by id); the
   * `completed` filter runs in the database.
   *
   * @throws {TodoStoreError} `invalid_input` (limit), `invalid_cursor`.
   */
  list(tenant: string, query?: TodoQuery): Promise<TodoPage>;
  /**
   * Changes only the fields the patch gives, in one atomic statement, and
   * stamps `updated_at`; an empty patch changes nothing. `undefined` when the
   * tenant has no todo with that id.
   *
   * @throws {TodoStoreError} `invalid_input`, `unavailable`.
   */
  update(
    tenant: string,
    id: string,
    patch: TodoPatch,
  ): Promise<Todo | undefined>;
  /** Deletes one todo; `false` when the tenant had none with that id. */
  delete(tenant: string, id: string): Promise<boolean>;
  /** Deletes every completed todo of the tenant; returns the deleted ids. */
  deleteCompleted(tenant: string): Promise<string[]>;
  /**
   * Resolves when the database answers a trivial query within the timeout:
   * the readiness probe behind `GET /ready`.
   *
   * @throws {TodoStoreError} `unavailable`, with the reason in its message.
   */
  ping(): Promise<void>;
  /** Releases connections and files; later calls reject with `unavailable`. */
  close(): Promise<void>;
}
