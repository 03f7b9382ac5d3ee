/**
 * Every limit a client can reach through the app, each with its answer:
 * depth, batch size, duplicate ids, argument size, response size, page
 * size, the store's bounds, concurrency, rate limits and the request
 * timeout.
 */
import assert from "node:assert/strict";
import {
  type Harness,
  mcpHeaders,
  startHarness,
  TOOLS_LIST,
} from "../../fixtures/harness.ts";
import { startMockIssuer } from "../../conformance/issuer/mod.ts";
import { freePort } from "../../fixtures/net.ts";
import { RESPONSE_TOO_LARGE_ERROR_CODE } from "../mcp/response_budget.ts";
import { serve } from "../serve.ts";
import { MemoryTodoStore } from "../store/memory.ts";

async function withHarness(
  env: Record<string, string>,
  fn: (h: Harness, token: string) => Promise<void>,
): Promise<void> {
  const h = await startHarness({ env });
  try {
    await fn(h, await h.issuer.mint());
  } finally {
    await h.close();
  }
}

function post(h: Harness, body: string, token: string) {
  return h.fetch("/mcp", {
    method: "POST",
    headers: mcpHeaders(token),
    body,
  });
}

function call(id: number, name: string, args: Record<string, unknown> = {}) {
  return {
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args },
  };
}

Deno.test("a body nested deeper than MCP_MAX_JSON_DEPTH gets 400 -32600, even when it is not JSON", async (t) => {
  await withHarness({ MCP_MAX_JSON_DEPTH: "8" }, async (h, token) => {
    await t.step("just within the limit is served", async () => {
      const args = { title: "x", description: "[[[[[[[[[[[[" };
      const body = JSON.stringify(call(1, "create_todo", args));
      const res = await post(h, body, token);
      assert.equal(res.status, 200, "brackets inside strings do not count");
      await res.body?.cancel();
    });
    for (
      const [name, body] of [
        ["arrays", "[".repeat(10) + "]".repeat(10)],
        ["objects", '{"a":'.repeat(10) + "1" + "}".repeat(10)],
        ["unclosed", "[".repeat(100_000)],
      ]
    ) {
      await t.step(name, async () => {
        const res = await post(h, body, token);
        assert.equal(res.status, 400);
        const answer = await res.json();
        assert.equal(answer.error.code, -32600);
        assert.match(answer.error.message, /deeper than 8 levels/);
      });
    }
  });
});

Deno.test("a batch over MCP_MAX_BATCH_SIZE, or with a repeated id, gets 400 -32600 and nothing runs", async () => {
  await withHarness({ MCP_MAX_BATCH_SIZE: "3" }, async (h, token) => {
    const big = [1, 2, 3, 4].map((id) =>
      call(id, "create_todo", { title: `t${id}` })
    );
    let res = await post(h, JSON.stringify(big), token);
    assert.equal(res.status, 400);
    let answer = await res.json();
    assert.equal(answer.error.code, -32600);
    assert.match(answer.error.message, /at most 3 messages, not 4/);

    const twice = [
      call(7, "create_todo", { title: "a" }),
      call(7, "create_todo", { title: "b" }),
    ];
    res = await post(h, JSON.stringify(twice), token);
    assert.equal(res.status, 400);
    answer = await res.json();
    assert.equal(answer.error.code, -32600);
    assert.match(answer.error.message, /same id/);

    res = await post(h, JSON.stringify(big.slice(0, 3)), token);
    assert.equal(res.status, 200);
    const answers = await res.json();
    assert.equal(answers.length, 3);
    const page = await h.store.list("org:" + h.issuer.user.organizationId);
    assert.equal(page.todos.length, 3, "only the accepted batch ran");
  });
});

Deno.test("arguments over MCP_MAX_ARGUMENT_BYTES get 400 -32602 naming the size", async () => {
  await withHarness({ MCP_MAX_ARGUMENT_BYTES: "1024" }, async (h, token) => {
    const args = { title: "x", padding: "p".repeat(2000) };
    const res = await post(
      h,
      JSON.stringify(call(3, "create_todo", args)),
      token,
    );
    assert.equal(res.status, 400);
    const answer = await res.json();
    assert.equal(answer.id, 3);
    assert.equal(answer.error.code, -32602);
    assert.match(answer.error.message, /exceed the 1024-byte limit/);
    const small = await post(
      h,
      JSON.stringify(call(4, "create_todo", { title: "ok" })),
      token,
    );
    assert.equal(small.status, 200);
    await small.body?.cancel();
  });
});

