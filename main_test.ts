import assert from "node:assert/strict";
import { startMockIssuer } from "./conformance/issuer/mod.ts";
import { mcpHeaders, TOOLS_LIST } from "./fixtures/harness.ts";
import { within } from "./fixtures/net.ts";
import { connectRaw, type RawConnection } from "./fixtures/raw_http.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const WITH_LIMITS =
  new URL("./fixtures/serve_with_limits.ts", import.meta.url).pathname;

interface SpawnOptions {
  /** Run under `ulimit -n <openFiles>`, so running out of descriptors is cheap. */
  readonly openFiles?: number;
  /** Run this script instead of `main.ts`, with these arguments. */
  readonly script?: string;
  readonly args?: readonly string[];
}

function spawnServer(
  env: Record<string, string>,
  options: SpawnOptions = {},
) {
  const denoArgs = [
    "run",
    "--allow-net",
    "--allow-env",
    "--allow-read",
    options.script ?? MAIN,
    ...(options.args ?? []),
  ];
  // `exec` keeps the process id, so signals reach deno itself.
  const [command, args] = options.openFiles === undefined
    ? [Deno.execPath(), denoArgs]
    : ["sh", [
      "-c",
      `ulimit -n ${options.openFiles} && exec "$@"`,
      "sh",
      Deno.execPath(),
      ...denoArgs,
    ]];
  return new Deno.Command(command, {
    args,
    // Memory unless a test names a store: these tests are not about storage.
    env: { DATABASE_URL: "memory:", ...env, NO_COLOR: "1" },
    clearEnv: true,
    cwd: "/tmp",
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads JSON log lines from a process stream, as far as asked each time. */
function jsonLines(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  return {
    lines,
    /** Reads until a line matches `until`, or to the end of the stream. */
    async readUntil(
      until: (line: Record<string, unknown>) => boolean = () => false,
    ): Promise<void> {
      while (true) {
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const text = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!text.startsWith("{")) {
            assert.fail(`Not a JSON log line: ${text}`);
          }
          const line = JSON.parse(text);
          lines.push(line);
          if (until(line)) return;
        }
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
      }
    },
  };
}

Deno.test("main exits 78 naming every bad variable, before serving", async () => {
  const child = spawnServer({
    FASTMCP_SERVER_AUTH: "scalekit",
    SCALEKIT_ENVIRONMENT_URL: "ftp://env.example",
    PORT: "70000",
  });
  const { code, stdout, stderr } = await child.output();
  const message = new TextDecoder().decode(stderr);
  assert.equal(code, 78);
  assert.equal(new TextDecoder().decode(stdout), "");
  for (
    const variable of [
      "SCALEKIT_ENVIRONMENT_URL",
      "SCALEKIT_RESOURCE_ID",
      "BASE_URL",
      "PORT",
    ]
  ) {
    assert.match(message, new RegExp(variable), variable);
  }
  assert.doesNotMatch(message, /\bat .*\.ts:\d+/, "no stack trace");
});

Deno.test("main warns once about deprecated settings, serves, and drains on SIGTERM", async () => {
  const issuer = await startMockIssuer({
    resources: [{ id: "res_main", scopes: ["todo:read"] }],
  });
  const child = spawnServer({
    SCALEKIT_ENVIRONMENT_URL: issuer.url,
    SCALEKIT_RESOURCE_ID: "res_main",
    SCALEKIT_CLIENT_ID: "skc_legacy",
    MCP_URL: "http://127.0.0.1:3002/",
    PORT: "0",
  });
  const stdout = jsonLines(child.stdout);
  const stderr = jsonLines(child.stderr);
  try {
    await stdout.readUntil((l) => l.event === "listening");
    const address = stdout.lines.at(-1)?.address as string;
    const base = `http://${address}`;

    // An in-flight request: its body is still arriving when SIGTERM comes.
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = controller;
      },
    });
    const token = await issuer.mint({ resourceId: "res_main" });
    const pending = fetch(`${base}/mcp`, {
      method: "POST",
      headers: mcpHeaders(token),
      body,
    });
    const json = new TextEncoder().encode(TOOLS_LIST);
    push.enqueue(json.slice(0, 10));
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();

    child.kill("SIGTERM");
    // Only once the server has begun draining: a request arriving now is
    // turned away, the one already in flight must still complete.
    await stdout.readUntil((l) => l.event === "shutting_down");
    const late = await fetch(`${base}/health`);
    assert.equal(late.status, 503);
    assert.equal((await late.json()).error, "shutting_down");
    push.enqueue(json.slice(10));
    push.close();
    const res = await pending;
    assert.equal(res.status, 200, "the in-flight request completed");
    assert.equal((await res.json()).result.tools.length, 9);

    await stdout.readUntil();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.ok(stdout.lines.some((l) => l.event === "stopped"));

    await stderr.readUntil();
    const codes = stderr.lines.map((w) => `${w.code}:${w.variable}`);
    assert.deepEqual(codes.sort(), [
      "deprecated_variable:MCP_URL",
      "ignored_variable:SCALEKIT_CLIENT_ID",
    ]);
    for (const line of [...stdout.lines, ...stderr.lines]) {
      assert.doesNotMatch(JSON.stringify(line), /eyJ/);
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    await issuer.close();
  }
});

