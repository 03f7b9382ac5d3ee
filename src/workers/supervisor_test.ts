// MCP_WORKERS end to end, with real processes on 127.0.0.1: two workers
// serve one port and both take requests, share one SQLite file (a write
// through one is listed through the other, and its change notification
// reaches a stream held by the other), drain on SIGTERM, and a start that
// cannot succeed stops the whole process with the right status.
import assert from "node:assert/strict";
import { mcpHeaders, toolCall, TOOLS_LIST } from "../../fixtures/harness.ts";
import { connectModernClient } from "../../fixtures/modern_client.ts";
import { within } from "../../fixtures/net.ts";
import { SKIP_POSTGRES, startPostgres } from "../../fixtures/postgres.ts";
import {
  type ServerProcess,
  startServerProcess,
} from "../../fixtures/server_instance.ts";
import { EXIT_CONFIG, EXIT_LISTEN_FAILED } from "../lifecycle.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const LIST = "todo://todos";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Two workers, on a fresh SQLite file in `dir` unless `DATABASE_URL` is given. */
function startTwoWorkers(dir: string, env: Record<string, string> = {}) {
  return startServerProcess({
    cwd: dir,
    env: { MCP_WORKERS: "2", DATABASE_URL: `sqlite:${dir}/todos.db`, ...env },
    readyEvent: "workers_ready",
  });
}

/**
 * Sends each request on a new connection (the kernel picks the worker per
 * connection), and says which worker answered, from the request log line
 * that carries the request id the request was sent with.
 */
function freshConnections(server: ServerProcess) {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  return {
    async post(body: string): Promise<{ worker: number; json: unknown }> {
      // The request log takes the client's X-Request-Id (hono/request-id).
      const id = crypto.randomUUID();
      const response = await fetch(server.mcpUrl, {
        method: "POST",
        headers: { ...mcpHeaders(), "x-request-id": id },
        body,
        client,
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(response.status, 200);
      const json = await response.json();
      let line;
      for (let i = 0; i < 100 && line === undefined; i++) {
        line = server.logs.find((l) =>
          l.event === "request" && l.request_id === id
        );
        if (line === undefined) await delay(20);
      }
      assert.ok(line, `a request log line for ${id}`);
      assert.equal(typeof line.worker, "number");
      return { worker: line.worker as number, json };
    },
    close: () => client.close(),
  };
}

interface Listed {
  readonly result: {
    readonly structuredContent: { readonly todos: { readonly id: string }[] };
  };
}

Deno.test("MCP_WORKERS=2: both workers serve one port, share the SQLite file, and pass change notifications across", async () => {
  await bothWorkersShareTheStore();
});

Deno.test({
  name:
    "MCP_WORKERS=2 on PostgreSQL: both workers share the database and its notifications",
  ignore: SKIP_POSTGRES,
  async fn() {
    await using pg = await startPostgres();
    await bothWorkersShareTheStore(await pg.createDatabase());
  },
});

/**
 * Requests land on both workers; each lists what the other wrote; a change
 * written through either reaches a stream held by one of them.
 */
async function bothWorkersShareTheStore(databaseUrl?: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-workers-" });
  const server = await startTwoWorkers(
    dir,
    databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl },
  );
  const connections = freshConnections(server);
  const listener = await connectModernClient(server.mcpUrl);
  try {
    const listening = server.logs.filter((l) => l.event === "listening");
    assert.deepEqual(listening.map((l) => l.worker).sort(), [1, 2]);
    assert.equal(listening[0].address, listening[1].address, "one port");
    // Only worker 1 opened the file first: it alone could have migrated.
    const opened = server.logs.filter((l) => l.event === "store_opened");
    assert.equal(opened[0].worker, 1);

    await listener.listen([LIST]);
    // Writes on fresh connections until both workers have taken some.
    const writes: { worker: number; id: string }[] = [];
    while (new Set(writes.map((w) => w.worker)).size < 2) {
      assert.ok(writes.length < 60, "requests land on more than one worker");
      const { worker, json } = await connections.post(
        toolCall("create_todo", { title: `write ${writes.length}` }),
      );
      const { todo } = (json as {
        result: { structuredContent: { todo: { id: string } } };
      }).result.structuredContent;
      writes.push({ worker, id: todo.id });
    }
    // The stream lives on one worker; each write, on either, told it.
    await listener.waitForUpdates(writes.length, 20_000);
    assert.ok(listener.updates.every((u) => u.uri === LIST));

    // A list answered by each worker shows every write, whoever took it.
    const listedBy = new Map<number, Set<string>>();
    for (let i = 0; listedBy.size < 2; i++) {
      assert.ok(i < 60, "lists land on both workers");
      const { worker, json } = await connections.post(
        toolCall("list_todos", { limit: 100 }),
      );
      const ids = (json as Listed).result.structuredContent.todos.map((t) =>
        t.id
      );
      listedBy.set(worker, new Set(ids));
    }
    for (const [worker, ids] of listedBy) {
      for (const write of writes) {
        assert.ok(
          ids.has(write.id),
          `worker ${worker} lists the todo worker ${write.worker} wrote`,
        );
      }
    }
    await listener.close();
    assert.equal(await server.stop(), 0);
    const stopped = server.logs.filter((l) => l.event === "stopped");
    assert.deepEqual(stopped.map((l) => l.worker).sort(), [1, 2]);
  } finally {
    await listener.close().catch(() => {});
    connections.close();
    await server[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("MCP_WORKERS=2: SIGTERM lets a request in flight finish, then every worker stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-workers-drain-" });
  const server = await startTwoWorkers(dir);
  try {
    // Its body is still arriving when SIGTERM comes.
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = controller;
      },
    });
    const pending = fetch(server.mcpUrl, {
      method: "POST",
      headers: mcpHeaders(),
      body,
    });
    const json = new TextEncoder().encode(TOOLS_LIST);
    push.enqueue(json.slice(0, 10));
    // The request has reached a worker's handler: the drain counts it.
    await delay(300);
    server.kill("SIGTERM");
    await within(
      15_000,
      (async () => {
        while (
          server.logs.filter((l) => l.event === "shutting_down").length < 2
        ) await delay(20);
      })(),
    );
    push.enqueue(json.slice(10));
    push.close();
    const response = await pending;
    assert.equal(response.status, 200, "the in-flight request completed");
    assert.equal((await response.json()).result.tools.length, 9);
    assert.equal(await within(30_000, server.exited), 0);
    const stopped = server.logs.filter((l) => l.event === "stopped");
    assert.deepEqual(stopped.map((l) => l.worker).sort(), [1, 2]);
    assert.ok(stopped.every((l) => l.level === "info"), "drained in time");
    assert.ok(server.logs.some((l) => l.event === "workers_stopped"));
  } finally {
    await server[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs main.ts to its exit with `env` (on top of auth `none`); its code and log lines. */
async function runToExit(env: Record<string, string>, cwd: string) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      MAIN,
    ],
    env: { FASTMCP_SERVER_AUTH: "none", NO_COLOR: "1", ...env },
    clearEnv: true,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  const lines = text.split("\n").filter((l) => l.startsWith("{")).map((l) =>
    JSON.parse(l) as Record<string, unknown>
  );
  return { code, text, lines };
}

