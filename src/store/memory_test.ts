import assert from "node:assert/strict";
import { rejectsWith, runStoreContract } from "./_contract.ts";
import { MemoryTodoStore } from "./memory.ts";
import { TODO_LIMITS } from "./todo_store.ts";

Deno.test("MemoryTodoStore keeps the store contract", async (t) => {
  await runStoreContract(t, (options) => {
    return Promise.resolve(new MemoryTodoStore(options));
  });
});

Deno.test("MemoryTodoStore refuses a quota that is not a whole number of at least 1", () => {
  for (const maxTodosPerTenant of [0, -1, 1.5, NaN]) {
    assert.throws(() => new MemoryTodoStore({ maxTodosPerTenant }), RangeError);
  }
});

Deno.test("MemoryTodoStore holds at most TODO_LIMITS.maxTodosPerTenant todos per tenant by default", async () => {
  const store = new MemoryTodoStore();
  try {
    const max = TODO_LIMITS.maxTodosPerTenant;
    assert.equal(max, 10_000);
    for (let i = 0; i < max; i++) {
      await store.create("org:full", { title: `t${i}`, created_by: "u" });
    }
    await rejectsWith(
      store.create("org:full", { title: "one too many", created_by: "u" }),
      "quota_exceeded",
    );
    await store.create("org:other", { title: "fine", created_by: "u" });
  } finally {
    await store.close();
  }
});