/** Starts the server with authentication off; resolves with its address and log readers. */
async function startOpenServer(
  extraEnv: Record<string, string> = {},
  options: SpawnOptions = {},
) {
  const child = spawnServer({
    FASTMCP_SERVER_AUTH: "none",
    PORT: "0",
    ...extraEnv,
  }, options);
  const stdout = jsonLines(child.stdout);
  const stderr = jsonLines(child.stderr);
  await stdout.readUntil((l) => l.event === "listening");
  const address = stdout.lines.at(-1)?.address as string;
  const port = Number(address.split(":").at(-1));
  return {
    child,
    port,
    stdout,
    stderr,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await stdout.readUntil();
      await stderr.readUntil();
    },
  };
}

/** Opens `count` connections that send nothing; the ones the server refused come back closed. */
async function idleFlood(port: number, count: number) {
  const connections: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      connections.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      // The backlog is full: the kernel refuses, which is fine.
    }
  }
  return {
    opened: connections.length,
    close() {
      for (const conn of connections) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    },
  };
}

/** GET /health on a fresh connection: its status, or how the connection ended. */
async function health(port: number): Promise<number | string> {
  const client = await connectRaw(port);
  try {
    await client.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const response = await client.readResponse(10_000);
    return typeof response === "string" ? response : response.status;
  } finally {
    client.close();
  }
}