Deno.test("MCP_WORKERS=2 with the in-memory store is refused at start: exit 78 naming both variables", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-workers-memory-" });
  try {
    const { code, text, lines } = await runToExit({
      MCP_WORKERS: "2",
      DATABASE_URL: "memory:",
      PORT: "0",
    }, dir);
    assert.equal(code, EXIT_CONFIG);
    assert.match(text, /MCP_WORKERS is 2/);
    assert.match(text, /DATABASE_URL is "memory:"/);
    assert.ok(!lines.some((l) => l.event === "listening"), "never served");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCP_WORKERS=2 on a taken port: exit 71 from worker 1, and no other worker starts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-workers-port-" });
  // Taken without SO_REUSEPORT, as by another program.
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { code, lines } = await runToExit({
      MCP_WORKERS: "2",
      PORT: String(taken.addr.port),
      BASE_URL: `http://127.0.0.1:${taken.addr.port}`,
      DATABASE_URL: `sqlite:${dir}/todos.db`,
    }, dir);
    assert.equal(code, EXIT_LISTEN_FAILED);
    const failed = lines.find((l) => l.event === "listen_failed");
    assert.equal(failed?.worker, 1);
    assert.equal(failed?.reason, "AddrInUse");
    assert.ok(!lines.some((l) => l.worker === 2), "worker 2 never started");
    assert.ok(!lines.some((l) => l.event === "listening"));
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MCP_WORKERS=2 with a store that cannot be opened: exit 69, nothing served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-workers-store-" });
  try {
    // A file where the database's directory should be.
    await Deno.writeTextFile(`${dir}/not_a_dir`, "");
    const { code, lines } = await runToExit({
      MCP_WORKERS: "2",
      PORT: "0",
      DATABASE_URL: `sqlite:${dir}/not_a_dir/todos.db`,
    }, dir);
    assert.equal(code, 69);
    assert.equal(lines.find((l) => l.event === "store_open_failed")?.worker, 1);
    assert.ok(!lines.some((l) => l.event === "listening"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
