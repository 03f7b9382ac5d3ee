/**
 * The in-memory {@link TodoStore}: for development and tests; todos are lost
 * when the process stops.
 *
 * @module
 */

import {
  type NewTodo,
  type Todo,
  type TodoFilter,
  type TodoPatch,
  type TodoStore,
  TodoStoreError,
} from "./todo_store.ts";

/** Options for {@link MemoryTodoStore}. */
export interface MemoryTodoStoreOptions {
  /** Most todos one tenant may hold. Default 10 000. */
  readonly maxTodosPerTenant?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Id generator. Default `crypto.randomUUID`. */
  readonly newId?: () => string;
}

/** Keeps todos in a map per tenant. */
export class MemoryTodoStore implements TodoStore {
  readonly #tenants = new Map<string, Map<string, Todo>>();
  readonly #maxTodos: number;
  readonly #now: () => Date;
  readonly #newId: () => string;

  /** @param options Quota, clock and id generator. */
  constructor(options: MemoryTodoStoreOptions = {}) {
    this.#maxTodos = options.maxTodosPerTenant ?? 10_000;
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  create(tenant: string, input: NewTodo): Promise<Todo> {
    const todos = this.#todosOf(tenant);
    if (todos.size >= this.#maxTodos) {
      return Promise.reject(
        new TodoStoreError(
          "quota_exceeded",
          `A tenant may keep at most ${this.#maxTodos} todos`,
        ),
      );
    }
    const at = this.#now().toISOString();
    const todo: Todo = Object.freeze({
      id: this.#newId(),
      title: input.title,
      description: input.description ?? null,
      completed: false,
      created_at: at,
      updated_at: at,
    });
    todos.set(todo.id, todo);
    return Promise.resolve(todo);
  }

  get(tenant: string, id: string): Promise<Todo | undefined> {
    return Promise.resolve(this.#tenants.get(tenant)?.get(id));
  }

  list(tenant: string, filter: TodoFilter = {}): Promise<Todo[]> {
    const todos = [...(this.#tenants.get(tenant)?.values() ?? [])];
    return Promise.resolve(
      filter.completed === undefined
        ? todos
        : todos.filter((todo) => todo.completed === filter.completed),
    );
  }

  update(
    tenant: string,
    id: string,
    patch: TodoPatch,
  ): Promise<Todo | undefined> {
    const todos = this.#tenants.get(tenant);
    const current = todos?.get(id);
    if (todos === undefined || current === undefined) {
      return Promise.resolve(undefined);
    }
    const updated: Todo = Object.freeze({
      ...current,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.description !== undefined
        ? { description: patch.description }
        : {}),
      ...(patch.completed !== undefined ? { completed: patch.completed } : {}),
      updated_at: this.#now().toISOString(),
    });
    todos.set(id, updated);
    return Promise.resolve(updated);
  }

  delete(tenant: string, id: string): Promise<boolean> {
    return Promise.resolve(this.#tenants.get(tenant)?.delete(id) ?? false);
  }

  deleteCompleted(tenant: string): Promise<string[]> {
    const todos = this.#tenants.get(tenant);
    const ids = [...(todos?.values() ?? [])]
      .filter((todo) => todo.completed)
      .map((todo) => todo.id);
    for (const id of ids) todos?.delete(id);
    return Promise.resolve(ids);
  }

  close(): Promise<void> {
    this.#tenants.clear();
    return Promise.resolve();
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
