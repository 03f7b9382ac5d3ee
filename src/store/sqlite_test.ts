import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { within } from "../../fixtures/net.ts";
import { rejectsWith, runStoreContract } from "./_contract.ts";
import { MIGRATIONS_TABLE, SCHEMA_VERSION } from "./migrations.ts";
import { openTodoStore } from "./open.ts";
import { openSqliteTodoStore } from "./sqlite.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-sqlite-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SqliteTodoStore keeps the store contract", async (t) => {
  await withTempDir(async (dir) => {
    let n = 0;
    await runStoreContract(
      t,
      (options) =>
        openSqliteTodoStore({ path: join(dir, `c${n++}.db`), ...options }),
    );
  });
});

Deno.test("openTodoStore() with no URL creates data/todos.db, in WAL mode", async () => {
  await withTempDir(async (dir) => {
    const dataDir = join(dir, "nested", "data");
    const store = await openTodoStore(undefined, { dataDir });
    try {
      assert.equal(store.backend, "sqlite");
      assert.equal(store.location, `sqlite:${join(dataDir, "todos.db")}`);
      assert.equal((await Deno.stat(dataDir)).mode! & 0o777, 0o700);
      await store.create("org:a", { title: "t", created_by: "u" });
    } finally {
      await store.close();
    }
    const raw = new DatabaseSync(join(dataDir, "todos.db"));
    try {
      assert.deepEqual(
        { ...raw.prepare("PRAGMA journal_mode").get() },
        { journal_mode: "wal" },
      );
    } finally {
      raw.close();
    }
  });
});

Deno.test("SQLite todos survive closing and reopening; migrations run once", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "todos.db");
    const first = await openTodoStore(`sqlite:${path}`);
    const todo = await first.create("org:a", {
      title: "kept",
      created_by: "u",
    });
    await first.update("org:a", todo.id, { completed: true });
    await first.close();

    const second = await openTodoStore(`sqlite://${path}`);
    try {
      const kept = await second.get("org:a", todo.id);
      assert.equal(kept?.title, "kept");
      assert.equal(kept?.completed, true);
    } finally {
      await second.close();
    }
    const raw = new DatabaseSync(path);
    try {
      const rows = raw.prepare(`SELECT version, name FROM ${MIGRATIONS_TABLE}`)
        .all().map((row) => ({ ...row }));
      assert.deepEqual(rows, [{ version: SCHEMA_VERSION, name: "todos" }]);
    } finally {
      raw.close();
    }
  });
});

Deno.test("SQLite refuses a database whose schema is newer than the code", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "todos.db");
    await (await openTodoStore(`sqlite:${path}`)).close();
    const raw = new DatabaseSync(path);
    raw.prepare(
      `INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, 'future', 'x')`,
    ).run(SCHEMA_VERSION + 1);
    raw.close();
    const refusal = await rejectsWith(
      openTodoStore(`sqlite:${path}`),
      "schema_too_new",
    );
    assert.match(refusal.message, new RegExp(`version ${SCHEMA_VERSION + 1}`));
    assert.match(refusal.message, new RegExp(`sqlite:${path}`));
  });
});

Deno.test("SQLite reports a path it cannot open as unavailable, naming it", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "plain-file");
    await Deno.writeTextFile(file, "not a directory");
    const refusal = await rejectsWith(
      openTodoStore(`sqlite:${join(file, "todos.db")}`),
      "unavailable",
    );
    assert.match(refusal.message, /Cannot open the SQLite database at sqlite:/);

    const notDb = join(dir, "garbage.db");
    await Deno.writeTextFile(notDb, "x".repeat(4096));
    await rejectsWith(openTodoStore(`sqlite:${notDb}`), "unavailable");
  });
});

Deno.test("SQLite turns a lock held past the busy timeout into unavailable", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "todos.db");
    const store = await openSqliteTodoStore({ path, busyTimeoutMs: 50 });
    const other = new DatabaseSync(path);
    try {
      other.exec("BEGIN IMMEDIATE");
      const refusal = await rejectsWith(
        store.create("org:a", { title: "t", created_by: "u" }),
        "unavailable",
      );
      assert.match(refusal.detail ?? "", /database is locked/);
      assert.doesNotMatch(
        refusal.message,
        /locked/,
        "the client sees a plain sentence",
      );
      other.exec("ROLLBACK");
      await store.create("org:a", { title: "t", created_by: "u" });
      await store.ping();
    } finally {
      other.close();
      await store.close();
    }
  });
});

Deno.test("SQLite keeps every acknowledged write when the writer is killed with SIGKILL", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "todos.db");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        new URL("./_crash_writer.ts", import.meta.url).pathname,
        path,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const acknowledged: string[] = [];
    let buffer = "";
    let killed = false;
    const decoder = new TextDecoder();
    const stderr = new Response(child.stderr).text();
    await within(
      60_000,
      (async () => {
        for await (const chunk of child.stdout) {
          buffer += decoder.decode(chunk, { stream: true });
          const lines = buffer.split("\n");
          buffer = lines.pop()!;
          for (const line of lines) {
            if (line !== "ready") acknowledged.push(line);
          }
          // Kill it in the middle of the burst, once it has written a few hundred.
          if (!killed && acknowledged.length >= 300) {
            killed = true;
            child.kill("SIGKILL");
          }
        }
      })(),
    );
    const status = await child.status;
    assert.ok(killed, `the writer stopped early: ${await stderr}`);
    assert.equal(status.signal, "SIGKILL");

    const store = await openTodoStore(`sqlite:${path}`);
    try {
      const ids = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await store.list("org:crash", { limit: 1000, cursor });
        for (const todo of page.todos) ids.add(todo.id);
        cursor = page.nextCursor;
      } while (cursor);
      const missing = acknowledged.filter((id) => !ids.has(id));
      assert.deepEqual(missing, [], "every acknowledged write is there");
      assert.ok(ids.size >= acknowledged.length);
    } finally {
      await store.close();
    }
    const raw = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...raw.prepare("PRAGMA integrity_check").get() }, {
        integrity_check: "ok",
      });
    } finally {
      raw.close();
    }
  });
});
