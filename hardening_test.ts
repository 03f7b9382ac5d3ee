/**
 * Issue 9, against the server as a separate process: what the connection
 * layer and the app answer to hostile bytes, that no client value makes a
 * log line long, and defect 2's leak (descriptors, memory, shutdown time)
 * over many cancelled batches.
 */
import assert from "node:assert/strict";
import { mcpHeaders, TOOLS_LIST } from "./fixtures/harness.ts";
import { within } from "./fixtures/net.ts";
import { connectRaw } from "./fixtures/raw_http.ts";
import { processUsage, startOpenServer } from "./fixtures/server_process.ts";

type Server = Awaited<ReturnType<typeof startOpenServer>>;

async function withServer(
  env: Record<string, string>,
  fn: (server: Server) => Promise<void>,
): Promise<void> {
  const server = await startOpenServer({ LOG_LEVEL: "debug", ...env });
  // Read logs as they come, so a full pipe never stalls the server.
  const reading = Promise.all([
    server.stdout.readUntil(),
    server.stderr.readUntil(),
  ]);
  try {
    await fn(server);
  } finally {
    try {
      server.child.kill("SIGKILL");
    } catch { /* already exited */ }
    await server.child.status;
    await reading;
  }
}

/** Sends `text` on a fresh connection and reads one response (or how it ended). */
async function exchange(port: number, text: string) {
  const client = await connectRaw(port);
  try {
    await client.send(text).catch(() => {});
    return await client.readResponse(10_000);
  } finally {
    client.close();
  }
}

const allLines = (server: Server) => [
  ...server.stdout.lines,
  ...server.stderr.lines,
];

async function settle(ms = 300): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("a request head over MCP_MAX_HEADER_BYTES or MCP_MAX_HEADER_COUNT gets 431 and a closed connection", async (t) => {
  await withServer({
    MCP_MAX_HEADER_BYTES: "2048",
    MCP_MAX_HEADER_COUNT: "10",
  }, async ({ port }) => {
    const cases: Array<[string, string]> = [
      ["one long header", `X-Big: ${"a".repeat(4000)}\r\n`],
      [
        "many small headers",
        Array.from({ length: 20 }, (_, i) => `X-H${i}: v\r\n`).join(""),
      ],
    ];
    for (const [name, headers] of cases) {
      await t.step(name, async () => {
        const client = await connectRaw(port);
        try {
          await client.send(
            `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`,
          ).catch(() => {});
          const res = await client.readResponse(10_000);
          assert.ok(typeof res !== "string", `got ${res}`);
          assert.equal(res.status, 431);
          assert.equal(
            JSON.parse(res.body).error,
            "request_header_fields_too_large",
          );
          assert.equal(res.headers.connection, "close");
          assert.notEqual(await client.waitForEnd(10_000), undefined);
        } finally {
          client.close();
        }
      });
    }
    await t.step(
      "within the limits, served; and on a kept-alive connection",
      async () => {
        const client = await connectRaw(port);
        try {
          const head = Array.from({ length: 8 }, (_, i) => `X-H${i}: v\r\n`)
            .join("");
          for (let i = 0; i < 2; i++) {
            await client.send(
              `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}\r\n`,
            );
            const res = await client.readResponse(10_000);
            assert.ok(typeof res !== "string");
            assert.equal(res.status, 200);
          }
          // A later request on the connection is checked too.
          const many = Array.from({ length: 20 }, (_, i) => `X-H${i}: v\r\n`);
          await client.send(
            `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n${many.join("")}\r\n`,
          );
          const res = await client.readResponse(10_000);
          assert.ok(typeof res !== "string");
          assert.equal(res.status, 431);
        } finally {
          client.close();
        }
      },
    );
  });
});

Deno.test("malformed chunked bodies get 400, never a 500, and no error-level log", async (t) => {
  await withServer({}, async (server) => {
    const post = (body: string) =>
      "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
      "Content-Type: application/json\r\n" +
      "Accept: application/json, text/event-stream\r\n" +
      `Transfer-Encoding: chunked\r\n\r\n${body}`;
    const cases: Array<[string, string]> = [
      ["a chunk size that is not hex", "zz\r\n{}\r\n0\r\n\r\n"],
      ["no CRLF after the chunk", "2\r\n{}XX0\r\n\r\n"],
      ["a chunk size that overflows", "fffffffffffffffffff\r\n{}\r\n0\r\n\r\n"],
    ];
    for (const [name, body] of cases) {
      await t.step(name, async () => {
        const res = await exchange(server.port, post(body));
        assert.ok(typeof res !== "string", `${name}: the connection ${res}`);
        assert.equal(res.status, 400, name);
      });
    }
    await settle();
    const errors = allLines(server).filter((l) => l.level === "error");
    assert.deepEqual(errors, []);
  });
});

