import assert from "node:assert/strict";
import { rejectsWith } from "./_contract.ts";
import { parseDatabaseUrl } from "./database_url.ts";
import { openTodoStore } from "./open.ts";
import { TodoStoreError } from "./todo_store.ts";

Deno.test("parseDatabaseUrl() names the backend", async (t) => {
  const cases: [string | undefined, unknown][] = [
    [undefined, {
      kind: "sqlite",
      path: "data/todos.db",
      location: "sqlite:data/todos.db",
    }],
    ["  ", {
      kind: "sqlite",
      path: "data/todos.db",
      location: "sqlite:data/todos.db",
    }],
    ["sqlite:./x.db", {
      kind: "sqlite",
      path: "./x.db",
      location: "sqlite:./x.db",
    }],
    ["sqlite:///var/lib/t.db", {
      kind: "sqlite",
      path: "/var/lib/t.db",
      location: "sqlite:/var/lib/t.db",
    }],
    ["memory:", { kind: "memory", location: "memory:" }],
    ["postgres://app:s3cret@db.internal:6543/todos?sslmode=verify-full", {
      kind: "postgres",
      url: "postgres://app:s3cret@db.internal:6543/todos?sslmode=verify-full",
      location: "postgres://app@db.internal:6543/todos",
      address: "db.internal:6543",
    }],
    ["postgresql://db/todos", {
      kind: "postgres",
      url: "postgresql://db/todos",
      location: "postgres://db:5432/todos",
      address: "db:5432",
    }],
  ];
  for (const [value, expected] of cases) {
    await t.step(String(value), () => {
      assert.deepEqual(parseDatabaseUrl(value), expected);
    });
  }
  assert.deepEqual(parseDatabaseUrl(undefined, { dataDir: "/srv/mcp" }), {
    kind: "sqlite",
    path: "/srv/mcp/todos.db",
    location: "sqlite:/srv/mcp/todos.db",
  });
});

Deno.test("parseDatabaseUrl() refuses other values, naming the scheme but never the value", async (t) => {
  const secret = "hunter2-s3cret";
  const cases: [string, RegExp][] = [
    [`mysql://root:${secret}@db/x`, /unsupported scheme "mysql:"/],
    [`MongoDB://u:${secret}@db`, /unsupported scheme "mongodb:"/],
    [`/var/lib/${secret}.db`, /has no scheme/],
    [`postgres:///${secret}`, /needs a host/],
    [`postgres://u:${secret}@:5432/db`, /not a valid postgres:\/\/ URL/],
    [`postgres://u:${secret}@db:99999/x`, /not a valid postgres:\/\/ URL/],
    [`postgres://u:${secret}@db/x?sslmode=maybe`, /unknown sslmode/],
    [`memory:${secret}`, /takes nothing after the colon/],
    ["sqlite:", /needs a file path/],
  ];
  for (const [value, reason] of cases) {
    await t.step(value.replace(secret, "…"), () => {
      assert.throws(() => parseDatabaseUrl(value), (error) => {
        assert.ok(error instanceof TodoStoreError);
        assert.equal(error.code, "invalid_url");
        assert.match(error.message, reason);
        assert.match(error.message, /^DATABASE_URL /);
        assert.ok(!error.message.includes(secret), error.message);
        return true;
      });
    });
  }
  assert.throws(
    () => parseDatabaseUrl("redis://x", { name: "TODO_DB" }),
    /^TodoStoreError: TODO_DB has the unsupported scheme/,
  );
});

Deno.test("openTodoStore() opens memory: and refuses an unknown scheme", async () => {
  const store = await openTodoStore("memory:", { maxTodosPerTenant: 1 });
  try {
    assert.equal(store.backend, "memory");
    await store.create("t", { title: "a", created_by: "u" });
    await rejectsWith(
      store.create("t", { title: "b", created_by: "u" }),
      "quota_exceeded",
    );
  } finally {
    await store.close();
  }
  await rejectsWith(openTodoStore("mysql://x"), "invalid_url");
});
