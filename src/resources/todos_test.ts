import assert from "node:assert/strict";
import type { Identity } from "../auth/identity.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { TodoStoreError } from "../store/todo_store.ts";
import type { OperationContext } from "../tools/tool.ts";
import {
  changedUris,
  todoListPageResource,
  todoListResource,
  todoResource,
} from "./todos.ts";

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

interface Page {
  todos: Array<{ id: string; title: string }>;
  count: number;
  next_cursor?: string;
  next_uri?: string;
}

Deno.test("the list pages: todo://todos is the first page, next_uri the next", async () => {
  const store = new MemoryTodoStore();
  for (let i = 0; i < 205; i++) {
    await store.create("org:a", { title: `t${i}`, created_by: "usr_1" });
  }
  await store.create("org:b", { title: "theirs", created_by: "usr_2" });
  const ctx = context(store, "org:a");
  const first = await todoListResource.read({}, ctx) as Page;
  assert.equal(first.count, 100);
  assert.equal(
    first.next_uri,
    `todo://todos?limit=100&cursor=${first.next_cursor}`,
  );
  // Following next_uri (through the template's variables) visits every
  // todo of the tenant once, and only those.
  const seen = first.todos.map((todo) => todo.id);
  let next: string | undefined = first.next_uri;
  while (next !== undefined) {
    const params = Object.fromEntries(new URL(next).searchParams);
    const page = await todoListPageResource.read(params, ctx) as Page;
    seen.push(...page.todos.map((todo) => todo.id));
    next = page.next_uri;
  }
  assert.equal(seen.length, 205);
  assert.equal(new Set(seen).size, 205);
  const all = await todoListPageResource.read({ limit: "1000" }, ctx) as Page;
  assert.equal(all.count, 205);
  assert.equal(all.next_uri, undefined);
  assert.deepEqual(all.todos.map((todo) => todo.id), seen);
  const small = await todoListPageResource.read({ limit: "2" }, ctx) as Page;
  assert.equal(small.count, 2);
  assert.match(small.next_uri ?? "", /^todo:\/\/todos\?limit=2&cursor=/);
});

Deno.test("a bad page request is refused by name, never guessed at", async (t) => {
  const store = new MemoryTodoStore();
  await store.create("org:a", { title: "one", created_by: "usr_1" });
  await store.create("org:a", { title: "two", created_by: "usr_1" });
  const ctx = context(store, "org:a");
  const { next_cursor } = await todoListPageResource.read(
    { limit: "1" },
    ctx,
  ) as Page;
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ limit: "0" }, "invalid_input", /from 1 to 1000/],
    [{ limit: "1001" }, "invalid_input", /from 1 to 1000/],
    [{ limit: "ten" }, "invalid_input", /from 1 to 1000/],
    [{ limit: "-1" }, "invalid_input", /from 1 to 1000/],
    [{ limit: "5,6" }, "invalid_input", /from 1 to 1000/],
    [{ limit: "1e2" }, "invalid_input", /from 1 to 1000/],
    [
      { sort: "title" },
      "invalid_input",
      /only the query parameters limit and cursor/,
    ],
    [
      { cursor: "not-a-cursor" },
      "invalid_cursor",
      /not one this server issued/,
    ],
    [{ cursor: `${next_cursor},${next_cursor}` }, "invalid_cursor", /issued/],
  ];
  for (const [variables, code, message] of cases) {
    await t.step(JSON.stringify(variables), async () => {
      await assert.rejects(
        todoListPageResource.read(variables, ctx),
        (error) =>
          error instanceof TodoStoreError && error.code === code &&
          message.test(error.message),
      );
    });
  }
});

Deno.test("a change to todos names the list and each todo's URI", () => {
  assert.deepEqual(changedUris(["1", "2"]), [
    "todo://todos",
    "todo://todos/1",
    "todo://todos/2",
  ]);
});