Deno.test("one response budget per request: a result over MCP_MAX_RESPONSE_BYTES is replaced by an error saying to ask for less", async (t) => {
  await withHarness({ MCP_MAX_RESPONSE_BYTES: "65536" }, async (h, token) => {
    for (let i = 0; i < 20; i++) {
      const res = await post(
        h,
        JSON.stringify(
          call(i, "create_todo", {
            title: `t${i}`,
            description: "d".repeat(5000),
          }),
        ),
        token,
      );
      await res.body?.cancel();
    }
    await t.step("a tool result over the budget is a tool error", async () => {
      const res = await post(
        h,
        JSON.stringify(call(1, "list_todos", { limit: 20 })),
        token,
      );
      const { result } = await res.json();
      assert.equal(result.isError, true);
      assert.match(result.content[0].text, /ask for less/);
      assert.equal(result.structuredContent, undefined);
    });
    await t.step("a smaller page fits", async () => {
      const res = await post(
        h,
        JSON.stringify(call(1, "list_todos", { limit: 2 })),
        token,
      );
      const { result } = await res.json();
      assert.equal(result.isError, undefined);
      assert.equal(result.structuredContent.count, 2);
    });
    await t.step("a batch shares one budget", async () => {
      const batch = [1, 2, 3, 4, 5].map((id) =>
        call(id, "list_todos", { limit: 4 })
      );
      const res = await post(h, JSON.stringify(batch), token);
      const answers = await res.json();
      const refused = answers.filter((a: { result: { isError?: boolean } }) =>
        a.result.isError
      );
      assert.ok(refused.length >= 1, "the later calls do not fit");
      assert.ok(refused.length < 5, "the first ones do");
    });
    await t.step(
      "a resource read over the budget is a JSON-RPC error",
      async () => {
        const res = await post(
          h,
          JSON.stringify({
            jsonrpc: "2.0",
            id: 9,
            method: "resources/read",
            params: { uri: "todo://todos" },
          }),
          token,
        );
        const answer = await res.json();
        assert.equal(answer.error.code, RESPONSE_TOO_LARGE_ERROR_CODE);
      },
    );
  });
});

Deno.test("MCP_MAX_PAGE_SIZE caps list_todos, and export_all_todos pages instead of building one document", async () => {
  await withHarness({ MCP_MAX_PAGE_SIZE: "5" }, async (h, token) => {
    for (let i = 0; i < 12; i++) {
      const res = await post(
        h,
        JSON.stringify(call(i, "create_todo", { title: `t${i}` })),
        token,
      );
      await res.body?.cancel();
    }
    let res = await post(
      h,
      JSON.stringify(call(1, "list_todos", { limit: 6 })),
      token,
    );
    let answer = await res.json();
    assert.equal(
      answer.result.isError,
      true,
      "a limit over the cap is refused",
    );
    assert.match(answer.result.content[0].text, /limit/);

    const seen: string[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      res = await post(
        h,
        JSON.stringify(
          call(2, "export_all_todos", cursor === undefined ? {} : { cursor }),
        ),
        token,
      );
      answer = await res.json();
      const page = answer.result.structuredContent;
      assert.ok(page.count <= 5);
      seen.push(...page.todos.map((t: { title: string }) => t.title));
      cursor = page.next_cursor;
      calls++;
    } while (cursor !== undefined && calls < 10);
    assert.equal(calls, 3);
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen).size, 12);
  });
});

Deno.test("the memory store refuses new tenants and todos past its bounds, with store_full", async (t) => {
  const store = new MemoryTodoStore({ maxTenants: 2, maxTodos: 3 });
  const mk = (tenant: string) =>
    store.create(tenant, { title: "t", created_by: "u" });
  try {
    await t.step("tenants", async () => {
      await mk("a");
      await mk("b");
      await assert.rejects(mk("c"), {
        code: "store_full",
        message: /at most 2 tenants/,
      });
    });
    await t.step("todos in all", async () => {
      await mk("a");
      await assert.rejects(mk("b"), {
        code: "store_full",
        message: /at most 3 todos/,
      });
    });
    await t.step(
      "deleting frees room, and an emptied tenant its slot",
      async () => {
        const page = await store.list("b");
        assert.equal(await store.delete("b", page.todos[0].id), true);
        await mk("c");
      },
    );
  } finally {
    await store.close();
  }
});

Deno.test("MCP_MEMORY_MAX_TODOS reaches the server's store: create_todo then gets a tool error", async () => {
  const issuer = await startMockIssuer({
    resources: [{ id: "res_full", scopes: ["todo:write"] }],
  });
  let stop!: (signal: string) => void;
  const port = freePort();
  const address = `127.0.0.1:${port}`;
  const ready = Promise.withResolvers<void>();
  const served = serve({
    SCALEKIT_ENVIRONMENT_URL: issuer.url,
    SCALEKIT_RESOURCE_ID: "res_full",
    BASE_URL: "http://127.0.0.1:1",
    PORT: String(port),
    LOG_LEVEL: "error",
    DATABASE_URL: "memory:",
    MCP_MEMORY_MAX_TODOS: "2",
  }, {
    stop: new Promise((resolve) => stop = resolve),
    onReady: () => ready.resolve(),
  });
  try {
    await ready.promise;
    const token = await issuer.mint({ resourceId: "res_full" });
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://${address}/mcp`, {
        method: "POST",
        headers: mcpHeaders(token),
        body: JSON.stringify(call(i, "create_todo", { title: `t${i}` })),
      });
      const { result } = await res.json();
      texts.push(result.isError ? result.content[0].text : "ok");
    }
    assert.deepEqual(texts.slice(0, 2), ["ok", "ok"]);
    assert.match(texts[2], /store is full \(it holds at most 2 todos\)/);
  } finally {
    stop("test");
    await served;
    await issuer.close();
  }
});

