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

/** Options for {@link createTodoTools}. */
export interface TodoToolsOptions {
  /**
   * Largest page `list_todos` and `export_all_todos` return, 1 to
   * `TODO_LIMITS.listMaxLimit` (`MCP_MAX_PAGE_SIZE`). Default 100.
   */
  readonly maxPageSize?: number;
}

/** Default of {@link TodoToolsOptions.maxPageSize}. */
export const DEFAULT_MAX_PAGE_SIZE = 100;

const cursorArg = z.string().max(1000).optional().describe(
  "next_cursor from the previous page",
);

/** `list_todos(completed?, limit?, cursor?)`: needs `todo:read`. */
function listTodos(maxPageSize: number): ToolDefinition {
  return defineTool({
    name: "list_todos",
    title: "List todos",
    description:
      `List your todos, oldest first, optionally only completed or only open ones, at most ${maxPageSize} per page (pass next_cursor back as cursor for the next). Requires the todo:read scope.`,
    input: z.object({
      completed: z.boolean().optional().describe(
        "true: only completed; false: only open; absent: all",
      ),
      limit: z.number().int().min(1).max(maxPageSize).optional()
        .describe(
          `Most todos to return (default ${
            Math.min(TODO_LIMITS.listDefaultLimit, maxPageSize)
          }, at most ${maxPageSize})`,
        ),
      cursor: cursorArg,
    }),
    output: manyTodos.extend({ next_cursor: z.string().optional() }),
    annotations: { readOnlyHint: true },
    async run(args, { store, tenant }) {
      const page = await store.list(tenant, {
        completed: args.completed,
        limit: args.limit ??
          Math.min(TODO_LIMITS.listDefaultLimit, maxPageSize),
        cursor: args.cursor,
      });
      return {
        todos: page.todos.map(todoView),
        count: page.todos.length,
        ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
      };
    },
  });
}

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

/**
 * `export_all_todos(cursor?)`: needs both `todo:read` and `todo:admin`.
 *
 * Paged like `list_todos`: one document holding every todo had no bound
 * (a tenant at its quota made a response of hundreds of megabytes), so
 * each call returns at most `maxPageSize` todos and a `next_cursor` while
 * more follow.
 */
function exportAllTodos(maxPageSize: number): ToolDefinition {
  return defineTool({
    name: "export_all_todos",
    title: "Export todos",
    description:
      `Export your todos with an export timestamp, up to ${maxPageSize} per call (limit), oldest first; while next_cursor is present, call again with it as cursor to get the rest. Requires the todo:read and todo:admin scopes.`,
    input: z.object({
      limit: z.number().int().min(1).max(maxPageSize).optional().describe(
        `Most todos in this part (default and most ${maxPageSize}); ask for fewer when a part is too large to return`,
      ),
      cursor: cursorArg,
    }),
    output: manyTodos.extend({
      exported_at: z.string(),
      next_cursor: z.string().optional(),
    }),
    annotations: { readOnlyHint: true },
    async run(args, { store, tenant, now }) {
      const page = await store.list(tenant, {
        limit: args.limit ?? maxPageSize,
        cursor: args.cursor,
      });
      return {
        todos: page.todos.map(todoView),
        count: page.todos.length,
        exported_at: new Date(now()).toISOString(),
        ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
      };
    },
  });
}

/**
 * The todo tools, in the order `tools/list` shows them, with page sizes
 * bounded by `maxPageSize`.
 */
export function createTodoTools(
  options: TodoToolsOptions = {},
): readonly ToolDefinition[] {
  const maxPageSize = options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE;
  if (
    !Number.isInteger(maxPageSize) || maxPageSize < 1 ||
    maxPageSize > TODO_LIMITS.listMaxLimit
  ) {
    throw new RangeError(
      `maxPageSize must be a whole number from 1 to ${TODO_LIMITS.listMaxLimit}`,
    );
  }
  return Object.freeze([
    createTodo,
    listTodos(maxPageSize),
    getTodo,
    updateTodo,
    deleteTodo,
    bulkDeleteTodos,
    exportAllTodos(maxPageSize),
  ]);
}

/** All todo tools with the default page size, in the order `tools/list` shows them. */
export const TODO_TOOLS: readonly ToolDefinition[] = createTodoTools();
