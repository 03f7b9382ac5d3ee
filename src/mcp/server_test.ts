import assert from "node:assert/strict";
import { type Era, rpcRequest } from "../../fixtures/harness.ts";
import type { Identity } from "../auth/identity.ts";
import { createScopePolicy } from "../authz/policy.ts";
import type { Operation } from "../authz/scopes.ts";
import type { ScopeDenialMode } from "../config/types.ts";
import { PROMPTS } from "../prompts/plan_my_day.ts";
import { TODO_RESOURCES } from "../resources/todos.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { IDENTITY_TOOLS } from "../tools/identity.ts";
import { TODO_TOOLS } from "../tools/todos.ts";
import { createMcpEndpoint } from "./handler.ts";
import {
  createMcpServers,
  INSUFFICIENT_SCOPE_ERROR_CODE,
  type McpServers,
  requestAuthInfo,
} from "./server.ts";

/** Every tool, resource and prompt, no required scope, over a fresh store. */
function allServers(): McpServers {
  return createMcpServers({
    tools: [...TODO_TOOLS, ...IDENTITY_TOOLS],
    resources: TODO_RESOURCES,
    prompts: PROMPTS,
    policy: createScopePolicy({ requiredScopes: [] }),
    scopeDenial: "http",
    store: new MemoryTodoStore(),
    provider: "scalekit",
  });
}

const ALL = ["todo:read", "todo:write", "todo:admin"];
const NOW = Date.UTC(2026, 10, 22);

function identity(scopes: string[] = ALL): Identity {
  return {
    subject: "usr_1",
    clientId: "m2m_1",
    scopes,
    expiresAt: 2_000_000_000,
    organizationId: "org_1",
    issuer: "https://env.example",
    claims: {},
  };
}

interface Setup {
  readonly store: MemoryTodoStore;
  readonly unexpected: Array<{ error: unknown; operation: Operation }>;
  call(
    method: string,
    params?: Record<string, unknown>,
    options?: { scopes?: string[]; era?: Era },
    // deno-lint-ignore no-explicit-any -- JSON-RPC answers, read field by field
  ): Promise<{ status: number; body: Record<string, any> }>;
}

function setup(scopeDenial: ScopeDenialMode = "tool"): Setup {
  const store = new MemoryTodoStore();
  const unexpected: Setup["unexpected"] = [];
  const servers = createMcpServers({
    tools: [...TODO_TOOLS, ...IDENTITY_TOOLS],
    resources: TODO_RESOURCES,
    prompts: PROMPTS,
    policy: createScopePolicy({ requiredScopes: [] }),
    scopeDenial,
    store,
    provider: "scalekit",
    now: () => NOW,
    onUnexpectedError: (error, operation) =>
      unexpected.push({ error, operation }),
  });
  const endpoint = createMcpEndpoint({ servers });
  return {
    store,
    unexpected,
    async call(method, params = {}, options = {}) {
      const era = options.era ?? "legacy";
      const init = rpcRequest(era, method, params);
      const body = JSON.parse(init.body);
      const res = await endpoint.handle(
        new Request("http://localhost:3002/mcp", init),
        body,
        { identity: identity(options.scopes) },
        era,
      );
      return { status: res.status, body: await res.json() };
    },
  };
}

function tool(name: string, args: Record<string, unknown> = {}) {
  return { name, arguments: args };
}

Deno.test("todo tools round trip with structured content and the same text", async () => {
  const s = setup();
  const created = (await s.call(
    "tools/call",
    tool("create_todo", {
      title: "  Test Task  ",
    }),
  )).body.result;
  assert.equal(created.isError, undefined);
  const todo = created.structuredContent.todo;
  assert.equal(todo.title, "Test Task", "titles are trimmed");
  assert.equal("description" in todo, false, "no description key, not null");
  assert.deepEqual(
    JSON.parse(created.content[0].text),
    created.structuredContent,
  );

  const described = (await s.call(
    "tools/call",
    tool("update_todo", {
      todo_id: todo.id,
      description: "details",
      completed: true,
    }),
  )).body.result.structuredContent.todo;
  assert.equal(described.description, "details");
  assert.equal(described.completed, true);
  assert.equal(described.title, "Test Task", "untouched fields stay");
  const cleared = (await s.call(
    "tools/call",
    tool("update_todo", {
      todo_id: todo.id,
      description: "",
    }),
  )).body.result.structuredContent.todo;
  assert.equal("description" in cleared, false, "an empty string clears it");

  const listed = (await s.call(
    "tools/call",
    tool("list_todos", {
      completed: true,
    }),
  )).body.result.structuredContent;
  assert.equal(listed.count, 1);
  const exported = (await s.call("tools/call", tool("export_all_todos")))
    .body.result.structuredContent;
  assert.equal(exported.exported_at, "2026-11-22T00:00:00.000Z");
  const bulk = (await s.call("tools/call", tool("bulk_delete_todos"))).body
    .result.structuredContent;
  assert.deepEqual(bulk, { deleted_count: 1, deleted_ids: [todo.id] });
});

