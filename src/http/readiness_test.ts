import assert from "node:assert/strict";
import { startHarness } from "../../fixtures/harness.ts";
import { within } from "../../fixtures/net.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { openTodoStore } from "../store/open.ts";
import type { TodoStore } from "../store/todo_store.ts";

Deno.test("GET /ready answers 200 while the store answers, and 503 with the reason once it does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-ready-" });
  const store = await openTodoStore(`sqlite:${dir}/todos.db`);
  const h = await startHarness({ store });
  try {
    const ready = await h.fetch("/ready");
    assert.equal(ready.status, 200);
    assert.equal(ready.headers.get("cache-control"), "no-store");
    assert.deepEqual(await ready.json(), { status: "ready", store: "sqlite" });

    await store.close();
    const down = await h.fetch("/ready");
    assert.equal(down.status, 503);
    assert.equal(down.headers.get("cache-control"), "no-store");
    assert.deepEqual(await down.json(), {
      status: "unavailable",
      store: "sqlite",
      reason: "closed",
    });
    // Liveness is another question: the process still serves.
    const health = await h.fetch("/health");
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /ready needs no token, and concurrent probes share one check", async () => {
  const inner = new MemoryTodoStore();
  let pings = 0;
  let answer!: () => void;
  // The real store, with a ping that answers when the test says.
  const store: TodoStore = {
    backend: inner.backend,
    location: inner.location,
    create: (tenant, input) => inner.create(tenant, input),
    get: (tenant, id) => inner.get(tenant, id),
    list: (tenant, query) => inner.list(tenant, query),
    update: (tenant, id, patch) => inner.update(tenant, id, patch),
    delete: (tenant, id) => inner.delete(tenant, id),
    deleteCompleted: (tenant) => inner.deleteCompleted(tenant),
    close: () => inner.close(),
    async ping() {
      pings++;
      await new Promise<void>((resolve) => answer = resolve);
      await inner.ping();
    },
  };
  const h = await startHarness({ store });
  try {
    const probes = Array.from({ length: 20 }, () => h.fetch("/ready"));
    // Every probe is waiting on the one ping.
    while (pings === 0) await new Promise((r) => setTimeout(r, 5));
    answer();
    const answers = await within(10_000, Promise.all(probes));
    assert.equal(pings, 1);
    for (const res of answers) {
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    // A later probe checks again: nothing is cached.
    const later = h.fetch("/ready");
    while (pings === 1) await new Promise((r) => setTimeout(r, 5));
    answer();
    assert.equal((await within(10_000, later)).status, 200);
    assert.equal(pings, 2);
  } finally {
    await h.close();
  }
});
