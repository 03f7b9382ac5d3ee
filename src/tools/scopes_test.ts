import assert from "node:assert/strict";
import {
  isToolName,
  missingScopes,
  scopeDenialMessage,
  TOOL_SCOPES,
  toolScopes,
} from "./scopes.ts";

Deno.test("TOOL_SCOPES gives each guide tool its scopes", () => {
  assert.deepEqual(TOOL_SCOPES.create_todo, ["todo:write"]);
  assert.deepEqual(TOOL_SCOPES.update_todo, ["todo:write"]);
  assert.deepEqual(TOOL_SCOPES.delete_todo, ["todo:write"]);
  assert.deepEqual(TOOL_SCOPES.list_todos, ["todo:read"]);
  assert.deepEqual(TOOL_SCOPES.get_todo, ["todo:read"]);
  assert.deepEqual(TOOL_SCOPES.bulk_delete_todos, ["todo:admin"]);
  assert.deepEqual(TOOL_SCOPES.export_all_todos, ["todo:read", "todo:admin"]);
  assert.deepEqual(TOOL_SCOPES.whoami, []);
  assert.deepEqual(TOOL_SCOPES.auth_status, []);
});

Deno.test("toolScopes() lists every scope once", () => {
  assert.deepEqual(toolScopes(), ["todo:write", "todo:read", "todo:admin"]);
});

Deno.test("isToolName() knows only the table's tools", () => {
  assert.equal(isToolName("create_todo"), true);
  assert.equal(isToolName("toString"), false);
  assert.equal(isToolName("drop_tables"), false);
});

Deno.test("missingScopes() keeps the needed order", () => {
  assert.deepEqual(missingScopes(["a", "b", "c"], ["b"]), ["a", "c"]);
  assert.deepEqual(missingScopes(["a"], ["a", "z"]), []);
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