Deno.test("not-found is a tool error naming the id", async (t) => {
  const s = setup();
  for (const name of ["get_todo", "update_todo", "delete_todo"]) {
    await t.step(name, async () => {
      const { result } = (await s.call(
        "tools/call",
        tool(name, { todo_id: "nope" }),
      )).body;
      assert.equal(result.isError, true);
      assert.equal(result.content[0].text, "Todo `nope` not found.");
    });
  }
});

Deno.test("in-band refusals use the guides' words, and nothing runs", async (t) => {
  const s = setup("tool");
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
  ];
  for (const [name, scopes, message] of cases) {
    for (const era of ["legacy", "modern"] as const) {
      await t.step(`${era}: ${name} with [${scopes}]`, async () => {
        const { status, body } = await s.call(
          "tools/call",
          tool(name, { title: "x" }),
          { scopes, era },
        );
        assert.equal(status, 200);
        assert.equal(body.result.isError, true);
        assert.equal(body.result.content[0].text, message);
      });
    }
  }
  assert.equal(
    (await s.store.list("org:org_1")).todos.length,
    0,
    "nothing created",
  );
});

Deno.test("an in-band refusal of a read or a prompt is a JSON-RPC error with the challenge's scope", async () => {
  const s = setup("tool");
  for (
    const [method, params] of [
      ["resources/read", { uri: "todo://todos" }],
      ["resources/read", { uri: "todo://todos/abc" }],
      ["prompts/get", { name: "plan_my_day", arguments: {} }],
    ] as const
  ) {
    const { body } = await s.call(method, params, { scopes: ["todo:write"] });
    assert.equal(body.error.code, INSUFFICIENT_SCOPE_ERROR_CODE, method);
    assert.equal(
      body.error.message,
      "Insufficient permissions: `todo:read` scope required.",
    );
    assert.deepEqual(body.error.data, {
      error: "insufficient_scope",
      scope: "todo:read todo:write",
    });
  }
});

Deno.test("bad arguments are a tool error, not a crash", async () => {
  const s = setup();
  const { body } = await s.call(
    "tools/call",
    tool("create_todo", { title: "" }),
  );
  assert.equal(body.result.isError, true);
  assert.match(body.result.content[0].text, /create_todo/);
  assert.match(body.result.content[0].text, /title/);
});

Deno.test("a title is 1 to 500 characters, advertised in the schema and enforced", async () => {
  const s = setup();
  const listed = (await s.call("tools/list")).body.result.tools;
  for (const name of ["create_todo", "update_todo"]) {
    const schema = listed.find((t: { name: string }) => t.name === name)
      .inputSchema.properties.title;
    assert.equal(schema.maxLength, 500, name);
    assert.equal(schema.minLength, 1, name);
  }
  const longest = await s.call(
    "tools/call",
    tool("create_todo", { title: "t".repeat(500) }),
  );
  assert.equal(longest.body.result.isError, undefined);
  const tooLong = await s.call(
    "tools/call",
    tool("create_todo", { title: "t".repeat(501) }),
  );
  assert.equal(tooLong.body.result.isError, true);
  assert.match(tooLong.body.result.content[0].text, /title/);
  assert.equal((await s.store.list("org:org_1")).todos.length, 1);
});

Deno.test("an unknown tool or prompt is a JSON-RPC invalid-params error", async () => {
  const s = setup();
  const unknownTool = (await s.call("tools/call", tool("drop_tables"))).body;
  assert.equal(unknownTool.error.code, -32602);
  const unknownPrompt = (await s.call("prompts/get", { name: "nope" })).body;
  assert.equal(unknownPrompt.error.code, -32602);
});

Deno.test("an unexpected failure is reported but never leaked", async (t) => {
  const s = setup();
  s.store.list = () => Promise.reject(new Error("disk on fire at /var/secret"));
  const calls: Array<[string, Record<string, unknown>]> = [
    ["tools/call", tool("list_todos")],
    ["resources/read", { uri: "todo://todos" }],
    ["prompts/get", { name: "plan_my_day", arguments: {} }],
  ];
  for (const [method, params] of calls) {
    await t.step(method, async () => {
      const { body } = await s.call(method, params);
      const text = JSON.stringify(body);
      assert.doesNotMatch(text, /disk|secret/);
      assert.match(text, /internal error/);
    });
  }
  assert.deepEqual(s.unexpected.map(({ operation }) => operation), [
    { kind: "tool", name: "list_todos" },
    { kind: "resource", name: "todo_list" },
    { kind: "prompt", name: "plan_my_day" },
  ]);
});

