/**
 * The caller's todos as MCP resources: the list (its first page at
 * `todo://todos`, any page through a template with `limit` and `cursor` in
 * the query), and one todo by id. All need `todo:read`, like the matching
 * tools.
 *
 * URIs name no tenant: `todo://todos` is always the caller's own list (the
 * tenant comes from the verified token), and a todo id from another tenant
 * is simply not found.
 *
 * @module
 */

import {
  TODO_LIMITS,
  type TodoQuery,
  TodoStoreError,
} from "../store/todo_store.ts";
import type { OperationContext } from "../tools/tool.ts";
import { todoView } from "../tools/todos.ts";
import type { ResourceDefinition } from "./resource.ts";

/** URI of the caller's todo list (its first page). */
export const TODO_LIST_URI = "todo://todos";
/**
 * URI template of one page of the list (RFC 6570 form-style query): the
 * parameters may come in any order, and either may be left out.
 */
export const TODO_LIST_PAGE_TEMPLATE = "todo://todos{?limit,cursor}";
/** URI template of one of the caller's todos. */
export const TODO_URI_TEMPLATE = "todo://todos/{id}";

/** The URI of todo `id`. */
export function todoUri(id: string): string {
  return `todo://todos/${id}`;
}

/**
 * The resources that change when todos `ids` change (are created, updated
 * or deleted): each todo's own URI and the list's. A client that watches
 * the list subscribes to {@link TODO_LIST_URI}; it stands for every page.
 */
export function changedUris(ids: readonly string[]): string[] {
  return [TODO_LIST_URI, ...ids.map(todoUri)];
}

/** The URI of the page of `limit` todos after `cursor`. */
export function todoPageUri(limit: number, cursor: string): string {
  return `${TODO_LIST_URI}?${new URLSearchParams({
    limit: String(limit),
    cursor,
  })}`;
}

const PAGE_PARAMETERS = new Set(["limit", "cursor"]);

function invalidPage(field: string, message: string): TodoStoreError {
  return new TodoStoreError("invalid_input", message, { field });
}

/**
 * The page query a template's variables ask for.
 *
 * @throws {TodoStoreError} `invalid_input` for a parameter the template
 * does not name, or a limit that is not a whole number (its range is the
 * store's to check, with the same words as `list_todos`).
 */
function pageQuery(variables: Readonly<Record<string, string>>): TodoQuery {
  for (const name of Object.keys(variables)) {
    if (!PAGE_PARAMETERS.has(name)) {
      throw invalidPage(
        name,
        `${TODO_LIST_URI} takes only the query parameters limit and cursor`,
      );
    }
  }
  const { limit, cursor } = variables;
  const query: { limit?: number; cursor?: string } = {};
  if (limit !== undefined) {
    query.limit = /^\d{1,7}$/.test(limit) ? Number(limit) : Number.NaN;
  }
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

async function readPage(
  { store, tenant }: OperationContext,
  query: TodoQuery = {},
): Promise<unknown> {
  const page = await store.list(tenant, query);
  const limit = query.limit ?? TODO_LIMITS.listDefaultLimit;
  return {
    todos: page.todos.map(todoView),
    count: page.todos.length,
    ...(page.nextCursor
      ? {
        next_cursor: page.nextCursor,
        next_uri: todoPageUri(limit, page.nextCursor),
      }
      : {}),
  };
}

/** `todo://todos`: the first page of the caller's todos, oldest first. */
export const todoListResource: ResourceDefinition = Object.freeze<
  ResourceDefinition
>({
  name: "todo_list",
  uri: TODO_LIST_URI,
  template: false,
  title: "Todo list",
  description:
    `Your todos, oldest first, as JSON: the first ${TODO_LIMITS.listDefaultLimit}, and next_uri, the next page's URI, when there are more. Requires the todo:read scope.`,
  read: (_variables, context) => readPage(context),
});

/** `todo://todos{?limit,cursor}`: any page of the caller's todos. */
export const todoListPageResource: ResourceDefinition = Object.freeze<
  ResourceDefinition
>({
  name: "todo_list_page",
  uri: TODO_LIST_PAGE_TEMPLATE,
  template: true,
  title: "Todo list page",
  description:
    `A page of your todos, oldest first, as JSON: limit todos (1 to ${TODO_LIMITS.listMaxLimit}, default ${TODO_LIMITS.listDefaultLimit}) after cursor (the next_cursor of the page before; next_uri is the next page's URI). Requires the todo:read scope.`,
  async read(variables, context) {
    return await readPage(context, pageQuery(variables));
  },
});

/** `todo://todos/{id}`: one todo of the caller's tenant. */
export const todoResource: ResourceDefinition = Object.freeze<
  ResourceDefinition
>({
  name: "todo",
  uri: TODO_URI_TEMPLATE,
  template: true,
  title: "Todo",
  description:
    "One of your todos by id, as JSON. Requires the todo:read scope.",
  async read(variables, { store, tenant }) {
    const id = variables.id ?? "";
    if (id === "" || id.length > TODO_LIMITS.idMaxLength) return undefined;
    const todo = await store.get(tenant, id);
    return todo === undefined ? undefined : { todo: todoView(todo) };
  },
});

/** All todo resources, in the order `resources/list` and `resources/templates/list` show them. */
export const TODO_RESOURCES: readonly ResourceDefinition[] = Object.freeze([
  todoListResource,
  todoListPageResource,
  todoResource,
]);
