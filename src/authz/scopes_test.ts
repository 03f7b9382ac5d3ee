import assert from "node:assert/strict";
import {
  isToolName,
  operationScopes,
  PROMPT_SCOPES,
  RESOURCE_SCOPES,
  scopeDenialMessage,
  tableScopes,
  TOOL_SCOPES,
} from "./scopes.ts";

Deno.test("TOOL_SCOPES gives each guide tool its scopes", () => {
  assert.deepEqual(TOOL_SCOPES, {
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
});

Deno.test("reading a resource and getting a prompt need todo:read", () => {
  assert.deepEqual(RESOURCE_SCOPES, {
    todo_list: ["todo:read"],
    todo_list_page: ["todo:read"],
    todo: ["todo:read"],
  });
  assert.deepEqual(PROMPT_SCOPES, { plan_my_day: ["todo:read"] });
  assert.deepEqual(operationScopes({ kind: "resource", name: "todo" }), [
    "todo:read",
  ]);
  assert.deepEqual(operationScopes({ kind: "prompt", name: "plan_my_day" }), [
    "todo:read",
  ]);
  assert.deepEqual(operationScopes({ kind: "tool", name: "whoami" }), []);
});

Deno.test("the table cannot be changed at run time", () => {
  assert.throws(() => {
    (TOOL_SCOPES.whoami as string[]).push("todo:admin");
  }, TypeError);
  assert.throws(() => {
    (RESOURCE_SCOPES as Record<string, readonly string[]>).todo = [];
  }, TypeError);
});

Deno.test("tableScopes() lists every scope once, in table order", () => {
  assert.deepEqual(tableScopes(), ["todo:write", "todo:read", "todo:admin"]);
});

Deno.test("isToolName() knows only the table's tools", () => {
  assert.equal(isToolName("create_todo"), true);
  assert.equal(isToolName("toString"), false);
  assert.equal(isToolName("drop_tables"), false);
});

Deno.test("scopeDenialMessage() uses the guides' wording", () => {
  assert.equal(
    scopeDenialMessage(["todo:write"]),
    "Insufficient permissions: `todo:write` scope required.",
  );
  assert.equal(
    scopeDenialMessage(["todo:read", "todo:admin"]),
    "Missing scopes: todo:read, todo:admin",
  );
});
