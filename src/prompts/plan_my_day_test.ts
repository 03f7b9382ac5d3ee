import assert from "node:assert/strict";
import type { Identity } from "../auth/identity.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import type { OperationContext } from "../tools/tool.ts";
import { PLAN_MAX_TODOS, planMyDay } from "./plan_my_day.ts";

function context(store: MemoryTodoStore): OperationContext {
  return {
    identity: {} as Identity,
    tenant: "org:a",
    store,
    provider: "scalekit",
    now: Date.now,
  };
}

Deno.test("plan_my_day quotes the open todos only, with the focus", async () => {
  const store = new MemoryTodoStore();
  await store.create("org:a", {
    title: "Write tests",
    description: "all",
    created_by: "usr_1",
  });
  const done = await store.create("org:a", {
    title: "Ship it",
    created_by: "usr_1",
  });
  await store.update("org:a", done.id, { completed: true });
  await store.create("org:b", { title: "Someone else's", created_by: "usr_2" });
  const [message] = await planMyDay.get({ focus: "quality" }, context(store));
  assert.equal(message.role, "user");
  assert.match(message.text, /- Write tests: all \(id [0-9a-f-]+\)/);
  assert.doesNotMatch(message.text, /Ship it|Someone else/);
  assert.match(message.text, /My focus today: quality/);
});

Deno.test("plan_my_day says so when nothing is open, and caps a long list", async () => {
  const store = new MemoryTodoStore();
  const [empty] = await planMyDay.get({}, context(store));
  assert.match(empty.text, /I have no open todos\./);
  assert.doesNotMatch(empty.text, /focus/);
  for (let i = 0; i < PLAN_MAX_TODOS + 3; i++) {
    await store.create("org:a", { title: `task ${i}`, created_by: "usr_1" });
  }
  const [long] = await planMyDay.get({}, context(store));
  assert.equal(long.text.match(/^- task/gm)?.length, PLAN_MAX_TODOS);
  assert.match(long.text, /…and more\./);
});
