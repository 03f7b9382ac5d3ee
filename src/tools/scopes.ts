/**
 * The one table of which scopes each tool needs. The protected resource
 * metadata (`scopes_supported`), the HTTP-level step-up check and the tools'
 * own in-band check all read it.
 *
 * @module
 */

/** Every tool this server offers. */
export type ToolName =
  | "create_todo"
  | "list_todos"
  | "get_todo"
  | "update_todo"
  | "delete_todo"
  | "bulk_delete_todos"
  | "export_all_todos"
  | "whoami"
  | "auth_status";

/** Scopes each tool needs beyond authentication (empty: any valid token). */
export const TOOL_SCOPES: Readonly<Record<ToolName, readonly string[]>> = Object
  .freeze({
    create_todo: Object.freeze(["todo:write"]),
    update_todo: Object.freeze(["todo:write"]),
    delete_todo: Object.freeze(["todo:write"]),
    list_todos: Object.freeze(["todo:read"]),
    get_todo: Object.freeze(["todo:read"]),
    bulk_delete_todos: Object.freeze(["todo:admin"]),
    export_all_todos: Object.freeze(["todo:read", "todo:admin"]),
    whoami: Object.freeze([]),
    auth_status: Object.freeze([]),
  });

/** Whether `name` is one of this server's tools. */
export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(TOOL_SCOPES, name);
}

/** Every scope some tool needs, in table order, without duplicates. */
export function toolScopes(): string[] {
  return [...new Set(Object.values(TOOL_SCOPES).flat())];
}

/** The scopes in `needed` that `granted` lacks, in `needed`'s order. */
export function missingScopes(
  needed: readonly string[],
  granted: readonly string[],
): string[] {
  const have = new Set(granted);
  return needed.filter((scope) => !have.has(scope));
}

/**
 * The in-band refusal text the Scalekit guides use: one scope missing gives
 * "Insufficient permissions: `todo:write` scope required.", several give
 * "Missing scopes: a, b".
 */
export function scopeDenialMessage(missing: readonly string[]): string {
  return missing.length === 1
    ? `Insufficient permissions: \`${missing[0]}\` scope required.`
    : `Missing scopes: ${missing.join(", ")}`;
}
