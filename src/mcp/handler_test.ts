import assert from "node:assert/strict";
import { InMemoryServerEventBus } from "@modelcontextprotocol/server";
import { rpcRequest } from "../../fixtures/harness.ts";
import { within } from "../../fixtures/net.ts";
import type { Identity } from "../auth/identity.ts";
import { createScopePolicy } from "../authz/policy.ts";
import { PROMPTS } from "../prompts/plan_my_day.ts";
import { TODO_RESOURCES } from "../resources/todos.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { TODO_TOOLS } from "../tools/todos.ts";
import { createMcpEndpoint, type McpEndpointOptions } from "./handler.ts";
import { createMcpServers } from "./server.ts";

function identity(organizationId: string): Identity {
  return {
    subject: `usr_${organizationId}`,
    clientId: "m2m_1",
    scopes: ["todo:read"],
    expiresAt: 2_000_000_000,
    organizationId,
    issuer: "https://env.example",
    claims: {},
  };
}

function endpointWith(options: Partial<McpEndpointOptions> = {}) {
  return createMcpEndpoint({
    servers: createMcpServers({
      tools: TODO_TOOLS,
      resources: TODO_RESOURCES,
      prompts: PROMPTS,
      policy: createScopePolicy({ requiredScopes: [] }),
      scopeDenial: "http",
      store: new MemoryTodoStore(),
      provider: "scalekit",
    }),
    ...options,
  });
}

