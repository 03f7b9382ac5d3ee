/**
 * The todo tools from the Scalekit FastMCP guide, kept per tenant.
 *
 * @module
 */

import { z } from "zod";
import { type Todo, TODO_LIMITS } from "../store/todo_store.ts";
import { defineTool, type ToolDefinition, ToolFailure } from "./tool.ts";

const todoId = z.string().min(1).max(TODO_LIMITS.idMaxLength).describe(
  "The todo's id",
);
const title = z.string().trim().min(1).max(TODO_LIMITS.titleMaxLength);
const description = z.string().max(TODO_LIMITS.descriptionMaxLength);

// Optional fields, never nullable: `"type": ["string", "null"]` is legal
// JSON Schema but not portable (MCP Inspector warns, and clients that map
// tool schemas onto single-type dialects reject it).
const todoSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional().describe("Absent when there is none"),
  completed: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** A stored todo as tools show it: no `description` key when there is none. */
export function todoView(todo: Todo): z.input<typeof todoSchema> {
  const { description, ...rest } = todo;
  return description === null ? rest : { ...rest, description };
}

const oneTodo = z.object({ todo: todoSchema });
const manyTodos = z.object({
  todos: z.array(todoSchema),
  count: z.number().int(),
});

function notFound(id: string): ToolFailure {
  return new ToolFailure(`Todo \`${id}\` not found.`);
}

/** `create_todo(title, description?)`: needs `todo:write`. */
export const createTodo: ToolDefinition = defineTool({
  name: "create_todo",
  title: "Create todo",
  description: "Create a todo item. Requires the todo:write scope.",
  input: z.object({
    title: title.describe("Title of the todo"),
    description: description.optional().describe("Optional details"),
  }),
  output: oneTodo,
  async run(args, { store, tenant, identity }) {
    const todo = await store.create(tenant, {
      title: args.title,
      description: args.description ?? null,
      created_by: identity.subject,
    });
    return { todo: todoView(todo) };
  },
});

/** `list_todos(completed?)`: needs `todo:read`. */
export const listTodos: ToolDefinition = defineTool({
  name: "list_todos",
  title: "List todos",
  description:
    "List your todos, optionally only completed or only open ones. Requires the todo:read scope.",
  input: z.object({
    completed: z.boolean().optional().describe(
      "true: only completed; false: only open; absent: all",
    ),
    limit: z.number().int().min(1).max(TODO_LIMITS.listMaxLimit).optional()
      .describe(
        `Most todos to return (default ${TODO_LIMITS.listDefaultLimit})`,
      ),
    cursor: z.string().max(1000).optional().describe(
      "next_cursor from the previous page",
    ),
  }),
  output: manyTodos.extend({ next_cursor: z.string().optional() }),
  annotations: { readOnlyHint: true },
  async run(args, { store, tenant }) {
    const page = await store.list(tenant, {
      completed: args.completed,
      limit: args.limit,
      cursor: args.cursor,
    });
    return {
      todos: page.todos.map(todoView),
      count: page.todos.length,
      ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
    };
  },
});

/** `get_todo(todo_id)`: needs `todo:read`. */
export const getTodo: ToolDefinition = defineTool({
  name: "get_todo",
  title: "Get todo",
  description: "Fetch one todo by id. Requires the todo:read scope.",
  input: z.object({ todo_id: todoId }),
  output: oneTodo,
  annotations: { readOnlyHint: true },
  async run(args, { store, tenant }) {
    const todo = await store.get(tenant, args.todo_id);
    if (todo === undefined) throw notFound(args.todo_id);
    return { todo: todoView(todo) };
  },
});

/** `update_todo(todo_id, title?, description?, completed?)`: needs `todo:write`. */
export const updateTodo: ToolDefinition = defineTool({
  name: "update_todo",
  title: "Update todo",
  description:
    "Change a todo's title, description or completion. Requires the todo:write scope.",
  input: z.object({
    todo_id: todoId,
    title: title.optional().describe("New title"),
    description: description.optional().describe(
      "New description; an empty string removes it",
    ),
    completed: z.boolean().optional().describe("New completion state"),
  }),
  output: oneTodo,
  annotations: { idempotentHint: true },
  async run(args, { store, tenant }) {
    const todo = await store.update(tenant, args.todo_id, {
      title: args.title,
      // No null in the schema (see todoSchema), so "" is how a caller clears it.
      description: args.description === "" ? null : args.description,
      completed: args.completed,
    });
    if (todo === undefined) throw notFound(args.todo_id);
    return { todo: todoView(todo) };
  },
});

/** `delete_todo(todo_id)`: needs `todo:write`. */
export const deleteTodo: ToolDefinition = defineTool({
  name: "delete_todo",
  title: "Delete todo",
  description: "Delete one todo. Requires the todo:write scope.",
  input: z.object({ todo_id: todoId }),
  output: z.object({ deleted: z.string() }),
  annotations: { destructiveHint: true },
  async run(args, { store, tenant }) {
    if (!await store.delete(tenant, args.todo_id)) throw notFound(args.todo_id);
    return { deleted: args.todo_id };
  },
});

/** `bulk_delete_todos()`: deletes completed todos; needs `todo:admin`. */
export const bulkDeleteTodos: ToolDefinition = defineTool({
  name: "bulk_delete_todos",
  title: "Delete completed todos",
  description: "Delete every completed todo. Requires the todo:admin scope.",
  input: z.object({}),
  output: z.object({
    deleted_count: z.number().int(),
    deleted_ids: z.array(z.string()),
  }),
  annotations: { destructiveHint: true },
  async run(_args, { store, tenant }) {
    const ids = await store.deleteCompleted(tenant);
    return { deleted_count: ids.length, deleted_ids: ids };
  },
});

/** `export_all_todos()`: needs both `todo:read` and `todo:admin`. */
export const exportAllTodos: ToolDefinition = defineTool({
  name: "export_all_todos",
  title: "Export todos",
  description:
    "Export all of your todos with an export timestamp. Requires the todo:read and todo:admin scopes.",
  input: z.object({}),
  output: manyTodos.extend({ exported_at: z.string() }),
  annotations: { readOnlyHint: true },
  async run(_args, { store, tenant, now }) {
    const todos: Todo[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list(tenant, {
        limit: TODO_LIMITS.listMaxLimit,
        cursor,
      });
      todos.push(...page.todos);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return {
      todos: todos.map(todoView),
      count: todos.length,
      exported_at: new Date(now()).toISOString(),
    };
  },
});

/** All todo tools, in the order `tools/list` shows them. */
export const TODO_TOOLS: readonly ToolDefinition[] = Object.freeze([
  createTodo,
  listTodos,
  getTodo,
  updateTodo,
  deleteTodo,
  bulkDeleteTodos,
  exportAllTodos,
]);