async function eventuallyHealthy(port: number): Promise<void> {
  await within(
    30_000,
    (async () => {
      while (await health(port).catch(() => "refused") !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })(),
  );
}

Deno.test("main survives running out of file descriptors, and serves again once they are free", async () => {
  // The defect, reproduced cheaply: the default cap (300 connections) does
  // not fit in 128 descriptors, so accepting fails with EMFILE. Deno.serve
  // alone exited 1 here; the internal server's accept loop can die too.
  const server = await startOpenServer({}, { openFiles: 128 });
  try {
    const flood = await idleFlood(server.port, 300);
    assert.ok(flood.opened > 128, `only ${flood.opened} connections opened`);
    flood.close();
    await eventuallyHealthy(server.port);

    server.child.kill("SIGTERM");
    assert.equal((await server.child.status).code, 0);
    await server.stdout.readUntil();
    await server.stderr.readUntil();
    const events = [...server.stdout.lines, ...server.stderr.lines]
      .map((l) => l.event);
    assert.ok(
      events.includes("accept_failed") ||
        events.includes("internal_server_failed"),
      `descriptors never ran out: ${events.join()}`,
    );
    assert.ok(events.includes("stopped"), events.join());
  } finally {
    await server.stop();
  }
});

Deno.test("main with a cap that fits its descriptors answers 503 over it, and recovers by timeouts", async () => {
  // 20 connections x 3 descriptors, plus about 25 at rest, fit in 128.
  const server = await startOpenServer({}, {
    openFiles: 128,
    script: WITH_LIMITS,
    args: [JSON.stringify({ maxConnections: 20, headersTimeoutMs: 1_000 })],
  });
  try {
    const flood = await idleFlood(server.port, 300);
    // Over the cap, a new connection is answered, not left hanging.
    assert.equal(await health(server.port), 503);
    // The flood keeps its connections; the server closes them after the
    // headers timeout, and serves again.
    await eventuallyHealthy(server.port);
    flood.close();

    server.child.kill("SIGTERM");
    assert.equal((await server.child.status).code, 0);
    await server.stdout.readUntil();
    await server.stderr.readUntil();
    const events = [...server.stdout.lines, ...server.stderr.lines]
      .map((l) => l.event);
    assert.ok(events.includes("connections_refused"), events.join());
    assert.ok(!events.includes("accept_failed"), events.join());
    assert.ok(!events.includes("internal_server_failed"), events.join());
  } finally {
    await server.stop();
  }
});

Deno.test("main closes the connection after a 401 or 413 whose body never arrives", async () => {
  const issuer = await startMockIssuer({
    resources: [{ id: "res_main", scopes: ["todo:read"] }],
  });
  const server = await startOpenServer({
    FASTMCP_SERVER_AUTH: "scalekit",
    SCALEKIT_ENVIRONMENT_URL: issuer.url,
    SCALEKIT_RESOURCE_ID: "res_main",
    BASE_URL: "http://127.0.0.1:3002",
  });
  try {
    const token = await issuer.mint({ resourceId: "res_main" });
    const cases: Array<[number, string, number]> = [
      [401, "", 100_000],
      [413, `Authorization: Bearer ${token}\r\n`, 2_000_000],
    ];
    for (const [status, auth, length] of cases) {
      const client = await connectRaw(server.port);
      await client.send(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}` +
          "Content-Type: application/json\r\n" +
          "Accept: application/json, text/event-stream\r\n" +
          `Content-Length: ${length}\r\n\r\n`,
      );
      const response = await client.readResponse(10_000);
      assert.ok(typeof response !== "string", `${status}: ${response}`);
      assert.equal(response.status, status);
      assert.match(response.headers.connection ?? "", /close/);
      assert.equal(await client.waitForEnd(10_000), "closed", `${status}`);
      client.close();
    }
  } finally {
    await server.stop();
    await issuer.close();
  }
});

Deno.test("keep-alive clients lose no request at shutdown: responses during the drain say Connection: close", async () => {
  const server = await startOpenServer({ MCP_SHUTDOWN_GRACE_SECONDS: "3" });
  const REQUEST = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  let signalled = false;
  let signalledAt = -1;
  let answered = 0;
  // One client: requests back to back on a keep-alive connection, a new
  // connection only when told `close`, until connecting is refused.
  async function client(id: number) {
    const log = { id, reusedLost: 0, told: 0, served: 0 };
    let conn: RawConnection | undefined;
    let reused = false;
    while (true) {
      if (conn === undefined) {
        try {
          conn = await connectRaw(server.port);
        } catch {
          return log; // the listener is closed: the server has stopped
        }
        reused = false;
      }
      await conn.send(REQUEST).catch(() => {});
      const response = await conn.readResponse(10_000);
      if (typeof response === "string") {
        // No answer. On a fresh connection that is the listener closing
        // under us; on a reused one it is the lost request of issue 9.
        if (reused) log.reusedLost++;
        conn.close();
        if (signalled) return log;
        conn = undefined;
        continue;
      }
      log.served++;
      answered++;
      if (/close/i.test(response.headers.connection ?? "")) {
        log.told++;
        conn.close();
        conn = undefined;
      } else {
        reused = true;
      }
    }
  }
  try {
    const clients = Array.from({ length: 10 }, (_, id) => client(id));
    await within(
      20_000,
      (async () => {
        while (answered < 100) await new Promise((r) => setTimeout(r, 5));
      })(),
    );
    // Only the drain makes a response say `close` here.
    signalled = true;
    signalledAt = answered;
    server.child.kill("SIGTERM");
    const logs = await within(30_000, Promise.all(clients));
    assert.equal((await server.child.status).code, 0);
    for (const log of logs) {
      assert.equal(log.reusedLost, 0, `client ${log.id} lost a request`);
      assert.ok(log.told >= 1, `client ${log.id} was never told to close`);
    }
    assert.ok(answered > signalledAt, "answers kept coming during the drain");
  } finally {
    await server.stop();
  }
});