Deno.test("an upload the client aborts is not an error: no error-level log, no stack", async () => {
  await withServer({}, async (server) => {
    for (const framing of ["content-length", "chunked"]) {
      const client = await connectRaw(server.port);
      await client.send(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
          "Content-Type: application/json\r\n" +
          "Accept: application/json, text/event-stream\r\n" +
          (framing === "chunked"
            ? 'Transfer-Encoding: chunked\r\n\r\n10\r\n{"jsonrpc":"2.0",'
            : 'Content-Length: 1000\r\n\r\n{"jsonrpc":"2.0",'),
      );
      await settle(200);
      client.close();
    }
    await settle(500);
    const lines = allLines(server);
    assert.deepEqual(lines.filter((l) => l.level === "error"), []);
    assert.ok(!lines.some((l) => "stack" in l), "no stack trace logged");
    // The server is still fine.
    const res = await exchange(
      server.port,
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert.ok(typeof res !== "string");
    assert.equal(res.status, 200);
  });
});

Deno.test("no client-supplied value makes a log line long: path, method, tool names", async () => {
  await withServer({}, async (server) => {
    const base = `http://127.0.0.1:${server.port}`;
    let res = await fetch(`${base}/${"p".repeat(6000)}\u00e9`);
    await res.body?.cancel();
    const method = "X".repeat(60);
    const raw = await exchange(
      server.port,
      `${method} /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    );
    assert.ok(typeof raw !== "string");
    const batch = Array.from({ length: 20 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "tools/call",
      params: { name: `${i}${"n".repeat(10_000)}\n`, arguments: {} },
    }));
    res = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: mcpHeaders(),
      body: JSON.stringify(batch),
    });
    assert.equal(res.status, 200);
    await res.text();
    await settle();
    const lines = allLines(server).filter((l) => l.event === "request");
    assert.ok(
      lines.length >= 3,
      `${lines.length} request lines: ${
        JSON.stringify(lines).slice(0, 600)
      }; raw ${JSON.stringify(raw)}`,
    );
    for (const line of lines) {
      const text = JSON.stringify(line);
      assert.ok(text.length < 4096, `a ${text.length}-character log line`);
      assert.ok(String(line.path).length <= 200);
      assert.ok(String(line.method).length <= 16);
    }
  });
});

Deno.test("defect 2: batches cancelling their own request are all answered, and hold nothing afterwards", async (t) => {
  await withServer({
    // "listening" is an info line; request lines would be 2 000 more.
    LOG_LEVEL: "info",
    MCP_RATE_LIMIT_PER_ADDRESS: "0",
    MCP_RATE_LIMIT_PER_CALLER: "0",
    MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER: "100",
    MCP_SHUTDOWN_GRACE_SECONDS: "10",
  }, async (server) => {
    const url = `http://127.0.0.1:${server.port}/mcp`;
    const send = async (i: number, client: Deno.HttpClient) => {
      const res = await fetch(url, {
        method: "POST",
        headers: mcpHeaders(),
        client,
        body: JSON.stringify([
          {
            jsonrpc: "2.0",
            id: i,
            method: "tools/call",
            params: { name: "create_todo", arguments: { title: `t${i}` } },
          },
          {
            jsonrpc: "2.0",
            method: "notifications/cancelled",
            params: { requestId: i },
          },
        ]),
      });
      return { status: res.status, body: await res.json() };
    };
    const pid = server.child.pid;
    using warmClient = Deno.createHttpClient({});
    const warm = await fetch(url, {
      client: warmClient,
      method: "POST",
      headers: mcpHeaders(),
      body: TOOLS_LIST,
    });
    await warm.body?.cancel();
    warmClient.close();
    const before = await processUsage(pid);
    const total = 2_000;
    await t.step(
      `${total} cancelled batches, 20 at a time, each answered -32800`,
      async () => {
        const client = Deno.createHttpClient({ poolMaxIdlePerHost: 20 });
        try {
          for (let i = 0; i < total; i += 20) {
            const answers = await within(
              30_000,
              Promise.all(
                Array.from({ length: 20 }, (_, k) => send(i + k, client)),
              ),
            );
            for (const { status, body } of answers) {
              assert.equal(status, 200);
              assert.equal(body.error.code, -32800);
            }
          }
        } finally {
          client.close();
        }
      },
    );
    await t.step("no todo was written", async () => {
      using client = Deno.createHttpClient({});
      const res = await fetch(url, {
        client,
        method: "POST",
        headers: mcpHeaders(),
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "list_todos", arguments: {} },
        }),
      });
      assert.equal((await res.json()).result.structuredContent.count, 0);
    });
    await t.step("descriptors are back where they were", async () => {
      // The keep-alive pool's connections close within the idle timeout.
      await within(
        20_000,
        (async () => {
          while ((await processUsage(pid)).fds > before.fds + 3) {
            await settle(200);
          }
        })(),
      );
    });
    const after = await processUsage(pid);
    console.log(
      `defect 2 after ${total} cancelled batches: fds ${before.fds} -> ${after.fds}, RSS ${before.rssKiB} -> ${after.rssKiB} KiB`,
    );
    await t.step(
      "SIGTERM ends the process at once, not after the grace period",
      async () => {
        const started = performance.now();
        server.child.kill("SIGTERM");
        const status = await within(20_000, server.child.status);
        assert.equal(status.code, 0);
        const ms = performance.now() - started;
        console.log(`SIGTERM to exit: ${Math.round(ms)} ms (grace 10 000 ms)`);
        const stopped = server.stdout.lines.concat(server.stderr.lines)
          .find((l) => l.event === "stopped");
        assert.equal(stopped?.level, "info", "every request had finished");
      },
    );
  });
});
