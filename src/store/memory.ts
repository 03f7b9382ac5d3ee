/**
 * The in-memory {@link TodoStore} (`DATABASE_URL=memory:`): for tests and
 * throwaway runs; todos are lost when the process stops. It keeps the same
 * order, paging, limits and quota as the database backends.
 *
 * @module
 */

import { before, decodeCursor, pageOf } from "./_cursor.ts";
import { checkQuota, closedError, quotaExceeded } from "./_refusals.ts";
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
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** Keeps todos in a map per tenant. */
export class MemoryTodoStore implements TodoStore {
  /** Always `"memory"`. */
  readonly backend = "memory" as const;
  /** Always `"memory:"`. */
  readonly location = "memory:";
  readonly #tenants = new Map<string, Map<string, Todo>>();
  readonly #maxTodos: number;
  readonly #now: () => Date;
  #closed = false;

  /** @param options Quota and clock. */
  constructor(options: MemoryTodoStoreOptions = {}) {
    this.#maxTodos = checkQuota(options.maxTodosPerTenant);
    this.#now = options.now ?? (() => new Date());
  }

  create(tenant: string, input: NewTodo): Promise<Todo> {
    return this.#run(() => {
      const key = checkTenant(tenant);
      const checked = checkNewTodo(input);
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
      return isTodoId(id) && (this.#tenants.get(key)?.delete(id) ?? false);
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
      for (const id of done) todos?.delete(id);
      return done;
    });
  }

  ping(): Promise<void> {
    return this.#run(() => undefined);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#tenants.clear();
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

  #todosOf(tenant: string): Map<string, Todo> {
    let todos = this.#tenants.get(tenant);
    if (todos === undefined) {
      todos = new Map();
      this.#tenants.set(tenant, todos);
    }
    return todos;
  }
}
