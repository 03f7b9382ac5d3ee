import assert from "node:assert/strict";
import type { Identity } from "../auth/identity.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import type { OperationContext } from "../tools/tool.ts";
import { todoListResource, todoResource } from "./todos.ts";

function context(store: MemoryTodoStore, tenant: string): OperationContext {
  return {
    identity: {} as Identity,
    tenant,
    store,
    provider: "scalekit",
    now: Date.now,
  };
}

Deno.test("todo://todos is the caller's own list, without nulls", async () => {
  const store = new MemoryTodoStore();
  await store.create("org:a", { title: "mine", created_by: "usr_1" });
  await store.create("org:b", { title: "theirs", created_by: "usr_2" });
  const list = await todoListResource.read({}, context(store, "org:a")) as {
    todos: Array<Record<string, unknown>>;
    count: number;
  };
  assert.equal(list.count, 1);
  assert.equal(list.todos[0].title, "mine");
  assert.equal("description" in list.todos[0], false);
});

Deno.test("todo://todos/{id} finds only the caller's own todo", async () => {
  const store = new MemoryTodoStore();
  const mine = await store.create("org:a", {
    title: "mine",
    created_by: "usr_1",
  });
  const { description: _, ...shown } = mine;
  assert.deepEqual(
    await todoResource.read({ id: mine.id }, context(store, "org:a")),
    { todo: shown },
  );
  assert.equal(
    await todoResource.read({ id: mine.id }, context(store, "org:b")),
    undefined,
    "another tenant's id is simply not found",
  );
  assert.equal(
    await todoResource.read({ id: "x".repeat(201) }, context(store, "org:a")),
    undefined,
  );
  assert.equal(await todoResource.read({}, context(store, "org:a")), undefined);
});
