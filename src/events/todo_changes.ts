/**
 * Reports every change a todo store commits, so the server can tell
 * `subscriptions/listen` streams: one wrapper around the store, so no tool,
 * resource or future code path can change a todo without the report.
 *
 * A report is made only after the store has committed the change, and only
 * when something changed: an update with an empty patch, a delete of an id
 * the tenant does not have, or a bulk delete that found nothing completed
 * reports nothing. A report that fails never fails the change (it is
 * committed and acknowledged); the failure goes to `onError`.
 *
 * @module
 */

import type { TodoStore } from "../store/todo_store.ts";

/** Options for {@link reportTodoChanges}. */
export interface TodoChangeOptions {
  /** Told which todos of `tenant` changed (created, updated or deleted), after the commit. */
  readonly onChange: (tenant: string, ids: readonly string[]) => void;
  /** Told when `onChange` throws. Default: ignored. */
  readonly onError?: (error: unknown) => void;
}

/**
 * `store`, reporting its committed changes.
 *
 * @example
 * ```ts
 * const store = reportTodoChanges(await openTodoStore(url), {
 *   onChange: (tenant, ids) => console.log(tenant, ids),
 * });
 * ```
 */
export function reportTodoChanges(
  store: TodoStore,
  options: TodoChangeOptions,
): TodoStore {
  const { onChange } = options;
  const onError = options.onError ?? (() => {});
  const report = (tenant: string, ids: readonly string[]) => {
    if (ids.length === 0) return;
    try {
      onChange(tenant, ids);
    } catch (error) {
      onError(error);
    }
  };
  return {
    get backend() {
      return store.backend;
    },
    get location() {
      return store.location;
    },
    async create(tenant, input) {
      const todo = await store.create(tenant, input);
      report(tenant, [todo.id]);
      return todo;
    },
    get: (tenant, id) => store.get(tenant, id),
    list: (tenant, query) => store.list(tenant, query),
    async update(tenant, id, patch) {
      const todo = await store.update(tenant, id, patch);
      const changed = Object.values(patch ?? {}).some((value) =>
        value !== undefined
      );
      if (todo !== undefined && changed) report(tenant, [todo.id]);
      return todo;
    },
    async delete(tenant, id) {
      const deleted = await store.delete(tenant, id);
      if (deleted) report(tenant, [id]);
      return deleted;
    },
    async deleteCompleted(tenant) {
      const ids = await store.deleteCompleted(tenant);
      report(tenant, ids);
      return ids;
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
