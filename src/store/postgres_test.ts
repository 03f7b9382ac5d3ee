import assert from "node:assert/strict";
import postgres from "postgres";
import type { ServerEvent } from "@modelcontextprotocol/server";
import { within } from "../../fixtures/net.ts";
import { SKIP_POSTGRES, startPostgres } from "../../fixtures/postgres.ts";
import { openEventBus } from "../events/event_bus.ts";
import { rejectsWith, runStoreContract } from "./_contract.ts";
import { MIGRATIONS_TABLE, SCHEMA_VERSION } from "./migrations.ts";
import { openTodoStore, type OpenTodoStoreOptions } from "./open.ts";
import { PostgresTodoStore } from "./postgres.ts";
import { TodoStoreError } from "./todo_store.ts";

// Short timeouts so outages show quickly; every wait below is still bounded
// by a generous `within`, never by asserting how long something took.
const FAST: OpenTodoStoreOptions = {
  connectTimeoutMs: 1000,
  queryTimeoutMs: 1000,
  poolSize: 4,
};

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it is true; fails after `ms`. */
async function eventually(
  ms: number,
  what: string,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const end = Date.now() + ms;
  while (!await check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

async function succeeds(op: () => Promise<unknown>): Promise<boolean> {
  try {
    await op();
    return true;
  } catch (error) {
    if (error instanceof TodoStoreError && error.code === "unavailable") {
      return false;
    }
    throw error;
  }
}

Deno.test({
  name: "PostgresTodoStore against a throwaway cluster",
  ignore: SKIP_POSTGRES,
  async fn(t) {
    await using pg = await startPostgres();

    await t.step("keeps the store contract", async (t) => {
      const url = await pg.createDatabase();
      await runStoreContract(t, (options) => openTodoStore(url, options));
    });

    await t.step("two instances share one database", async () => {
      const url = await pg.createDatabase();
      const [a, b] = await Promise.all([
        openTodoStore(url, FAST),
        openTodoStore(url, FAST),
      ]);
      try {
        assert.equal(a.backend, "postgres");
        assert.equal(
          a.location,
          `postgres://postgres@127.0.0.1:${pg.port}${new URL(url).pathname}`,
        );
        assert.ok(!a.location.includes(pg.password));
        const todo = await a.create("org:shared", {
          title: "from a",
          created_by: "u",
        });
        assert.deepEqual(await b.get("org:shared", todo.id), todo);
        await b.update("org:shared", todo.id, { completed: true });
        assert.equal((await a.get("org:shared", todo.id))?.completed, true);
        assert.equal(await b.get("org:other", todo.id), undefined);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    await t.step(
      "the quota and partial updates hold across instances",
      async () => {
        const url = await pg.createDatabase();
        const options = { ...FAST, maxTodosPerTenant: 5 };
        const [a, b] = await Promise.all([
          openTodoStore(url, options),
          openTodoStore(url, options),
        ]);
        try {
          const results = await Promise.allSettled(
            Array.from(
              { length: 16 },
              (_, i) =>
                (i % 2 ? a : b).create("org:race", {
                  title: `r${i}`,
                  created_by: "u",
                }),
            ),
          );
          assert.equal(
            results.filter((r) => r.status === "fulfilled").length,
            5,
          );
          for (const r of results) {
            if (r.status === "rejected") {
              assert.ok(
                r.reason instanceof TodoStoreError &&
                  r.reason.code === "quota_exceeded",
                String(r.reason),
              );
            }
          }
          const { todos } = await a.list("org:race");
          assert.equal(todos.length, 5);
          await Promise.all(todos.flatMap((todo, i) => [
            a.update("org:race", todo.id, { title: `title ${i}` }),
            b.update("org:race", todo.id, { completed: true }),
            a.update("org:race", todo.id, { description: `note ${i}` }),
          ]));
          for (const [i, todo] of todos.entries()) {
            const now = await b.get("org:race", todo.id);
            assert.deepEqual(
              [now?.title, now?.completed, now?.description],
              [`title ${i}`, true, `note ${i}`],
            );
          }
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      },
    );

    await t.step("instances starting together migrate once", async () => {
      const url = await pg.createDatabase();
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openTodoStore(url, FAST)),
      );
      await Promise.all(stores.map((store) => store.close()));
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql`SELECT version, name FROM ${
          sql(MIGRATIONS_TABLE)
        } ORDER BY version`;
        assert.deepEqual(
          rows.map((row: Record<string, unknown>) => ({ ...row })),
          [{ version: SCHEMA_VERSION, name: "todos" }],
        );
        // Opening again applies nothing and keeps the data.
        const again = await openTodoStore(url, FAST);
        const todo = await again.create("org:a", {
          title: "t",
          created_by: "u",
        });
        await again.close();
        const reopened = await openTodoStore(url, FAST);
        assert.equal((await reopened.get("org:a", todo.id))?.title, "t");
        await reopened.close();
        assert.equal(
          (await sql`SELECT count(*)::int AS n FROM ${sql(MIGRATIONS_TABLE)}`)[
            0
          ].n,
          1,
        );

        await sql`INSERT INTO ${
          sql(MIGRATIONS_TABLE)
        } (version, name) VALUES (${SCHEMA_VERSION + 1}, 'future')`;
        const refusal = await rejectsWith(
          openTodoStore(url, FAST),
          "schema_too_new",
        );
        assert.match(
          refusal.message,
          new RegExp(`version ${SCHEMA_VERSION + 1}`),
        );
        assert.ok(!refusal.message.includes(pg.password));
      } finally {
        await sql.end({ timeout: 1 });
      }
    });

    await t.step(
      "a server that cannot be reached is a clear error, without the password",
      async (t) => {
        const cases: [string, string, RegExp][] = [
          [
            "nothing listens",
            `postgres://postgres:${pg.password}@127.0.0.1:1/postgres`,
            /cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
          ],
          [
            "wrong password",
            `postgres://postgres:not-${pg.password}@127.0.0.1:${pg.port}/postgres`,
            /refused the credentials/,
          ],
          ["no such database", pg.url("missing_db"), /has no such database/],
          [
            "TLS asked of a server without it",
            `${pg.url()}?sslmode=require`,
            /PostgreSQL at 127\.0\.0\.1/,
          ],
        ];
        for (const [name, url, reason] of cases) {
          await t.step(name, async () => {
            const refusal = await within(
              30_000,
              rejectsWith(openTodoStore(url, FAST), "unavailable"),
            );
            assert.match(refusal.message, reason);
            assert.match(
              refusal.message,
              /^Cannot open the PostgreSQL database at postgres:\/\/postgres@127\.0\.0\.1:/,
            );
            for (
              const text of [
                refusal.message,
                refusal.detail ?? "",
                refusal.stack ?? "",
              ]
            ) {
              assert.ok(!text.includes(pg.password), `no password in ${text}`);
            }
          });
        }
      },
    );

    await t.step(
      "a change published on one instance reaches subscribers on both",
      async () => {
        const url = await pg.createDatabase();
        const [a, b] = await Promise.all([
          openTodoStore(url, FAST),
          openTodoStore(url, FAST),
        ]);
        const [busA, busB] = await Promise.all([
          openEventBus(a),
          openEventBus(b),
        ]);
        const seenA: ServerEvent[] = [];
        const seenB: ServerEvent[] = [];
        busA.subscribe((event) => seenA.push(event));
        busB.subscribe((event) => seenB.push(event));
        try {
          busA.publish({ kind: "resource_updated", uri: "todo://abc" });
          assert.deepEqual(seenA, [{
            kind: "resource_updated",
            uri: "todo://abc",
          }], "local delivery is immediate");
          await within(
            10_000,
            eventually(10_000, "the event on b", () => seenB.length === 1),
          );
          assert.deepEqual(seenB, [{
            kind: "resource_updated",
            uri: "todo://abc",
          }]);
          busB.publish({ kind: "resources_list_changed" });
          await within(
            10_000,
            eventually(10_000, "the event on a", () => seenA.length === 2),
          );
          assert.deepEqual(seenA[1], { kind: "resources_list_changed" });
          // A stranger's NOTIFY on the channel is ignored, not delivered.
          assert.ok(a instanceof PostgresTodoStore);
          await a.client.notify(
            "mcp_scalekit_events",
            JSON.stringify({ o: "x", e: { kind: "drop_tables" } }),
          );
          busA.publish({ kind: "tools_list_changed" });
          await within(
            10_000,
            eventually(10_000, "the last event on b", () => seenB.length === 3),
          );
          assert.deepEqual(seenB.map((event) => event.kind), [
            "resource_updated",
            "resources_list_changed",
            "tools_list_changed",
          ]);
          await delay(100);
          assert.equal(seenA.length, 3, "no echo of a's own events");
        } finally {
          await Promise.all([busA.close(), busB.close()]);
          await Promise.all([a.close(), b.close()]);
        }
      },
    );

    await t.step(
      "a hung server is a quick unavailable, and the store recovers",
      async () => {
        const url = await pg.createDatabase();
        const store = await openTodoStore(url, FAST);
        try {
          const todo = await store.create("org:a", {
            title: "t",
            created_by: "u",
          });
          pg.freeze();
          try {
            await within(
              15_000,
              rejectsWith(store.get("org:a", todo.id), "unavailable"),
            );
            const refusal = await within(
              15_000,
              rejectsWith(store.ping(), "unavailable"),
            );
            assert.match(refusal.detail ?? "", /PostgreSQL at 127\.0\.0\.1/);
          } finally {
            pg.thaw();
          }
          await within(
            30_000,
            eventually(30_000, "recovery", () => succeeds(() => store.ping())),
          );
          assert.equal((await store.get("org:a", todo.id))?.title, "t");
        } finally {
          await store.close();
        }
      },
    );

    await t.step(
      "closing the store while the server hangs neither hangs nor crashes",
      async () => {
        // The path that ended the process with unpatched postgres.js: the
        // pool gives up on connections that still have writes queued.
        const url = await pg.createDatabase();
        const store = await openTodoStore(url, FAST);
        await store.create("org:a", { title: "t", created_by: "u" });
        pg.freeze();
        try {
          const calls = Array.from(
            { length: 8 },
            (_, i) =>
              store.create("org:a", { title: `during ${i}`, created_by: "u" })
                .then(() => "ok", (error) => error),
          );
          const outcomes = await within(15_000, Promise.all(calls));
          for (const outcome of outcomes) {
            assert.ok(
              outcome instanceof TodoStoreError &&
                outcome.code === "unavailable",
              String(outcome),
            );
          }
          await within(15_000, store.close());
          await delay(200);
        } finally {
          pg.thaw();
        }
        await rejectsWith(store.ping(), "unavailable");
      },
    );

    await t.step(
      "a database restart in the middle of traffic recovers without reopening",
      async () => {
        const url = await pg.createDatabase();
        const [a, b] = await Promise.all([
          openTodoStore(url, FAST),
          openTodoStore(url, FAST),
        ]);
        const [busA, busB] = await Promise.all([
          openEventBus(a),
          openEventBus(b),
        ]);
        const seenB: ServerEvent[] = [];
        busB.subscribe((event) => seenB.push(event));
        const outcomes: ("ok" | "unavailable")[] = [];
        const acknowledged: string[] = [];
        let running = true;
        const traffic = (async () => {
          for (let i = 0; running; i++) {
            try {
              const todo = await within(
                15_000,
                a.create("org:traffic", { title: `w${i}`, created_by: "u" }),
              );
              acknowledged.push(todo.id);
              outcomes.push("ok");
            } catch (error) {
              assert.ok(
                error instanceof TodoStoreError && error.code === "unavailable",
                String(error),
              );
              outcomes.push("unavailable");
            }
            await delay(10);
          }
        })();
        try {
          await within(
            30_000,
            eventually(30_000, "traffic", () => outcomes.length >= 5),
          );
          await pg.stop();
          const before = outcomes.length;
          await within(
            30_000,
            eventually(
              30_000,
              "refusals while down",
              () =>
                outcomes.slice(before).filter((o) => o === "unavailable")
                  .length >= 3,
            ),
          );
          await rejectsWith(b.ping(), "unavailable");
          await pg.start();
          const restarted = outcomes.length;
          await within(
            30_000,
            eventually(
              30_000,
              "writes after the restart",
              () => outcomes.slice(restarted).includes("ok"),
            ),
          );
          running = false;
          await traffic;
          await b.ping();
          // Every write acknowledged before, during or after the outage is there.
          const seen = new Set<string>();
          let cursor: string | undefined;
          do {
            const page = await b.list("org:traffic", { limit: 1000, cursor });
            for (const todo of page.todos) seen.add(todo.id);
            cursor = page.nextCursor;
          } while (cursor);
          assert.deepEqual(acknowledged.filter((id) => !seen.has(id)), []);
          // The buses listen again by themselves.
          await within(
            30_000,
            eventually(30_000, "an event across the restart", () => {
              busA.publish({ kind: "resource_updated", uri: "todo://after" });
              return seenB.some((event) =>
                event.kind === "resource_updated" &&
                event.uri === "todo://after"
              );
            }),
          );
        } finally {
          running = false;
          await traffic.catch(() => {});
          await Promise.all([busA.close(), busB.close()]);
          await Promise.all([a.close(), b.close()]);
        }
      },
    );
  },
});
