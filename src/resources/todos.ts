/**
 * The caller's todos as MCP resources: the whole list, and one todo by id
 * through a URI template. Both need `todo:read`, like the matching tools.
 *
 * URIs name no tenant: `todo://todos` is always the caller's own list (the
 * tenant comes from the verified token), and a todo id from another tenant
 * is simply not found.
 *
 * @module
 */

import { TODO_LIMITS } from "../store/todo_store.ts";
import { todoView } from "../tools/todos.ts";
import type { ResourceDefinition } from "./resource.ts";

/** URI of the caller's todo list. */
export const TODO_LIST_URI = "todo://todos";
/** URI template of one of the caller's todos. */
export const TODO_URI_TEMPLATE = "todo://todos/{id}";

/** `todo://todos`: the first page of the caller's todos, oldest first. */
export const todoListResource: ResourceDefinition = Object.freeze<
  ResourceDefinition
>({
  name: "todo_list",
  uri: TODO_LIST_URI,
  template: false,
  title: "Todo list",
  description:
    "Your todos, oldest first, as JSON (the first 100; list_todos pages through the rest). Requires the todo:read scope.",
  async read(_variables, { store, tenant }) {
    const page = await store.list(tenant);
    return {
      todos: page.todos.map(todoView),
      count: page.todos.length,
      ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
    };
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
  todoResource,
]);
