import assert from "node:assert/strict";
import { runStoreContract } from "./_contract.ts";
import { MemoryTodoStore } from "./memory.ts";

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