Deno.test("over MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER a caller gets 429; over MCP_MAX_CONCURRENT_REQUESTS everyone gets 503", async () => {
  // A verifier that holds requests until released, so requests stay in flight.
  await withHarness({
    MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER: "2",
    MCP_MAX_CONCURRENT_REQUESTS: "3",
    MCP_RESPONSE_MODE: "sse",
  }, async (h, token) => {
    const other = await h.issuer.mint({ subject: "usr_other" });
    const third = await h.issuer.mint({ subject: "usr_third" });
    // SSE answers count until the stream ends: keep two streams open.
    const open1 = await post(h, TOOLS_LIST, token);
    const open2 = await post(h, TOOLS_LIST, token);
    assert.equal(open1.status, 200);
    assert.equal(open2.status, 200);
    const mine = await post(h, TOOLS_LIST, token);
    assert.equal(mine.status, 429);
    assert.equal(mine.headers.get("retry-after"), "1");
    assert.equal((await mine.json()).error, "too_many_concurrent_requests");

    const theirs = await post(h, TOOLS_LIST, other);
    assert.equal(theirs.status, 200, "another caller is served");
    const full = await post(h, TOOLS_LIST, third);
    assert.equal(full.status, 503);
    assert.equal((await full.json()).error, "server_busy");

    for (const res of [open1, open2, theirs]) await res.text();
    const again = await post(h, TOOLS_LIST, token);
    assert.equal(again.status, 200, "slots are freed when streams end");
    await again.text();
  });
});

Deno.test("rate limits: per address before authentication, per caller after, 429 with Retry-After", async (t) => {
  await withHarness({
    MCP_RATE_LIMIT_PER_ADDRESS: "5",
    MCP_RATE_LIMIT_PER_CALLER: "3",
  }, async (h, token) => {
    const from = (hostname: string) => ({
      remoteAddr: { transport: "tcp" as const, hostname, port: 40_000 },
    });
    const request = (authorization?: string) =>
      new Request(`${h.mcpUrl}`, {
        method: "POST",
        headers: {
          ...mcpHeaders(),
          host: new URL(h.mcpUrl).host,
          ...(authorization ? { authorization } : {}),
        },
        body: TOOLS_LIST,
      });
    await t.step(
      "bad tokens from one address are refused before verification",
      async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) {
          const res = await h.app.fetch(
            request("Bearer not.a.token"),
            from("203.0.113.7"),
          );
          statuses.push(res.status);
          if (res.status === 429) {
            assert.match(res.headers.get("retry-after") ?? "", /^\d+$/);
            assert.equal((await res.json()).error, "rate_limited");
          } else await res.body?.cancel();
        }
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
        const logs = h.logs.filter((l) => l.denial === "rate_limited");
        assert.equal(logs.length, 2);
      },
    );
    await t.step("an IPv6 client counts per /64", async () => {
      for (let i = 0; i < 5; i++) {
        const res = await h.app.fetch(
          request(),
          from(`2001:db8:1:2::${i + 1}`),
        );
        assert.equal(res.status, 401);
        await res.body?.cancel();
      }
      const res = await h.app.fetch(request(), from("2001:db8:1:2:ffff::9"));
      assert.equal(res.status, 429);
      await res.body?.cancel();
    });
    await t.step(
      "a verified caller is limited whatever its address",
      async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await h.app.fetch(
            request(`Bearer ${token}`),
            from(`198.51.100.${i + 1}`),
          );
          statuses.push(res.status);
          await res.body?.cancel();
        }
        assert.deepEqual(statuses, [200, 200, 200, 429]);
      },
    );
    await t.step("/health is never limited", async () => {
      for (let i = 0; i < 10; i++) {
        const res = await h.app.fetch(
          new Request(new URL("/health", h.mcpUrl), {
            headers: { host: new URL(h.mcpUrl).host },
          }),
          from("203.0.113.7"),
        );
        assert.equal(res.status, 200);
        await res.body?.cancel();
      }
    });
  });
});

Deno.test("MCP_RATE_LIMIT_LOOPBACK=false exempts loopback addresses (dev mode)", async () => {
  for (const [value, expected] of [["true", 429], ["false", 401]] as const) {
    await withHarness({
      MCP_RATE_LIMIT_PER_ADDRESS: "1",
      MCP_RATE_LIMIT_LOOPBACK: value,
    }, async (h) => {
      let last = 0;
      for (let i = 0; i < 3; i++) {
        const res = await h.app.fetch(
          new Request(h.mcpUrl, {
            method: "POST",
            headers: { ...mcpHeaders(), host: new URL(h.mcpUrl).host },
            body: TOOLS_LIST,
          }),
          { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } },
        );
        last = res.status;
        await res.body?.cancel();
      }
      assert.equal(last, expected, `MCP_RATE_LIMIT_LOOPBACK=${value}`);
    });
  }
});
