/**
 * Defect 2 (issue 9): a request cancelled inside its own 2025-era batch
 * was never answered and held its exchange forever, while the cancelled
 * tool still ran. Also the request timeout that ends any exchange, in
 * both eras.
 */
import assert from "node:assert/strict";
import { rpcRequest } from "../../fixtures/harness.ts";
import { within } from "../../fixtures/net.ts";
import type { Identity } from "../auth/identity.ts";
import { createScopePolicy } from "../authz/policy.ts";
import type { ResponseMode } from "../config/types.ts";
import { PROMPTS } from "../prompts/plan_my_day.ts";
import { TODO_RESOURCES } from "../resources/todos.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import type { TodoPage } from "../store/todo_store.ts";
import { IDENTITY_TOOLS } from "../tools/identity.ts";
import { TODO_TOOLS } from "../tools/todos.ts";
import { planBatch, REQUEST_CANCELLED_ERROR_CODE } from "./batch.ts";
import { createMcpEndpoint, REQUEST_TIMEOUT_ERROR_CODE } from "./handler.ts";
import { createMcpServers } from "./server.ts";

const IDENTITY: Identity = {
  subject: "usr_1",
  clientId: "m2m_1",
  scopes: ["todo:read", "todo:write", "todo:admin"],
  expiresAt: 2_000_000_000,
  organizationId: "org_1",
  issuer: "https://env.example",
  claims: {},
};
const TENANT = "org:org_1";

function endpointWith(
  store: MemoryTodoStore,
  options: { responseMode?: ResponseMode; requestTimeoutMs?: number } = {},
) {
  return createMcpEndpoint({
    servers: createMcpServers({
      tools: [...TODO_TOOLS, ...IDENTITY_TOOLS],
      resources: TODO_RESOURCES,
      prompts: PROMPTS,
      policy: createScopePolicy({ requiredScopes: [] }),
      scopeDenial: "tool",
      store,
      provider: "scalekit",
    }),
    ...options,
  });
}

const create = (id: number | string, title: string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "create_todo", arguments: { title } },
});
const cancel = (requestId: number | string) => ({
  jsonrpc: "2.0",
  method: "notifications/cancelled",
  params: { requestId, reason: "changed my mind" },
});

function post(body: unknown): Request {
  return new Request("http://localhost:3002/mcp", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify(body),
  });
}

/** Every JSON-RPC message of a JSON or SSE answer. */
// deno-lint-ignore no-explicit-any -- JSON-RPC answers, read field by field
async function messagesOf(res: Response): Promise<any[]> {
  const text = await res.text();
  if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
    return text.split("\n").filter((l) => l.startsWith("data: ")).map((l) =>
      JSON.parse(l.slice(6))
    ).filter((m) => m.jsonrpc === "2.0");
  }
  const body = JSON.parse(text);
  return Array.isArray(body) ? body : [body];
}

Deno.test("planBatch() takes out exactly the requests a cancellation in the batch names", () => {
  const plan = planBatch([
    create(1, "a"),
    create("b", "b"),
    cancel(1),
    cancel(99),
  ]);
  assert.deepEqual(plan.body, [create("b", "b"), cancel(99)]);
  assert.equal(plan.hasRequests, true);
  assert.deepEqual(plan.cancelled.map((a) => [a.id, a.error.code]), [[
    1,
    REQUEST_CANCELLED_ERROR_CODE,
  ]]);
  const untouched = [create(1, "a"), cancel(2)];
  assert.equal(planBatch(untouched).body, untouched, "nothing named: as is");
  assert.equal(planBatch(create(1, "a")).cancelled.length, 0);
  // A cancellation before its request counts too; its id type must match.
  assert.equal(planBatch([cancel(1), create(1, "a")]).cancelled.length, 1);
  assert.equal(planBatch([create(1, "a"), cancel("1")]).cancelled.length, 0);
});

for (const responseMode of ["json", "sse"] as const) {
  Deno.test(`a request cancelled in its own batch is answered -32800 and never runs (${responseMode})`, async (t) => {
    const store = new MemoryTodoStore();
    const endpoint = endpointWith(store, { responseMode });
    const handle = (body: unknown) =>
      within(
        5_000,
        endpoint.handle(post(body), body, { identity: IDENTITY }, "legacy"),
      );
    try {
      await t.step("alone: the batch is answered at once", async () => {
        const res = await handle([create(1, "cancelled"), cancel(1)]);
        assert.equal(res.status, 200);
        const answers = await within(5_000, messagesOf(res));
        assert.deepEqual(answers.map((a) => [a.id, a.error?.code]), [[
          1,
          REQUEST_CANCELLED_ERROR_CODE,
        ]]);
      });
      await t.step("beside other requests: each gets its answer", async () => {
        const res = await handle([
          create(1, "cancelled"),
          create(2, "kept"),
          cancel(1),
        ]);
        assert.equal(res.status, 200);
        const answers = await within(5_000, messagesOf(res));
        const byId = new Map(answers.map((a) => [a.id, a]));
        assert.equal(byId.size, 2);
        assert.equal(byId.get(1).error.code, REQUEST_CANCELLED_ERROR_CODE);
        assert.equal(byId.get(2).result.structuredContent.todo.title, "kept");
      });
      await t.step("the cancelled create_todo wrote nothing", async () => {
        const page = await store.list(TENANT);
        assert.deepEqual(page.todos.map((todo) => todo.title), ["kept"]);
      });
    } finally {
      await endpoint.close();
      await store.close();
    }
  });
}

/** A store whose reads never answer, until the exchange gives up. */
class StuckStore extends MemoryTodoStore {
  override list(): Promise<TodoPage> {
    return new Promise(() => {});
  }
}

Deno.test("an exchange that does not complete within the request timeout gets 503 -31504, in both eras", async () => {
  const endpoint = endpointWith(new StuckStore(), { requestTimeoutMs: 200 });
  try {
    for (const era of ["legacy", "modern"] as const) {
      const init = rpcRequest(era, "tools/call", {
        name: "list_todos",
        arguments: {},
      });
      const res = await within(
        5_000,
        endpoint.handle(
          new Request("http://localhost:3002/mcp", init),
          JSON.parse(init.body),
          { identity: IDENTITY },
          era,
        ),
      );
      assert.equal(res.status, 503, era);
      assert.equal(res.headers.get("retry-after"), "1");
      const answer = await res.json();
      assert.equal(answer.error.code, REQUEST_TIMEOUT_ERROR_CODE, era);
    }
  } finally {
    await endpoint.close();
  }
});

Deno.test("a modern request whose client goes away ends its exchange (cancellation is closing the stream)", async () => {
  const endpoint = endpointWith(new StuckStore(), { requestTimeoutMs: 60_000 });
  try {
    const init = rpcRequest("modern", "tools/call", {
      name: "list_todos",
      arguments: {},
    });
    const client = new AbortController();
    const pending = endpoint.handle(
      new Request("http://localhost:3002/mcp", {
        ...init,
        signal: client.signal,
      }),
      JSON.parse(init.body),
      { identity: IDENTITY },
      "modern",
    );
    client.abort();
    const res = await within(5_000, pending);
    assert.equal(res.status, 499, "the SDK's answer to a closed exchange");
  } finally {
    await endpoint.close();
  }
});
