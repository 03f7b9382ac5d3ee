/**
 * The in-memory {@link TodoStore} (`DATABASE_URL=memory:`): for tests and
 * throwaway runs; todos are lost when the process stops. It keeps the same
 * order, paging, limits and quota as the database backends.
 *
 * @module
 */

import { before, decodeCursor, pageOf } from "./_cursor.ts";
import { checkQuota, closedError, quotaExceeded } from "./_refusals.ts";
import { TodoStoreError } from "./todo_store.ts";
import {
  checkNewTodo,
  checkPatch,
  checkQuery,
  checkTenant,
  isTodoId,
} from "./_input.ts";
import {
  type NewTodo,
  type Todo,
  type TodoPage,
  type TodoPatch,
  type TodoQuery,
  type TodoStore,
} from "./todo_store.ts";

/** Options for {@link MemoryTodoStore}. */
export interface MemoryTodoStoreOptions {
  /** Most todos one tenant may hold. Default 10 000 (`TODO_LIMITS.maxTodosPerTenant`). */
  readonly maxTodosPerTenant?: number;
  /**
   * Most tenants holding todos at once; a new tenant's first todo is then
   * refused with `store_full` (`MCP_MEMORY_MAX_TENANTS`). Default 10 000.
   */
  readonly maxTenants?: number;
  /**
   * Most todos of all tenants together; more are refused with `store_full`
   * (`MCP_MEMORY_MAX_TODOS`). Default 100 000.
   */
  readonly maxTodos?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** Defaults of the in-memory store's own bounds. */
export const MEMORY_STORE_DEFAULTS = Object.freeze({
  maxTenants: 10_000,
  maxTodos: 100_000,
});

/** Keeps todos in a map per tenant. */
export class MemoryTodoStore implements TodoStore {
  /** Always `"memory"`. */
  readonly backend = "memory" as const;
  /** Always `"memory:"`. */
  readonly location = "memory:";
  readonly #tenants = new Map<string, Map<string, Todo>>();
  readonly #maxTodos: number;
  readonly #maxTenants: number;
  readonly #maxTotal: number;
  readonly #now: () => Date;
  #total = 0;
  #closed = false;

  /** @param options Quotas, bounds and clock. */
  constructor(options: MemoryTodoStoreOptions = {}) {
    this.#maxTodos = checkQuota(options.maxTodosPerTenant);
    this.#maxTenants = checkBound(
      "maxTenants",
      options.maxTenants ?? MEMORY_STORE_DEFAULTS.maxTenants,
    );
    this.#maxTotal = checkBound(
      "maxTodos",
      options.maxTodos ?? MEMORY_STORE_DEFAULTS.maxTodos,
    );
    this.#now = options.now ?? (() => new Date());
  }

  create(tenant: string, input: NewTodo): Promise<Todo> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const checked = checkNewTodo(input);
      if (this.#total >= this.#maxTotal) {
        throw storeFull(`${this.#maxTotal} todos`);
      }
      if (!this.#tenants.has(key) && this.#tenants.size >= this.#maxTenants) {
        throw storeFull(`${this.#maxTenants} tenants`);
      }
      const todos = this.#todosOf(key);
      if (todos.size >= this.#maxTodos) throw quotaExceeded(this.#maxTodos);
      const at = this.#now().toISOString();
      const todo: Todo = Object.freeze({
        id: crypto.randomUUID(),
        ...checked,
        completed: false,
        created_at: at,
        updated_at: at,
      });
      todos.set(todo.id, todo);
      this.#total++;
      return todo;
    });
  }

  get(tenant: string, id: string): Promise<Todo | undefined> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      return isTodoId(id) ? this.#tenants.get(key)?.get(id) : undefined;
    });
  }

  list(tenant: string, query?: TodoQuery): Promise<TodoPage> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const { completed, limit } = checkQuery(query);
      const after = query?.cursor === undefined
        ? undefined
        : decodeCursor(query.cursor, completed);
      const rows = [...(this.#tenants.get(key)?.values() ?? [])]
        .filter((todo) =>
          (completed === undefined || todo.completed === completed) &&
          (after === undefined || before(after, todo))
        )
        .sort((a, b) => before(a, b) ? -1 : before(b, a) ? 1 : 0)
        .slice(0, limit + 1);
      return pageOf(rows, limit, completed);
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
      const todos = this.#tenants.get(key);
      const current = isTodoId(id) ? todos?.get(id) : undefined;
      if (todos === undefined || current === undefined) return undefined;
      if (Object.keys(changes).length === 0) return current;
      const updated: Todo = Object.freeze({
        ...current,
        ...changes,
        updated_at: this.#now().toISOString(),
      });
      todos.set(id, updated);
      return updated;
    });
  }

  delete(tenant: string, id: string): Promise<boolean> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const todos = this.#tenants.get(key);
      if (!isTodoId(id) || todos === undefined || !todos.delete(id)) {
        return false;
      }
      this.#total--;
      this.#forgetIfEmpty(key, todos);
      return true;
    });
  }

  deleteCompleted(tenant: string): Promise<string[]> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const todos = this.#tenants.get(key);
      const done = [...(todos?.values() ?? [])]
        .filter((todo) => todo.completed)
        .sort((a, b) => before(a, b) ? -1 : 1)
        .map((todo) => todo.id);
      for (const id of done) {
        if (todos?.delete(id)) this.#total--;
      }
      if (todos !== undefined) this.#forgetIfEmpty(key, todos);
      return done;
    });
  }

  ping(): Promise<void> {
    return this.#run(() => undefined);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#tenants.clear();
    this.#total = 0;
    return Promise.resolve();
  }

  /** Runs `work` unless the store is closed; a throw becomes a rejection. */
  #run<T>(work: () => T): Promise<T> {
    try {
      if (this.#closed) throw closedError();
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // A tenant without todos holds no slot: the tenant bound counts tenants
  // that hold something.
  #forgetIfEmpty(tenant: string, todos: Map<string, Todo>): void {
    if (todos.size === 0) this.#tenants.delete(tenant);
  }

  #todosOf(tenant: string): Map<string, Todo> {
    let todos = this.#tenants.get(tenant);
    if (todos === undefined) {
      todos = new Map();
      this.#tenants.set(tenant, todos);
    }
    return todos;
  }
}

function checkBound(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `${name} must be a whole number of at least 1, got ${value}`,
    );
  }
  return value;
}

/** The refusal when the whole store is at one of its bounds. */
function storeFull(what: string): TodoStoreError {
  return new TodoStoreError(
    "store_full",
    `The server's todo store is full (it holds at most ${what}); try again after some todos are deleted`,
  );
}
