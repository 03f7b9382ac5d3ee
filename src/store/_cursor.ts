/**
 * Opaque list cursors and the page they cut: keyset paging on
 * `(created_at, id)`, the same order in every backend.
 *
 * A cursor holds the last todo's creation time and id (both of which the
 * caller already saw) and the filter it was issued for, so it reveals
 * nothing new, and a cursor reused with another filter is refused rather
 * than guessed at. MCP treats cursors as opaque (spec, "Pagination").
 *
 * @module
 */

import { isTodoId } from "./_input.ts";
import { type Todo, type TodoPage, TodoStoreError } from "./todo_store.ts";

/** Where a page starts: after this todo in `(created_at, id)` order. */
export interface Position {
  /** ISO 8601 creation time of the last todo already returned. */
  readonly created_at: string;
  /** Its id. */
  readonly id: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_CURSOR_LENGTH = 512;

function filterTag(completed: boolean | undefined): "all" | "done" | "open" {
  return completed === undefined ? "all" : completed ? "done" : "open";
}

/** Encodes the position after `todo` for a list with this filter. */
export function encodeCursor(
  todo: Position,
  completed: boolean | undefined,
): string {
  const json = JSON.stringify({
    v: 1,
    f: filterTag(completed),
    t: todo.created_at,
    i: todo.id,
  });
  const bytes = new TextEncoder().encode(json);
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_").replace(/=+$/, "");
}

function refuse(): TodoStoreError {
  return new TodoStoreError(
    "invalid_cursor",
    "The cursor is not one this server issued for this list",
  );
}

/**
 * Decodes a cursor issued for a list with this filter.
 *
 * @throws {TodoStoreError} `invalid_cursor` for anything else.
 */
export function decodeCursor(
  cursor: unknown,
  completed: boolean | undefined,
): Position {
  if (
    typeof cursor !== "string" || cursor.length === 0 ||
    cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)
  ) {
    throw refuse();
  }
  let parsed: unknown;
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    parsed = JSON.parse(binary);
  } catch {
    throw refuse();
  }
  const { v, f, t, i } = (parsed ?? {}) as Record<string, unknown>;
  if (
    v !== 1 || f !== filterTag(completed) || typeof t !== "string" ||
    !ISO_UTC.test(t) || Number.isNaN(Date.parse(t)) || !isTodoId(i)
  ) {
    throw refuse();
  }
  return { created_at: t, id: i };
}

/** True when `a` sorts before `b` in list order. */
export function before(a: Position, b: Position): boolean {
  return a.created_at < b.created_at ||
    (a.created_at === b.created_at && a.id < b.id);
}

/**
 * Turns up to `limit + 1` rows fetched in list order into a page: the extra
 * row, when there is one, only says that another page follows.
 */
export function pageOf(
  rows: readonly Todo[],
  limit: number,
  completed: boolean | undefined,
): TodoPage {
  if (rows.length <= limit) return { todos: rows };
  const todos = rows.slice(0, limit);
  return {
    todos,
    nextCursor: encodeCursor(todos[todos.length - 1], completed),
  };
}
