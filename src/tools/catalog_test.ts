import assert from "node:assert/strict";
import type { Identity } from "../auth/identity.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { createToolCatalog } from "./catalog.ts";
import { IDENTITY_TOOLS } from "./identity.ts";
import { TOOL_SCOPES } from "./scopes.ts";
import type { ToolContext } from "./tool.ts";
import { TODO_TOOLS } from "./todos.ts";

const ALL = ["todo:read", "todo:write", "todo:admin"];

function identity(scopes: string[], organizationId?: string): Identity {
  return {
    subject: "usr_1",
    clientId: "m2m_1",
    scopes,
    expiresAt: 2_000_000_000,
    issuer: "https://env.example",
    claims: {},
    ...(organizationId ? { organizationId } : {}),
  };
}

function context(
  store: MemoryTodoStore,
  scopes = ALL,
  tenant = "org:1",
): ToolContext {
  return {
    identity: identity(scopes, "org_1"),
    tenant,
    store,
    provider: "scalekit",
    now: () => Date.UTC(2026, 10, 22),
  };
}

const catalog = createToolCatalog([...TODO_TOOLS, ...IDENTITY_TOOLS]);

function text(result: { content: unknown[] }): string {
  return (result.content[0] as { text: string }).text;
}

Deno.test("catalog lists every tool of the scope table with schemas", () => {
  assert.deepEqual(
    catalog.tools.map((tool) => tool.name).sort(),
    Object.keys(TOOL_SCOPES).sort(),
  );
  for (const tool of catalog.tools) {
    assert.equal(tool.inputSchema.type, "object");
    assert.equal(tool.outputSchema?.type, "object");
    assert.equal("$schema" in tool.inputSchema, false);
  }
  const create = catalog.tools.find((tool) => tool.name === "create_todo");
  assert.deepEqual(create?.inputSchema.required, ["title"]);
});

Deno.test("todo tools round trip with structured content and text", async () => {
  const store = new MemoryTodoStore();
  const ctx = context(store);
  const created = await catalog.call(
    "create_todo",
    { title: "Test Task" },
    ctx,
  );
  assert.equal(created.isError, undefined);
  const todo =
    (created.structuredContent as { todo: { id: string; title: string } }).todo;
  assert.equal(todo.title, "Test Task");
  assert.deepEqual(JSON.parse(text(created)), created.structuredContent);

  const updated = await catalog.call("update_todo", {
    todo_id: todo.id,
    completed: true,
  }, ctx);
  assert.equal(
    (updated.structuredContent as { todo: { completed: boolean } }).todo
      .completed,
    true,
  );

  const listed = await catalog.call("list_todos", { completed: true }, ctx);
  assert.equal((listed.structuredContent as { count: number }).count, 1);

  const exported = await catalog.call("export_all_todos", {}, ctx);
  assert.equal(
    (exported.structuredContent as { exported_at: string }).exported_at,
    "2026-11-22T00:00:00.000Z",
  );

  const bulk = await catalog.call("bulk_delete_todos", {}, ctx);
  assert.deepEqual(bulk.structuredContent, {
    deleted_count: 1,
    deleted_ids: [todo.id],
  });
});

Deno.test("not-found is a tool error naming the id", async (t) => {
  const ctx = context(new MemoryTodoStore());
  for (const name of ["get_todo", "update_todo", "delete_todo"]) {
    await t.step(name, async () => {
      const result = await catalog.call(name, { todo_id: "nope" }, ctx);
      assert.equal(result.isError, true);
      assert.equal(text(result), "Todo `nope` not found.");
    });
  }
});

Deno.test("a call without its scopes is refused in the guides' words", async (t) => {
  const store = new MemoryTodoStore();
  const cases: Array<[string, string[], string]> = [
    [
      "create_todo",
      ["todo:read"],
      "Insufficient permissions: `todo:write` scope required.",
    ],
    [
      "list_todos",
      ["todo:write"],
      "Insufficient permissions: `todo:read` scope required.",
    ],
    [
      "bulk_delete_todos",
      ["todo:read"],
      "Insufficient permissions: `todo:admin` scope required.",
    ],
    ["export_all_todos", [], "Missing scopes: todo:read, todo:admin"],
    [
      "export_all_todos",
      ["todo:read"],
      "Insufficient permissions: `todo:admin` scope required.",
    ],
  ];
  for (const [name, scopes, message] of cases) {
    await t.step(`${name} with [${scopes}]`, async () => {
      const result = await catalog.call(
        name,
        { title: "x" },
        context(store, scopes),
      );
      assert.equal(result.isError, true);
      assert.equal(text(result), message);
    });
  }
  assert.deepEqual(
    (await store.list("org:1")).todos,
    [],
    "nothing was created",
  );
});

Deno.test("bad arguments are a tool error, not a crash", async () => {
  const result = await catalog.call(
    "create_todo",
    { title: "" },
    context(new MemoryTodoStore()),
  );
  assert.equal(result.isError, true);
  assert.match(text(result), /^Invalid arguments for `create_todo`: title: /);
});

Deno.test("an unknown tool is a JSON-RPC invalid-params error", async () => {
  await assert.rejects(
    catalog.call("drop_tables", {}, context(new MemoryTodoStore())),
    (error: { code?: number }) => error.code === -32602,
  );
});

Deno.test("an unexpected failure is reported but not leaked", async () => {
  const seen: unknown[] = [];
  const failing = createToolCatalog(TODO_TOOLS, {
    onUnexpectedError: (error) => seen.push(error),
  });
  const store = new MemoryTodoStore();
  store.list = () => Promise.reject(new Error("disk on fire at /var/secret"));
  const result = await failing.call("list_todos", {}, context(store));
  assert.equal(result.isError, true);
  assert.doesNotMatch(text(result), /disk|secret/);
  assert.equal(seen.length, 1);
});

Deno.test("whoami and auth_status describe the caller", async () => {
  const ctx = context(new MemoryTodoStore(), ["todo:read"]);
  const me = await catalog.call("whoami", {}, ctx);
  assert.deepEqual(me.structuredContent, {
    subject: "usr_1",
    client_id: "m2m_1",
    scopes: ["todo:read"],
    expires_at: new Date(2_000_000_000_000).toISOString(),
    organization_id: "org_1",
  });
  const status = await catalog.call("auth_status", {}, ctx);
  assert.deepEqual(status.structuredContent, {
    authenticated: true,
    provider: "scalekit",
    issuer: "https://env.example",
    scopes: ["todo:read"],
    expires_in_seconds: 2_000_000_000 - Date.UTC(2026, 10, 22) / 1000,
  });
});
