/**
 * Input checks every backend runs before touching its database, so the three
 * backends accept and refuse exactly the same things with the same errors.
 *
 * @module
 */

import {
  type NewTodo,
  TODO_LIMITS,
  type TodoPatch,
  type TodoQuery,
  TodoStoreError,
} from "./todo_store.ts";

/** A new todo after checking: title trimmed, description `null` when absent. */
export interface CheckedNewTodo {
  /** Trimmed title. */
  readonly title: string;
  /** Description or `null`. */
  readonly description: string | null;
  /** The creator's subject. */
  readonly created_by: string;
}

/** A patch after checking: only the fields to change are present. */
export interface CheckedPatch {
  /** Trimmed title. */
  title?: string;
  /** Description; `null` clears it. */
  description?: string | null;
  /** Completion state. */
  completed?: boolean;
}

/** A list query after checking. */
export interface CheckedQuery {
  /** Filter, or `undefined` for all. */
  readonly completed?: boolean;
  /** Page size, 1 to the maximum. */
  readonly limit: number;
}

// Ids are `crypto.randomUUID()` output: canonical and lowercase. Anything
// else cannot name a todo, so it is "not found" in every backend, without a
// query (PostgreSQL's uuid type would otherwise accept upper case).
const TODO_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `id` can name a todo at all. */
export function isTodoId(id: unknown): id is string {
  return typeof id === "string" && TODO_ID.test(id);
}

function invalid(field: string, message: string): TodoStoreError {
  return new TodoStoreError("invalid_input", message, { field });
}

/**
 * Text every backend can store unchanged: a string of well-formed UTF-16 (a
 * lone surrogate would come back from SQLite and PostgreSQL as U+FFFD) with
 * no NUL (PostgreSQL's `text` cannot hold U+0000).
 */
function storable(value: string): boolean {
  return value.isWellFormed() && !value.includes("\u0000");
}

function checkKey(field: string, value: unknown): string {
  if (
    typeof value !== "string" || value.length === 0 ||
    value.length > TODO_LIMITS.keyMaxLength || !storable(value)
  ) {
    throw invalid(
      field,
      `The ${field} must be 1 to ${TODO_LIMITS.keyMaxLength} characters of text without NUL`,
    );
  }
  return value;
}

/** Checks a tenant key. @throws {TodoStoreError} `invalid_input`. */
export function checkTenant(tenant: unknown): string {
  return checkKey("tenant", tenant);
}

function checkTitle(title: unknown): string {
  const trimmed = typeof title === "string" ? title.trim() : "";
  if (
    trimmed.length === 0 || trimmed.length > TODO_LIMITS.titleMaxLength ||
    !storable(trimmed)
  ) {
    throw invalid(
      "title",
      `The title must be 1 to ${TODO_LIMITS.titleMaxLength} characters after trimming, without NUL`,
    );
  }
  return trimmed;
}

function checkDescription(description: unknown): string | null {
  if (description === null || description === undefined) return null;
  if (
    typeof description !== "string" ||
    description.length > TODO_LIMITS.descriptionMaxLength ||
    !storable(description)
  ) {
    throw invalid(
      "description",
      `The description must be at most ${TODO_LIMITS.descriptionMaxLength} characters, without NUL`,
    );
  }
  return description;
}

/** Checks a new todo. @throws {TodoStoreError} `invalid_input`. */
export function checkNewTodo(input: NewTodo): CheckedNewTodo {
  return {
    title: checkTitle(input?.title),
    description: checkDescription(input?.description),
    created_by: checkKey("created_by", input?.created_by),
  };
}

/** Checks a patch, keeping only the given fields. @throws {TodoStoreError} `invalid_input`. */
export function checkPatch(patch: TodoPatch): CheckedPatch {
  const checked: CheckedPatch = {};
  if (patch?.title !== undefined) checked.title = checkTitle(patch.title);
  if (patch?.description !== undefined) {
    checked.description = checkDescription(patch.description);
  }
  if (patch?.completed !== undefined) {
    if (typeof patch.completed !== "boolean") {
      throw invalid("completed", "The completion state must be true or false");
    }
    checked.completed = patch.completed;
  }
  return checked;
}

/** Checks a list query's filter and page size. @throws {TodoStoreError} `invalid_input`. */
export function checkQuery(query: TodoQuery | undefined): CheckedQuery {
  const limit = query?.limit ?? TODO_LIMITS.listDefaultLimit;
  if (
    !Number.isInteger(limit) || limit < 1 || limit > TODO_LIMITS.listMaxLimit
  ) {
    throw invalid(
      "limit",
      `The limit must be a whole number from 1 to ${TODO_LIMITS.listMaxLimit}`,
    );
  }
  const completed = query?.completed;
  if (completed !== undefined && typeof completed !== "boolean") {
    throw invalid("completed", "The completion filter must be true or false");
  }
  return completed === undefined ? { limit } : { completed, limit };
}
