import assert from "node:assert/strict";
import { MemoryTodoStore } from "./memory.ts";
import { TodoStoreError } from "./todo_store.ts";

Deno.test("MemoryTodoStore keeps tenants apart", async () => {
  const store = new MemoryTodoStore();
  const mine = await store.create("org:a", { title: "mine" });
  assert.equal(await store.get("org:b", mine.id), undefined);
  assert.deepEqual(await store.list("org:b"), []);
  assert.equal(await store.update("org:b", mine.id, { title: "x" }), undefined);
  assert.equal(await store.delete("org:b", mine.id), false);
  assert.deepEqual(await store.list("org:a"), [mine]);
});

Deno.test("MemoryTodoStore creates, filters, updates and deletes", async () => {
  let tick = 0;
  const store = new MemoryTodoStore({
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)),
  });
  const a = await store.create("t", { title: "a", description: "d" });
  const b = await store.create("t", { title: "b" });
  assert.equal(a.description, "d");
  assert.equal(b.description, null);
  assert.equal(a.completed, false);

  const done = await store.update("t", a.id, { completed: true });
  assert.equal(done?.completed, true);
  assert.equal(done?.title, "a");
  assert.notEqual(done?.updated_at, a.updated_at);
  assert.equal(done?.created_at, a.created_at);

  assert.deepEqual(
    (await store.list("t", { completed: true })).map((t) => t.id),
    [a.id],
  );
  assert.deepEqual(
    (await store.list("t", { completed: false })).map((t) => t.id),
    [b.id],
  );
  assert.equal(
    (await store.update("t", b.id, { description: null }))?.description,
    null,
  );

  assert.deepEqual(await store.deleteCompleted("t"), [a.id]);
  assert.deepEqual((await store.list("t")).map((t) => t.id), [b.id]);
  assert.equal(await store.delete("t", b.id), true);
  assert.equal(await store.delete("t", b.id), false);
});

Deno.test("MemoryTodoStore refuses past its per-tenant quota", async () => {
  const store = new MemoryTodoStore({ maxTodosPerTenant: 1 });
  await store.create("t", { title: "one" });
  await assert.rejects(
    store.create("t", { title: "two" }),
    (error) =>
      error instanceof TodoStoreError && error.code === "quota_exceeded",
  );
  await store.create("other", { title: "fine" });
});
