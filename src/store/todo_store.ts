/**
 * The storage interface the todo tools depend on. Every call names the
 * tenant, so no implementation can mix two tenants' todos by accident.
 *
 * @module
 */

/** One todo item. */
export interface Todo {
  /** Random UUID. */
  readonly id: string;
  /** Required, non-empty. */
  readonly title: string;
  /** Optional free text; `null` when absent. */
  readonly description: string | null;
  /** Done or not. */
  readonly completed: boolean;
  /** ISO 8601 creation time. */
  readonly created_at: string;
  /** ISO 8601 time of the last change. */
  readonly updated_at: string;
}

/** Fields a caller may set when creating a todo. */
export interface NewTodo {
  /** Required, non-empty. */
  readonly title: string;
  /** Optional free text. */
  readonly description?: string | null;
}

/** Fields a caller may change; absent fields stay as they are. */
export interface TodoPatch {
  /** New title. */
  readonly title?: string;
  /** New description; `null` clears it. */
  readonly description?: string | null;
  /** New completion state. */
  readonly completed?: boolean;
}

/** A filter for {@link TodoStore.list}. */
export interface TodoFilter {
  /** Only todos with this completion state; all when absent. */
  readonly completed?: boolean;
}

/**
 * Why a store refused an operation: `quota_exceeded` when a tenant already
 * holds the most todos the store allows.
 */
export type TodoStoreErrorCode = "quota_exceeded";

/** A refusal by the store that the caller should see as a tool error. */
export class TodoStoreError extends Error {
  /** The stable reason. */
  readonly code: TodoStoreErrorCode;

  /**
   * @param code The stable reason.
   * @param message A sentence for the caller.
   */
  constructor(code: TodoStoreErrorCode, message: string) {
    super(message);
    this.name = "TodoStoreError";
    this.code = code;
  }
}

/**
 * Per-tenant todo storage. `tenant` is an opaque key (see `tenantOf`); an
 * id from one tenant is never found in another.
 */
export interface TodoStore {
  /** Creates a todo. @throws {TodoStoreError} `quota_exceeded`. */
  create(tenant: string, input: NewTodo): Promise<Todo>;
  /** One todo, or `undefined`. */
  get(tenant: string, id: string): Promise<Todo | undefined>;
  /** The tenant's todos, oldest first. */
  list(tenant: string, filter?: TodoFilter): Promise<Todo[]>;
  /** Applies a patch; `undefined` when there is no such todo. */
  update(
    tenant: string,
    id: string,
    patch: TodoPatch,
  ): Promise<Todo | undefined>;
  /** Deletes one todo; `false` when there was none. */
  delete(tenant: string, id: string): Promise<boolean>;
  /** Deletes every completed todo; returns the deleted ids. */
  deleteCompleted(tenant: string): Promise<string[]>;
  /** Releases resources; later calls may fail. */
  close(): Promise<void>;
}
