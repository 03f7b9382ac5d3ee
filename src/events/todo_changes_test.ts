import assert from "node:assert/strict";
import { MemoryTodoStore } from "../store/memory.ts";
import { TodoStoreError } from "../store/todo_store.ts";
import { reportTodoChanges } from "./todo_changes.ts";

Deno.test("reportTodoChanges() reports every committed change, and only those", async () => {
  const reports: Array<[string, readonly string[]]> = [];
  const store = reportTodoChanges(new MemoryTodoStore(), {
    onChange: (tenant, ids) => reports.push([tenant, ids]),
  });
  const a = await store.create("org:a", { title: "one", created_by: "u" });
  const b = await store.create("org:a", { title: "two", created_by: "u" });
  assert.deepEqual(reports.splice(0), [["org:a", [a.id]], ["org:a", [b.id]]]);

  await store.get("org:a", a.id);
  await store.list("org:a");
  await store.update("org:a", a.id, {});
  await store.update("org:b", a.id, { completed: true });
  await store.delete("org:b", a.id);
  await store.deleteCompleted("org:a");
  await assert.rejects(
    store.create("org:a", { title: " ", created_by: "u" }),
    TodoStoreError,
  );
  assert.deepEqual(
    reports,
    [],
    "reads, misses, no-ops and refusals report nothing",
  );

  await store.update("org:a", a.id, { completed: true });
  await store.update("org:a", b.id, { completed: true, title: undefined });
  assert.deepEqual(reports.splice(0), [["org:a", [a.id]], ["org:a", [b.id]]]);
  // Created in the same millisecond, a and b may list in either order.
  const deleted = await store.deleteCompleted("org:a");
  assert.deepEqual([...deleted].sort(), [a.id, b.id].sort());
  assert.deepEqual(reports.splice(0), [["org:a", deleted]]);
  const c = await store.create("org:a", { title: "three", created_by: "u" });
  reports.length = 0;
  assert.equal(await store.delete("org:a", c.id), true);
  assert.deepEqual(reports, [["org:a", [c.id]]]);
  assert.equal(store.backend, "memory");
  assert.equal(store.location, "memory:");
});

Deno.test("a report that fails never fails the change", async () => {
  const errors: unknown[] = [];
  const inner = new MemoryTodoStore();
  const store = reportTodoChanges(inner, {
    onChange() {
      throw new Error("bus down");
    },
    onError: (error) => errors.push(error),
  });
  const todo = await store.create("org:a", { title: "kept", created_by: "u" });
  assert.equal((await inner.get("org:a", todo.id))?.title, "kept");
  assert.equal(errors.length, 1);
});