/** The JSON-RPC messages of an SSE stream, one at a time. */
function messages(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream())
    .getReader();
  let buffer = "";
  return {
    // deno-lint-ignore no-explicit-any -- JSON-RPC messages, read field by field
    async next(): Promise<any> {
      while (true) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split("\n").find((l) => l.startsWith("data: "));
          if (data !== undefined) return JSON.parse(data.slice(6));
          continue; // a keepalive comment
        }
        const { value, done } = await within(10_000, reader.read());
        if (done) return undefined;
        buffer += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

function listen(
  endpoint: ReturnType<typeof createMcpEndpoint>,
  organizationId: string,
  id: number,
  uris = ["todo://todos"],
  who: Identity = identity(organizationId),
) {
  const init = rpcRequest("modern", "subscriptions/listen", {
    notifications: { resourceSubscriptions: uris },
  }, { id });
  return endpoint.handle(
    new Request("http://localhost:3002/mcp", init),
    JSON.parse(init.body),
    { identity: who },
    "modern",
  );
}

/** A stream that opened, read to its acknowledgement. */
async function opened(response: Response) {
  assert.match(response.headers.get("content-type") ?? "", /event-stream/);
  const stream = messages(response);
  assert.equal(
    (await stream.next()).method,
    "notifications/subscriptions/acknowledged",
  );
  return stream;
}

Deno.test("an event is delivered to its tenant's streams only; an unmarked one to none", async () => {
  const bus = new InMemoryServerEventBus();
  const endpoint = endpointWith({ bus });
  const both = ["todo://todos", "todo://todos/b"];
  const a = messages(await listen(endpoint, "org_a", 1, both));
  const b = messages(await listen(endpoint, "org_b", 2, both));
  try {
    for (const stream of [a, b]) {
      assert.equal(
        (await stream.next()).method,
        "notifications/subscriptions/acknowledged",
      );
    }
    // Published on the bus without a tenant (a mistake): nobody hears it.
    bus.publish({ kind: "resource_updated", uri: "todo://todos/b" });
    endpoint.notify.resourceUpdated("org:org_b", "todo://todos/1");
    endpoint.notify.resourceUpdated("org:org_a", "todo://todos");
    endpoint.notify.resourceUpdated("org:org_b", "todo://todos/b");
    endpoint.notify.resourceUpdated("org:org_a", "todo://todos/b");
    const toA = await a.next();
    assert.equal(toA.method, "notifications/resources/updated");
    assert.deepEqual(toA.params, {
      uri: "todo://todos",
      _meta: { "io.modelcontextprotocol/subscriptionId": 1 },
    }, "A's first is its own list: not the unmarked event, not B's");
    assert.equal((await a.next()).params.uri, "todo://todos/b");
    const toB = await b.next();
    assert.deepEqual(toB.params, {
      uri: "todo://todos/b",
      _meta: { "io.modelcontextprotocol/subscriptionId": 2 },
    }, "B's first is its own: not the unmarked event, not A's");
  } finally {
    await a.cancel();
    await b.cancel();
    await endpoint.close();
  }
});

Deno.test("subscriptions are capped, and a stream that ends frees its place", async () => {
  const endpoint = endpointWith({ maxSubscriptions: 1 });
  const first = await listen(endpoint, "org_a", 1);
  assert.match(first.headers.get("content-type") ?? "", /event-stream/);
  assert.equal(endpoint.openSubscriptions, 1);
  const refused = await listen(endpoint, "org_b", 2);
  assert.deepEqual(await refused.json(), {
    jsonrpc: "2.0",
    id: 2,
    error: {
      code: -32603,
      message:
        "Subscription limit reached: the server has 1 subscriptions/listen streams open; retry later",
      data: { limit: "server", max: 1 },
    },
  });
  // The client goes away: its place is free again.
  const stream = messages(first);
  await stream.next();
  await stream.cancel();
  assert.equal(endpoint.openSubscriptions, 0);
  const again = await listen(endpoint, "org_b", 3);
  assert.match(again.headers.get("content-type") ?? "", /event-stream/);
  await again.body?.cancel();
  await endpoint.close();
  assert.equal(endpoint.openSubscriptions, 0);
});

Deno.test("a refused listen (bad params) holds no place", async () => {
  const endpoint = endpointWith({ maxSubscriptions: 1 });
  const init = rpcRequest("modern", "subscriptions/listen", {}, { id: 4 });
  const response = await endpoint.handle(
    new Request("http://localhost:3002/mcp", init),
    JSON.parse(init.body),
    { identity: identity("org_a") },
    "modern",
  );
  const body = await within(10_000, response.json());
  assert.equal(body.error.code, -32602);
  assert.equal(endpoint.openSubscriptions, 0);
  await endpoint.close();
});

Deno.test("one caller's streams stop at its cap; its tenant's other callers and other tenants still listen", async () => {
  const endpoint = endpointWith({
    maxSubscriptions: 10,
    maxSubscriptionsPerTenant: 3,
    maxSubscriptionsPerCaller: 2,
  });
  const alice = identity("org_a");
  const bob = { ...identity("org_a"), subject: "usr_bob" };
  const carol = identity("org_c");
  const streams = [];
  try {
    streams.push(
      await opened(await listen(endpoint, "org_a", 1, undefined, alice)),
    );
    streams.push(
      await opened(await listen(endpoint, "org_a", 2, undefined, alice)),
    );
    const refused = await listen(endpoint, "org_a", 3, undefined, alice);
    assert.deepEqual(await within(10_000, refused.json()), {
      jsonrpc: "2.0",
      id: 3,
      error: {
        code: -32603,
        message:
          "Subscription limit reached: a caller may hold at most 2 subscriptions/listen streams at once; close one first",
        data: { limit: "caller", max: 2 },
      },
    });
    // The same tenant's other caller has its own share, up to the tenant's cap.
    streams.push(
      await opened(await listen(endpoint, "org_a", 4, undefined, bob)),
    );
    const tenantFull = await listen(endpoint, "org_a", 5, undefined, bob);
    const body = await within(10_000, tenantFull.json());
    assert.equal(body.error.code, -32603);
    assert.deepEqual(body.error.data, { limit: "tenant", max: 3 });
    assert.match(body.error.message, /an organisation may hold at most 3/);
    // Another tenant is not locked out by org_a.
    streams.push(
      await opened(await listen(endpoint, "org_c", 6, undefined, carol)),
    );
    assert.equal(endpoint.openSubscriptions, 4);
    // Alice closes a stream: her slot, and her tenant's, come back.
    await streams.shift()!.cancel();
    assert.equal(endpoint.openSubscriptions, 3);
    streams.push(
      await opened(await listen(endpoint, "org_a", 7, undefined, alice)),
    );
  } finally {
    for (const stream of streams) await stream.cancel();
    await endpoint.close();
  }
  assert.equal(endpoint.openSubscriptions, 0);
});
