import assert from "node:assert/strict";
import { Hono } from "hono";
import { mcpHeaders, rpcRequest } from "../../fixtures/harness.ts";
import { createScopePolicy } from "../authz/policy.ts";
import { createMcpEndpoint } from "../mcp/handler.ts";
import { createMcpServers } from "../mcp/server.ts";
import { PROMPTS } from "../prompts/plan_my_day.ts";
import { TODO_RESOURCES } from "../resources/todos.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { IDENTITY_TOOLS } from "../tools/identity.ts";
import { TODO_TOOLS } from "../tools/todos.ts";
import type { AppEnv } from "./env.ts";
import { handleMcpPost, toolCallsIn } from "./mcp_route.ts";

Deno.test("toolCallsIn() names the tools a message or batch calls", () => {
  const call = (name: unknown) => ({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name },
  });
  assert.deepEqual(toolCallsIn(call("whoami")), ["whoami"]);
  assert.deepEqual(
    toolCallsIn([call("a"), { method: "tools/list" }, call(7), null, 42]),
    ["a"],
  );
  assert.deepEqual(toolCallsIn({ method: "tools/call", params: null }), []);
});

Deno.test("toolCallsIn() bounds what a client can make a log line hold", () => {
  const batch = Array.from({ length: 100 }, (_, i) => ({
    method: "tools/call",
    params: { name: `${i}${"x".repeat(10_000)}\n\u0000` },
  }));
  const names = toolCallsIn(batch);
  assert.equal(names.length, 20);
  for (const name of names) {
    assert.ok(name.length <= 100, `${name.length}`);
    assert.match(name, /^[\x20-\x7E]*$/);
  }
  assert.equal(
    toolCallsIn({ method: "tools/call", params: { name: "a\nb" } })[0],
    "a?b",
  );
});

/** The MCP route on its own, behind a stand-in for authentication. */
function tinyApp(
  options: {
    granted?: string[];
    required?: string[];
    authenticated?: boolean;
  } = {},
) {
  const policy = createScopePolicy({ requiredScopes: options.required ?? [] });
  const store = new MemoryTodoStore();
  const endpoint = createMcpEndpoint({
    servers: createMcpServers({
      tools: [...TODO_TOOLS, ...IDENTITY_TOOLS],
      resources: TODO_RESOURCES,
      prompts: PROMPTS,
      policy,
      scopeDenial: "http",
      store,
      provider: "scalekit",
      onUnexpectedError: (error) => {
        throw error;
      },
    }),
    resourceMetadataUrl: METADATA,
  });
  const logged: Array<Record<string, unknown>> = [];
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    await next();
    logged.push({
      era: c.get("era"),
      tools: c.get("tools"),
      denial: c.get("denial"),
    });
  });
  app.use(async (c, next) => {
    if (options.authenticated !== false) {
      c.set("identity", {
        subject: "usr_1",
        clientId: "client_1",
        scopes: options.granted ?? ["todo:read", "todo:write", "todo:admin"],
        expiresAt: 2_000_000_000,
        issuer: "https://issuer.example",
        claims: {},
      });
    }
    await next();
  });
  app.post(
    "/mcp",
    handleMcpPost({
      endpoint,
      policy,
      challenge: {
        resourceMetadataUrl: METADATA,
        requiredScopes: policy.requiredScopes,
      },
      limits: {
        maxJsonDepth: 32,
        maxBatchSize: 20,
        maxArgumentBytes: 65_536,
        maxResourceSubscriptions: 100,
      },
      maxResponseBytes: 4 * 1024 * 1024,
    }),
  );
  app.onError((error, c) => c.json({ thrown: error.message }, 500));
  return { app, logged, store };
}

const METADATA =
  "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

function send(
  app: Hono<AppEnv>,
  init: { headers: Record<string, string>; body: string },
) {
  return app.request("http://localhost:3002/mcp", { method: "POST", ...init });
}

Deno.test("handleMcpPost() answers a body that is not JSON with a JSON-RPC parse error", async () => {
  const { app, logged } = tinyApp();
  const res = await send(app, { headers: mcpHeaders(), body: "{not json" });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32700, message: "Parse error: the body is not JSON" },
  });
  assert.deepEqual(logged[0].denial, {
    code: "parse_error",
    reason: "Body is not JSON",
  });
});

Deno.test("handleMcpPost() serves both eras and records the era and the tools called", async (t) => {
  for (const era of ["legacy", "modern"] as const) {
    await t.step(era, async () => {
      const { app, logged } = tinyApp();
      const res = await send(
        app,
        rpcRequest(era, "tools/call", { name: "whoami", arguments: {} }),
      );
      assert.equal(res.status, 200);
      const rpc = await res.json();
      assert.equal(rpc.result.structuredContent.subject, "usr_1");
      assert.deepEqual(logged[0], {
        era,
        tools: ["whoami"],
        denial: undefined,
      });
    });
  }
});

Deno.test("handleMcpPost() refuses a token without the required scopes before any operation runs, by each era's rule", async (t) => {
  const expected = {
    legacy: "todo:read todo:write",
    modern: "todo:read",
  };
  for (const era of ["legacy", "modern"] as const) {
    await t.step(era, async () => {
      const { app, logged, store } = tinyApp({
        required: ["todo:read"],
        granted: ["todo:write"],
      });
      const res = await send(
        app,
        rpcRequest(era, "tools/call", {
          name: "create_todo",
          arguments: { title: "x" },
        }),
      );
      assert.equal(res.status, 403);
      const body = await res.json();
      assert.deepEqual(body, {
        error: "insufficient_scope",
        error_description: "The token lacks the required scopes: todo:read",
      });
      assert.equal(
        res.headers.get("www-authenticate"),
        `Bearer error="insufficient_scope", scope="${
          expected[era]
        }", resource_metadata="${METADATA}", error_description="${body.error_description}"`,
      );
      assert.equal(
        (logged[0].denial as { code: string }).code,
        "insufficient_scope",
      );
      assert.deepEqual((await store.list("org:org_1")).todos, []);
      assert.deepEqual((await store.list("sub:usr_1")).todos, []);
    });
  }
});

Deno.test("handleMcpPost() records an operation's scope refusal for the request log", async () => {
  const { app, logged } = tinyApp({ granted: ["todo:read"] });
  const res = await send(
    app,
    rpcRequest("modern", "tools/call", {
      name: "create_todo",
      arguments: { title: "x" },
    }),
  );
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.deepEqual(logged[0].denial, {
    code: "insufficient_scope",
    reason: "tool create_todo needs todo:write",
  });
});

Deno.test("handleMcpPost() refuses to run without authentication in front of it", async () => {
  const { app } = tinyApp({ authenticated: false });
  const res = await send(app, rpcRequest("legacy", "tools/list"));
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), {
    thrown: "The MCP route needs authentication to run first",
  });
});