Deno.test("a todo that does not exist is a resource-not-found error", async () => {
  const s = setup();
  for (const era of ["legacy", "modern"] as const) {
    const { body } = await s.call("resources/read", {
      uri: "todo://todos/no-such-id",
    }, { era });
    assert.match(body.error.message, /not found/i, era);
  }
});

Deno.test("whoami and auth_status describe the caller without nulls", async () => {
  const s = setup();
  const me = (await s.call("tools/call", tool("whoami"), {
    scopes: ["todo:read"],
  })).body.result.structuredContent;
  assert.deepEqual(me, {
    subject: "usr_1",
    client_id: "m2m_1",
    scopes: ["todo:read"],
    expires_at: new Date(2_000_000_000_000).toISOString(),
    organization_id: "org_1",
  });
  const status = (await s.call("tools/call", tool("auth_status"), {
    scopes: ["todo:read"],
  })).body.result.structuredContent;
  assert.deepEqual(status, {
    authenticated: true,
    provider: "scalekit",
    issuer: "https://env.example",
    scopes: ["todo:read"],
    expires_in_seconds: 2_000_000_000 - NOW / 1000,
  });
});

Deno.test("every listed schema is portable: one type per node, never null", async () => {
  const s = setup();
  const { tools } = (await s.call("tools/list")).body.result;
  assert.equal(tools.length, 9);
  const offending: string[] = [];
  const walk = (node: unknown, path: string) => {
    if (typeof node !== "object" || node === null) return;
    const type = (node as { type?: unknown }).type;
    if (Array.isArray(type) || type === "null") offending.push(path);
    for (const [key, child] of Object.entries(node)) {
      walk(child, `${path}.${key}`);
    }
  };
  for (const listed of tools) {
    assert.equal(listed.inputSchema.type, "object", listed.name);
    assert.equal(listed.outputSchema.type, "object", listed.name);
    walk(listed.inputSchema, `${listed.name}.inputSchema`);
    walk(listed.outputSchema, `${listed.name}.outputSchema`);
  }
  assert.deepEqual(offending, []);
});

Deno.test("operationsIn() reads what a message or batch asks for, as the SDK resolves it", () => {
  const { operationsIn } = allServers();
  const message = (method: string, params: unknown) => ({
    jsonrpc: "2.0",
    id: 1,
    method,
    params,
  });
  assert.deepEqual(
    operationsIn(message("tools/call", { name: "create_todo" })),
    [{ kind: "tool", name: "create_todo" }],
  );
  assert.deepEqual(
    operationsIn(message("prompts/get", { name: "plan_my_day" })),
    [{ kind: "prompt", name: "plan_my_day" }],
  );
  assert.deepEqual(
    operationsIn(message("resources/read", { uri: "todo://todos" })),
    [{ kind: "resource", name: "todo_list" }],
  );
  assert.deepEqual(
    operationsIn(message("resources/read", { uri: "todo://todos/42" })),
    [{ kind: "resource", name: "todo" }],
  );
  assert.deepEqual(
    operationsIn([
      message("tools/call", { name: "create_todo" }),
      message("tools/call", { name: "create_todo" }),
      message("tools/call", { name: "bulk_delete_todos" }),
      message("tools/list", {}),
    ]),
    [
      { kind: "tool", name: "create_todo" },
      { kind: "tool", name: "bulk_delete_todos" },
    ],
    "a batch, each operation once",
  );
  for (
    const odd of [
      message("tools/call", { name: "drop_tables" }),
      message("tools/call", { name: "toString" }),
      message("prompts/get", { name: "nope" }),
      message("resources/read", { uri: "not a uri" }),
      message("resources/read", { uri: "todo://other" }),
      message("tools/call", null),
      42,
      null,
    ]
  ) {
    assert.deepEqual(operationsIn(odd), [], JSON.stringify(odd));
  }
});

Deno.test("the AuthInfo handed to the SDK never carries the token", () => {
  const info = requestAuthInfo(
    { identity: identity(), operations: [] },
    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
  );
  assert.equal(info.token, "");
  assert.equal(info.clientId, "m2m_1");
  assert.equal(
    info.resourceMetadataUrl,
    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
  );
});

