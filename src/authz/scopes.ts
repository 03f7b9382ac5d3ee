/**
 * The one table of which scopes each MCP operation needs: every tool, every
 * resource and every prompt. The protected resource metadata
 * (`scopes_supported`), the 403 step-up challenges and the in-band checks
 * all read it, through {@link createScopePolicy} in `policy.ts`.
 *
 * Listing (`tools/list`, `resources/list`, `resources/templates/list`,
 * `prompts/list`) needs no scope beyond a valid token, so clients can see
 * what they could ask for.
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

/** Every resource (and resource template) this server offers, by name. */
export type ResourceName = "todo_list" | "todo_list_page" | "todo";

/** Every prompt this server offers. */
export type PromptName = "plan_my_day";

/** One MCP operation that may need scopes. */
export type Operation =
  | { readonly kind: "tool"; readonly name: ToolName }
  | { readonly kind: "resource"; readonly name: ResourceName }
  | { readonly kind: "prompt"; readonly name: PromptName };

function frozen<K extends string>(
  table: Record<K, readonly string[]>,
): Readonly<Record<K, readonly string[]>> {
  for (const scopes of Object.values<readonly string[]>(table)) {
    Object.freeze(scopes);
  }
  return Object.freeze(table);
}

/** Scopes each tool needs beyond authentication (empty: any valid token). */
export const TOOL_SCOPES: Readonly<Record<ToolName, readonly string[]>> =
  frozen({
    create_todo: ["todo:write"],
    update_todo: ["todo:write"],
    delete_todo: ["todo:write"],
    list_todos: ["todo:read"],
    get_todo: ["todo:read"],
    bulk_delete_todos: ["todo:admin"],
    export_all_todos: ["todo:read", "todo:admin"],
    whoami: [],
    auth_status: [],
  });

/**
 * Scopes reading each resource needs (`resources/read`), and subscribing to
 * its changes (`subscriptions/listen` naming its URI).
 */
export const RESOURCE_SCOPES: Readonly<
  Record<ResourceName, readonly string[]>
> = frozen({
  todo_list: ["todo:read"],
  todo_list_page: ["todo:read"],
  todo: ["todo:read"],
});

/** Scopes getting each prompt needs (`prompts/get`). */
export const PROMPT_SCOPES: Readonly<Record<PromptName, readonly string[]>> =
  frozen({
    plan_my_day: ["todo:read"],
  });

/**
 * Scope hierarchy: a granted scope (key) also grants every scope it implies
 * (value), transitively. The MCP authorization spec (2026-07-28, "Scope
 * Challenge Handling") says servers MUST account for such hierarchies when
 * they have them. The Scalekit guides define none among the todo scopes
 * (`export_all_todos` asks for `todo:read` and `todo:admin` separately), so
 * this server declares none by default; an operator who defines one in
 * Scalekit passes it to `createScopePolicy({ implies })`.
 */
export const SCOPE_IMPLICATIONS: Readonly<Record<string, readonly string[]>> =
  Object.freeze({});

/** The scopes an operation needs, from the table. */
export function operationScopes(operation: Operation): readonly string[] {
  switch (operation.kind) {
    case "tool":
      return TOOL_SCOPES[operation.name];
    case "resource":
      return RESOURCE_SCOPES[operation.name];
    case "prompt":
      return PROMPT_SCOPES[operation.name];
  }
}

/** Whether `name` is one of this server's tools. */
export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(TOOL_SCOPES, name);
}

/** Every scope some operation needs, in table order, without duplicates. */
export function tableScopes(): string[] {
  return [
    ...new Set([
      ...Object.values(TOOL_SCOPES).flat(),
      ...Object.values(RESOURCE_SCOPES).flat(),
      ...Object.values(PROMPT_SCOPES).flat(),
    ]),
  ];
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
