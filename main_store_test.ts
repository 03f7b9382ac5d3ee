// The server process and its store, end to end: todos outlive restarts and
// SIGKILL on SQLite, two processes share one PostgreSQL (data and change
// notifications), a PostgreSQL restart is ridden out with /ready telling
// the truth, and a store that cannot be opened stops the start clearly.
import assert from "node:assert/strict";
import postgres from "postgres";
import { startDeployment } from "./fixtures/deployment.ts";
import { createLogger } from "./src/log/logger.ts";
import { announceReady } from "./src/serve.ts";
import { MIGRATIONS_TABLE } from "./src/store/migrations.ts";
import { openTodoStore } from "./src/store/open.ts";
import { connectModernClient } from "./fixtures/modern_client.ts";
import { freePort, within } from "./fixtures/net.ts";
import { SKIP_POSTGRES, startPostgres } from "./fixtures/postgres.ts";
import {
  type ServerProcess,
  startServerProcess,
} from "./fixtures/server_instance.ts";
import {
  eachSeesOnlyItsOwn,
  onlyTheRightTenantIsTold,
} from "./fixtures/tenant_scenarios.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

interface Todo {
  readonly id: string;
  readonly title: string;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until true; fails after `ms` naming `what`. */
async function eventually(
  ms: number,
  what: string,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const end = Date.now() + ms;
  while (!await check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

/** Every todo id the (anonymous) tenant holds, through the server. */
async function allIds(server: ServerProcess): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await server.call("list_todos", {
      limit: 100,
      ...(cursor === undefined ? {} : { cursor }),
    }) as { todos: Todo[]; next_cursor?: string };
    for (const todo of page.todos) ids.add(todo.id);
    cursor = page.next_cursor;
  } while (cursor !== undefined);
  return ids;
}

Deno.test("SQLite by default: todos survive a clean restart, in DATA_DIR", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-restart-" });
  const env = { DATA_DIR: `${dir}/state` };
  try {
    const first = await startServerProcess({ cwd: dir, env });
    let made: Todo;
    try {
      assert.deepEqual((await first.ready()).body, {
        status: "ready",
        store: "sqlite",
      });
      ({ todo: made } = await first.call("create_todo", {
        title: "survives",
        description: "a restart",
      }) as { todo: Todo });
      assert.equal(await first.stop(), 0);
    } finally {
      await first[Symbol.asyncDispose]();
    }
    const opened = first.logs.find((l) => l.event === "store_opened");
    assert.equal(opened?.location, `sqlite:${dir}/state/todos.db`);
    assert.ok((await Deno.stat(`${dir}/state/todos.db`)).isFile);

    await using second = await startServerProcess({ cwd: dir, env });
    const { todo } = await second.call("get_todo", {
      todo_id: made.id,
    }) as { todo: Todo & { description: string } };
    assert.equal(todo.title, "survives");
    assert.equal(todo.description, "a restart");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SQLite: every write acknowledged before a SIGKILL in the middle of a burst is there after restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-sigkill-" });
  try {
    const server = await startServerProcess({ cwd: dir });
    const acknowledged: string[] = [];
    // Eight clients writing back to back until the process dies under
    // them; a write whose answer never came was not acknowledged.
    const writer = async (n: number) => {
      for (let i = 0;; i++) {
        let answer;
        try {
          answer = await server.call("create_todo", {
            title: `burst ${n}.${i}`,
          }) as { todo?: Todo; error?: string };
        } catch {
          return;
        }
        assert.ok(answer.todo, answer.error);
        acknowledged.push(answer.todo.id);
      }
    };
    try {
      const writers = Array.from({ length: 8 }, (_, n) => writer(n));
      await within(
        60_000,
        eventually(
          60_000,
          "200 acknowledged writes",
          () => acknowledged.length >= 200,
        ),
      );
      server.kill("SIGKILL");
      await within(30_000, Promise.all(writers));
      assert.equal(await server.exited, 137, "killed, not stopped");
    } finally {
      await server[Symbol.asyncDispose]();
    }
    const total = acknowledged.length;

    await using again = await startServerProcess({ cwd: dir });
    const kept = await allIds(again);
    const lost = acknowledged.filter((id) => !kept.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${total} acknowledged lost`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a DATABASE_URL the server refuses exits 78, and a store it cannot open exits 69, without a stack trace or password", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-badstore-" });
  const run = async (env: Record<string, string>) => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        MAIN,
      ],
      env: { FASTMCP_SERVER_AUTH: "none", PORT: "0", NO_COLOR: "1", ...env },
      clearEnv: true,
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const text = new TextDecoder().decode(stdout) +
      new TextDecoder().decode(stderr);
    assert.doesNotMatch(text, /\bat .*\.ts:\d+/, "no stack trace");
    assert.ok(!text.includes("hunter2"), text);
    assert.ok(!text.includes('"listening"'), "never listened");
    return { code, text };
  };
  try {
    await t.step("an unsupported URL: 78, naming DATABASE_URL", async () => {
      const { code, text } = await run({
        DATABASE_URL: "mysql://app:hunter2@db/todos",
      });
      assert.equal(code, 78);
      assert.match(text, /DATABASE_URL has the unsupported scheme/);
    });
    await t.step("PostgreSQL that nothing listens for: 69", async () => {
      const { code, text } = await run({
        DATABASE_URL: "postgres://app:hunter2@127.0.0.1:1/todos",
        DATABASE_CONNECT_TIMEOUT_SECONDS: "2",
      });
      assert.equal(code, 69);
      const line = JSON.parse(
        text.split("\n").find((l) => l.includes("store_open_failed"))!,
      );
      assert.equal(line.code, "unavailable");
      assert.match(line.message, /postgres:\/\/app@127\.0\.0\.1:1\/todos/);
      assert.match(line.message, /ECONNREFUSED/);
    });
    await t.step("a SQLite file that cannot be created: 69", async () => {
      await Deno.writeTextFile(`${dir}/not-a-dir`, "");
      const { code, text } = await run({ DATA_DIR: `${dir}/not-a-dir/x` });
      assert.equal(code, 69);
      assert.match(text, /Cannot open the SQLite database at sqlite:/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the server on PostgreSQL",
  ignore: SKIP_POSTGRES,
  async fn(t) {
    // One throwaway cluster for every step: starting one costs seconds.
    await using pg = await startPostgres();

    await t.step(
      "two server processes share it: data written through one is read through the other, and its subscribers are told",
      async () => {
        const url = await pg.createDatabase();
        const dir = await Deno.makeTempDir({ prefix: "mcp-two-" });
        try {
          const env = { DATABASE_URL: url };
          // One after the other: `deno run` re-links the vendored
          // postgres.js into node_modules at every start, so two started
          // at the same moment from one checkout can race on it (two
          // instances migrating at once is covered in postgres_test.ts).
          await using a = await startServerProcess({ cwd: dir, env });
          await using b = await startServerProcess({ cwd: dir, env });
          for (const server of [a, b]) {
            assert.deepEqual((await server.ready()).body, {
              status: "ready",
              store: "postgres",
            });
          }
          // A subscriber on B, with the SDK v2 client in the 2026-07-28 era.
          const subscriber = await connectModernClient(b.mcpUrl);
          try {
            await subscriber.listen(["todo://todos"]);
            const { todo } = await a.call("create_todo", {
              title: "written through A",
            }) as { todo: Todo };
            const read = await b.call("get_todo", { todo_id: todo.id }) as {
              todo: Todo;
            };
            assert.equal(read.todo.title, "written through A");
            await subscriber.waitForUpdates(1, 30_000);
            assert.equal(subscriber.updates[0].uri, "todo://todos");
            // And the other way round.
            await b.call("update_todo", { todo_id: todo.id, completed: true });
            const seen = await a.call("get_todo", { todo_id: todo.id }) as {
              todo: Todo & { completed: boolean };
            };
            assert.equal(seen.todo.completed, true);
            await subscriber.waitForUpdates(2, 30_000);
          } finally {
            await subscriber.close();
          }
          assert.equal(await a.stop(), 0);
          assert.equal(await b.stop(), 0);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    );

    await t.step(
      "two instances: each organisation sees only its own todos",
      async () => {
        await using deployment = await startDeployment({
          databaseUrl: await pg.createDatabase(),
          instances: 2,
        });
        await eachSeesOnlyItsOwn(deployment);
      },
    );

    await t.step(
      "two instances: notifications reach only the changed todo's tenant, on either instance",
      async () => {
        await using deployment = await startDeployment({
          databaseUrl: await pg.createDatabase(),
          instances: 2,
        });
        await onlyTheRightTenantIsTold(deployment);
      },
    );

    await t.step(
      "the conformance suite passes against the server on it (--spawn, --strict)",
      async () => {
        const conformance = new URL("./conformance/main.ts", import.meta.url)
          .pathname;
        const server =
          `"${Deno.execPath()}" run --allow-net --allow-env --allow-read --allow-write "${MAIN}"`;
        const database = await pg.createDatabase();
        const { code, stdout, stderr } = await new Deno.Command(
          Deno.execPath(),
          {
            args: [
              "run",
              "--allow-net",
              "--allow-env",
              "--allow-read",
              "--allow-write",
              "--allow-run",
              conformance,
              "--url",
              `http://127.0.0.1:${freePort()}/mcp`,
              "--spawn",
              server,
              "--required-scopes",
              "todo:read",
              "--resource-scopes",
              "todo:read",
              "--prompt-scopes",
              "todo:read",
              "--strict",
              "--quiet",
            ],
            // The spawned server inherits DATABASE_URL from the runner.
            env: { DATABASE_URL: database, NO_COLOR: "1" },
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
            signal: AbortSignal.timeout(300_000),
          },
        ).output();
        const out = new TextDecoder().decode(stdout) +
          new TextDecoder().decode(stderr);
        assert.equal(code, 0, out);
        assert.match(out, /\n\d+ passed, 0 failed\n?$/);
        // It was this database the server used: it migrated it.
        const sql = postgres(database, { max: 1, onnotice: () => {} });
        try {
          const [{ n }] = await sql<{ n: number }[]>`
            SELECT count(*)::int AS n FROM ${sql(MIGRATIONS_TABLE)}`;
          assert.ok(n > 0);
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
    );

    await t.step(
      "serve() announces ready only once the store answers",
      async () => {
        const store = await openTodoStore(await pg.createDatabase(), {
          connectTimeoutMs: 500,
          queryTimeoutMs: 500,
        });
        const lines: Array<Record<string, unknown>> = [];
        const logger = createLogger({
          write: (line) => lines.push(JSON.parse(line)),
        });
        let announced = 0;
        const stopping = new AbortController();
        await pg.stop();
        try {
          const waiting = announceReady(
            store,
            stopping.signal,
            logger,
            () => announced++,
          );
          await within(
            30_000,
            eventually(
              30_000,
              "two failed checks",
              () => lines.filter((l) => l.event === "not_ready").length >= 2,
            ),
          );
          assert.equal(announced, 0, "not while the store is down");
          await pg.start();
          await within(60_000, waiting);
          assert.equal(announced, 1);
          assert.equal(lines.at(-1)?.event, "ready");
          assert.ok(!JSON.stringify(lines).includes(pg.password));
        } finally {
          stopping.abort();
          await pg.start();
          await store.close();
        }
      },
    );

    // Last: it stops and starts the cluster.
    await t.step(
      "a restart in the middle of traffic: /ready goes 503 and back to 200, and the server recovers without a restart",
      async () => {
        const url = await pg.createDatabase();
        const dir = await Deno.makeTempDir({ prefix: "mcp-pgrestart-" });
        try {
          await using server = await startServerProcess({
            cwd: dir,
            env: {
              DATABASE_URL: url,
              DATABASE_CONNECT_TIMEOUT_SECONDS: "1",
              DATABASE_QUERY_TIMEOUT_SECONDS: "1",
            },
          });
          const acknowledged: string[] = [];
          const refusals: string[] = [];
          let running = true;
          const traffic = (async () => {
            for (let i = 0; running; i++) {
              const answer = await within(
                20_000,
                server.call("create_todo", { title: `during ${i}` }),
              ) as { todo?: Todo; error?: string };
              if (answer.todo) acknowledged.push(answer.todo.id);
              else refusals.push(answer.error!);
              await delay(20);
            }
          })();
          try {
            await within(
              30_000,
              eventually(30_000, "writes", () => acknowledged.length >= 5),
            );
            assert.equal((await server.ready()).status, 200);

            await pg.stop();
            let outage: Record<string, unknown> = {};
            await within(
              30_000,
              eventually(30_000, "/ready to say 503", async () => {
                const { status, body } = await server.ready();
                outage = body;
                return status === 503;
              }),
            );
            assert.equal(outage.status, "unavailable");
            assert.equal(outage.store, "postgres");
            assert.match(String(outage.reason), /127\.0\.0\.1:\d+/);
            assert.ok(!JSON.stringify(outage).includes(pg.password));
            await within(
              30_000,
              eventually(30_000, "a refused write", () => refusals.length > 0),
            );
            assert.match(refusals[0], /unavailable; try again shortly/);

            await pg.start();
            await within(
              60_000,
              eventually(
                60_000,
                "/ready to say 200 again",
                async () => (await server.ready()).status === 200,
              ),
            );
            const after = acknowledged.length;
            await within(
              60_000,
              eventually(
                60_000,
                "writes again",
                () => acknowledged.length > after,
              ),
            );
          } finally {
            running = false;
            await traffic.catch(() => {});
          }
          // The same process all along, and every acknowledged write is kept.
          assert.ok(!server.logs.some((l) => l.event === "stopped"));
          const kept = await allIds(server);
          assert.deepEqual(acknowledged.filter((id) => !kept.has(id)), []);
          assert.ok(
            server.logs.some((l) => l.event === "store_unavailable"),
            "the outage was logged",
          );
          for (const line of server.logs) {
            assert.ok(!JSON.stringify(line).includes(pg.password));
          }
          assert.equal(await server.stop(), 0);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    );
  },
});