Deno.test("a bad page is -32602 naming what is wrong; a store outage is -32603, logged with its reason", async (t) => {
  const s = setup();
  const cases: [string, RegExp][] = [
    ["todo://todos?limit=0", /limit must be a whole number from 1 to 1000/],
    ["todo://todos?cursor=nope", /cursor is not one this server issued/],
    ["todo://todos?sort=title", /only the query parameters limit and cursor/],
  ];
  for (const [uri, message] of cases) {
    await t.step(uri, async () => {
      const { body } = await s.call("resources/read", { uri });
      assert.equal(body.error.code, -32602);
      assert.match(body.error.message, message);
    });
  }
  await t.step("outage", async () => {
    const unavailable: string[] = [];
    const store = new MemoryTodoStore();
    await store.close();
    const servers = createMcpServers({
      tools: TODO_TOOLS,
      resources: TODO_RESOURCES,
      prompts: PROMPTS,
      policy: createScopePolicy({ requiredScopes: [] }),
      scopeDenial: "tool",
      store,
      provider: "scalekit",
      onStoreUnavailable: (error, operation) =>
        unavailable.push(`${operation.name}: ${error.detail}`),
    });
    const endpoint = createMcpEndpoint({ servers });
    for (
      const [method, params] of [
        ["resources/read", { uri: "todo://todos" }],
        ["tools/call", tool("list_todos")],
      ] as const
    ) {
      const init = rpcRequest("legacy", method, params);
      const res = await endpoint.handle(
        new Request("http://localhost:3002/mcp", init),
        JSON.parse(init.body),
        { identity: identity() },
        "legacy",
      );
      const body = await res.json();
      if (method === "resources/read") {
        assert.equal(body.error.code, -32603);
        assert.match(body.error.message, /The todo store is closed/);
      } else {
        assert.equal(body.result.isError, true);
        assert.match(body.result.content[0].text, /The todo store is closed/);
      }
    }
    assert.deepEqual(unavailable, ["todo_list: closed", "list_todos: closed"]);
  });
});

Deno.test("toolCallsOnly() names the tools only when a message or batch holds nothing but their calls", () => {
  const { toolCallsOnly } = allServers();
  const message = (method: string, params?: unknown) => ({
    jsonrpc: "2.0",
    id: 1,
    method,
    ...(params === undefined ? {} : { params }),
  });
  const call = (name: string) => message("tools/call", { name });
  assert.deepEqual(toolCallsOnly(call("list_todos")), new Set(["list_todos"]));
  assert.deepEqual(
    toolCallsOnly([call("list_todos"), call("create_todo")]),
    new Set(["list_todos", "create_todo"]),
  );
  for (
    const [what, body] of [
      ["a listing", message("tools/list")],
      ["a call and a listing", [call("list_todos"), message("tools/list")]],
      ["a call and a read", [
        call("list_todos"),
        message("resources/read", { uri: "todo://todos" }),
      ]],
      ["an unknown tool", call("no_such_tool")],
      ["a known and an unknown tool", [call("list_todos"), call("nope")]],
      ["a call without params", message("tools/call")],
      ["an empty batch", []],
      ["not a message", "tools/call"],
    ] as const
  ) {
    assert.equal(toolCallsOnly(body), undefined, what);
  }
});

Deno.test("a batch with a tool call and a listing still lists every tool, resource and prompt", async () => {
  const endpoint = createMcpEndpoint({
    servers: allServers(),
  });
  const batch = [
    { jsonrpc: "2.0", id: 1, method: "tools/call", params: tool("list_todos") },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
    { jsonrpc: "2.0", id: 3, method: "resources/templates/list" },
    { jsonrpc: "2.0", id: 4, method: "prompts/list" },
  ];
  const init = rpcRequest("legacy", "tools/list");
  const res = await endpoint.handle(
    new Request("http://localhost:3002/mcp", {
      ...init,
      body: JSON.stringify(batch),
    }),
    batch,
    { identity: identity() },
    "legacy",
  );
  // deno-lint-ignore no-explicit-any -- JSON-RPC answers, read field by field
  const answers: any[] = await res.json();
  // deno-lint-ignore no-explicit-any -- as above
  const byId = new Map<number, any>(
    answers.map((answer) => [answer.id, answer.result]),
  );
  const names = (list: { name: string }[]) =>
    list.map((item) => item.name).sort();
  assert.equal(byId.get(1).isError, undefined);
  assert.deepEqual(
    names(byId.get(2).tools),
    [...TODO_TOOLS, ...IDENTITY_TOOLS].map((t) => t.name).sort(),
  );
  assert.ok(byId.get(3).resourceTemplates.length > 0);
  assert.deepEqual(names(byId.get(4).prompts), PROMPTS.map((p) => p.name));
});
