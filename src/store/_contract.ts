/**
 * The behaviour every {@link TodoStore} backend must share, as test steps.
 * `memory_test.ts`, `sqlite_test.ts` and `postgres_test.ts` run it against a
 * real backend each, so the three cannot drift apart.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Todo,
  TODO_LIMITS,
  type TodoStore,
  TodoStoreError,
  type TodoStoreErrorCode,
} from "./todo_store.ts";

/** What a contract case may ask of a fresh store. */
export interface ContractStoreOptions {
  /** Per-tenant quota. */
  readonly maxTodosPerTenant?: number;
  /** Clock. */
  readonly now?: () => Date;
}

/** Opens a store for one case; the case closes it. */
export type OpenContractStore = (
  options?: ContractStoreOptions,
) => Promise<TodoStore>;

/** Asserts that `promise` rejects with a {@link TodoStoreError} of `code` (and `field`). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: TodoStoreErrorCode,
  field?: string,
): Promise<TodoStoreError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(
    caught instanceof TodoStoreError,
    `expected a TodoStoreError, got ${caught}`,
  );
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.field, field);
  return caught;
}

function tenant(): string {
  return `org:${crypto.randomUUID()}`;
}

/** A clock that advances one second per call from 2026-01-01, or stands still. */
function steppingClock(step = 1000): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2026, 0, 1) + step * tick++);
}

async function allPages(
  store: TodoStore,
  key: string,
  query: { completed?: boolean; limit: number },
): Promise<{ todos: Todo[]; pages: number }> {
  const todos: Todo[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list(key, { ...query, cursor });
    assert.ok(page.todos.length <= query.limit);
    todos.push(...page.todos);
    cursor = page.nextCursor;
    pages++;
    assert.ok(pages < 1000, "paging does not end");
  } while (cursor !== undefined);
  return { todos, pages };
}

function listOrder(a: Todo, b: Todo): number {
  if (a.created_at !== b.created_at) {
    return a.created_at < b.created_at ? -1 : 1;
  }
  return a.id < b.id ? -1 : 1;
}

async function withStore(
  open: OpenContractStore,
  options: ContractStoreOptions,
  run: (store: TodoStore) => Promise<void>,
): Promise<void> {
  const store = await open(options);
  try {
    await run(store);
  } finally {
    await store.close();
  }
}

/** Runs every contract case as a step of `t` against stores from `open`. */
export async function runStoreContract(
  t: Deno.TestContext,
  open: OpenContractStore,
): Promise<void> {
  await t.step(
    "create records title, creator and times; get returns it",
    async () => {
      await withStore(open, { now: steppingClock() }, async (store) => {
        const key = tenant();
        const todo = await store.create(key, {
          title: "  buy milk  ",
          created_by: "usr_1",
        });
        assert.match(
          todo.id,
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
        assert.equal(todo.title, "buy milk", "the title is trimmed");
        assert.equal(todo.description, null);
        assert.equal(todo.completed, false);
        assert.equal(todo.created_by, "usr_1");
        assert.equal(todo.created_at, "2026-01-01T00:00:00.000Z");
        assert.equal(todo.updated_at, todo.created_at);
        assert.deepEqual(await store.get(key, todo.id), todo);
        const other = await store.create(key, {
          title: "b",
          description: "details",
          created_by: "usr_2",
        });
        assert.equal(other.description, "details");
        assert.equal(other.created_by, "usr_2");
      });
    },
  );

  await t.step(
    "list pages oldest first with a stable order, ties by id",
    async () => {
      // Pairs of todos share a creation time, so the id decides between them.
      let tick = 0;
      const now = () => new Date(Date.UTC(2026, 0, 1) + 1000 * (tick++ >> 1));
      await withStore(open, { now }, async (store) => {
        const key = tenant();
        const created: Todo[] = [];
        for (let i = 0; i < 7; i++) {
          created.push(
            await store.create(key, { title: `t${i}`, created_by: "u" }),
          );
        }
        const expected = [...created].sort(listOrder).map((todo) => todo.id);
        const { todos, pages } = await allPages(store, key, { limit: 3 });
        assert.equal(pages, 3);
        assert.deepEqual(todos.map((todo) => todo.id), expected);
        const again = await allPages(store, key, { limit: 3 });
        assert.deepEqual(again.todos.map((todo) => todo.id), expected);
        const whole = await store.list(key);
        assert.deepEqual(whole.todos.map((todo) => todo.id), expected);
        assert.equal(
          whole.nextCursor,
          undefined,
          "no cursor after the last page",
        );
        const exact = await store.list(key, { limit: 7 });
        assert.equal(exact.todos.length, 7);
        assert.equal(
          exact.nextCursor,
          undefined,
          "a full last page has no cursor",
        );
      });
    },
  );

  await t.step("list defaults to 100 and allows at most 1000", async () => {
    await withStore(open, {}, async (store) => {
      const key = tenant();
      await Promise.all(
        Array.from(
          { length: TODO_LIMITS.listDefaultLimit + 1 },
          (_, i) => store.create(key, { title: `t${i}`, created_by: "u" }),
        ),
      );
      const first = await store.list(key);
      assert.equal(first.todos.length, TODO_LIMITS.listDefaultLimit);
      assert.ok(first.nextCursor);
      const rest = await store.list(key, { cursor: first.nextCursor });
      assert.equal(rest.todos.length, 1);
      assert.equal(rest.nextCursor, undefined);
      assert.equal(
        (await store.list(key, { limit: TODO_LIMITS.listMaxLimit })).todos
          .length,
        TODO_LIMITS.listDefaultLimit + 1,
      );
      for (const limit of [0, -1, 1.5, TODO_LIMITS.listMaxLimit + 1, NaN]) {
        await rejectsWith(store.list(key, { limit }), "invalid_input", "limit");
      }
    });
  });

  await t.step(
    "the completed filter pages too, and a cursor keeps its filter",
    async () => {
      await withStore(open, { now: steppingClock() }, async (store) => {
        const key = tenant();
        const all: Todo[] = [];
        for (let i = 0; i < 9; i++) {
          const todo = await store.create(key, {
            title: `t${i}`,
            created_by: "u",
          });
          all.push(
            i % 3 === 0
              ? (await store.update(key, todo.id, { completed: true }))!
              : todo,
          );
        }
        const done = await allPages(store, key, { completed: true, limit: 2 });
        assert.deepEqual(
          done.todos.map((todo) => todo.title),
          ["t0", "t3", "t6"],
        );
        const open_ = await allPages(store, key, {
          completed: false,
          limit: 4,
        });
        assert.deepEqual(
          open_.todos.map((todo) => todo.title),
          ["t1", "t2", "t4", "t5", "t7", "t8"],
        );
        const page = await store.list(key, { completed: true, limit: 1 });
        assert.ok(page.nextCursor);
        await rejectsWith(
          store.list(key, { completed: false, cursor: page.nextCursor }),
          "invalid_cursor",
        );
        await rejectsWith(
          store.list(key, { cursor: page.nextCursor }),
          "invalid_cursor",
        );
        const forged = btoa(JSON.stringify({ v: 1, f: "all", t: "x", i: "y" }))
          .replace(/=+$/, "");
        for (const cursor of ["", "!!", "abc", forged, "A".repeat(600)]) {
          await rejectsWith(store.list(key, { cursor }), "invalid_cursor");
        }
      });
    },
  );

  await t.step("update changes only the given fields", async () => {
    await withStore(open, { now: steppingClock() }, async (store) => {
      const key = tenant();
      const todo = await store.create(key, {
        title: "a",
        description: "d",
        created_by: "u",
      });
      const done = await store.update(key, todo.id, { completed: true });
      assert.deepEqual(
        { ...done, updated_at: todo.updated_at },
        { ...todo, completed: true },
      );
      assert.ok(done!.updated_at > todo.updated_at, "updated_at moves");
      const renamed = await store.update(key, todo.id, { title: " b " });
      assert.equal(renamed?.title, "b");
      assert.equal(renamed?.completed, true);
      assert.equal(renamed?.description, "d");
      const cleared = await store.update(key, todo.id, { description: null });
      assert.equal(cleared?.description, null);
      assert.equal(cleared?.title, "b");
      const same = await store.update(key, todo.id, {});
      assert.deepEqual(same, cleared, "an empty patch changes nothing");
      assert.deepEqual(await store.get(key, todo.id), cleared);
      assert.equal(cleared?.created_at, todo.created_at);
      assert.equal(cleared?.created_by, "u");
    });
  });

  await t.step(
    "concurrent updates to different fields both survive",
    async () => {
      await withStore(open, {}, async (store) => {
        const key = tenant();
        const todos = await Promise.all(
          Array.from(
            { length: 20 },
            (_, i) => store.create(key, { title: `t${i}`, created_by: "u" }),
          ),
        );
        await Promise.all(todos.flatMap((todo, i) => [
          store.update(key, todo.id, { title: `renamed ${i}` }),
          store.update(key, todo.id, { completed: true }),
          store.update(key, todo.id, { description: `note ${i}` }),
        ]));
        for (const [i, todo] of todos.entries()) {
          const now = await store.get(key, todo.id);
          assert.equal(now?.title, `renamed ${i}`);
          assert.equal(now?.completed, true);
          assert.equal(now?.description, `note ${i}`);
        }
      });
    },
  );

  await t.step(
    "the per-tenant quota holds, also under concurrent creates",
    async () => {
      await withStore(open, { maxTodosPerTenant: 3 }, async (store) => {
        const key = tenant();
        const kept = [];
        for (let i = 0; i < 3; i++) {
          kept.push(
            await store.create(key, { title: `t${i}`, created_by: "u" }),
          );
        }
        const refusal = await rejectsWith(
          store.create(key, { title: "one too many", created_by: "u" }),
          "quota_exceeded",
        );
        assert.match(refusal.message, /at most 3 todos/);
        await store.create(tenant(), {
          title: "another tenant",
          created_by: "u",
        });
        assert.equal(await store.delete(key, kept[0].id), true);
        await store.create(key, { title: "room again", created_by: "u" });

        const racing = tenant();
        const results = await Promise.allSettled(
          Array.from(
            { length: 12 },
            (_, i) => store.create(racing, { title: `r${i}`, created_by: "u" }),
          ),
        );
        const created = results.filter((r) => r.status === "fulfilled");
        const refused = results.filter((r) =>
          r.status === "rejected" && r.reason instanceof TodoStoreError &&
          r.reason.code === "quota_exceeded"
        );
        assert.equal(created.length, 3);
        assert.equal(refused.length, 9);
        assert.equal((await store.list(racing)).todos.length, 3);
      });
    },
  );

  await t.step("input limits are the same everywhere", async (t) => {
    await withStore(open, {}, async (store) => {
      const key = tenant();
      const { titleMaxLength: T, descriptionMaxLength: D } = TODO_LIMITS;
      const refused: [string, Record<string, unknown>, string][] = [
        ["empty title", { title: "" }, "title"],
        ["blank title", { title: "   " }, "title"],
        ["title too long", { title: "x".repeat(T + 1) }, "title"],
        ["title with NUL", { title: "a\u0000b" }, "title"],
        ["title with a lone surrogate", { title: "a\ud800" }, "title"],
        ["title not text", { title: 42 }, "title"],
        ["description too long", {
          title: "t",
          description: "x".repeat(D + 1),
        }, "description"],
        ["description with NUL", {
          title: "t",
          description: "\u0000",
        }, "description"],
        ["empty creator", { title: "t", created_by: "" }, "created_by"],
      ];
      for (const [name, input, field] of refused) {
        await t.step(`refuses ${name}`, async () => {
          await rejectsWith(
            store.create(key, { created_by: "u", ...input } as never),
            "invalid_input",
            field,
          );
        });
      }
      await t.step("accepts the longest title and description", async () => {
        const todo = await store.create(key, {
          title: ` ${"t".repeat(T)} `,
          description: "d".repeat(D),
          created_by: "u",
        });
        assert.equal(todo.title.length, T);
        assert.equal(todo.description?.length, D);
        const astral = await store.create(key, {
          title: "\u{1F600} ok",
          created_by: "u",
        });
        assert.equal(
          (await store.get(key, astral.id))?.title,
          "\u{1F600} ok",
          "well-formed text comes back unchanged",
        );
      });
      await t.step("accepts a tenant key of the maximum length", async () => {
        const longest = `org:${"k".repeat(TODO_LIMITS.keyMaxLength - 4)}`;
        const todo = await store.create(longest, {
          title: "t",
          created_by: "u",
        });
        assert.deepEqual(await store.get(longest, todo.id), todo);
        assert.equal(await store.delete(longest, todo.id), true);
      });
      await t.step("refuses a bad tenant key", async () => {
        for (
          const bad of ["", "a\u0000", "x".repeat(TODO_LIMITS.keyMaxLength + 1)]
        ) {
          await rejectsWith(
            store.create(bad, { title: "t", created_by: "u" }),
            "invalid_input",
            "tenant",
          );
          await rejectsWith(store.list(bad), "invalid_input", "tenant");
        }
      });
      await t.step("a refused update changes nothing", async () => {
        const todo = await store.create(key, {
          title: "keep",
          created_by: "u",
        });
        await rejectsWith(
          store.update(key, todo.id, { title: "", completed: true }),
          "invalid_input",
          "title",
        );
        await rejectsWith(
          store.update(key, todo.id, { completed: "yes" as never }),
          "invalid_input",
          "completed",
        );
        assert.deepEqual(await store.get(key, todo.id), todo);
      });
      assert.equal(
        (await store.list(key, { limit: 1000 })).todos.length,
        3,
        "only the accepted todos exist",
      );
    });
  });

  await t.step("one tenant never reaches another's todos", async () => {
    await withStore(open, {}, async (store) => {
      const a = tenant();
      const b = tenant();
      const mine = await store.create(a, { title: "mine", created_by: "ua" });
      await store.update(a, mine.id, { completed: true });
      const theirs = await store.create(b, {
        title: "theirs",
        created_by: "ub",
      });
      const before = await store.get(a, mine.id);

      assert.equal(await store.get(b, mine.id), undefined, "get by id");
      assert.equal(
        await store.update(b, mine.id, { title: "hijacked" }),
        undefined,
        "update by id",
      );
      assert.equal(await store.delete(b, mine.id), false, "delete by id");
      assert.deepEqual(await store.deleteCompleted(b), [], "bulk delete");
      assert.deepEqual(
        (await store.list(b)).todos.map((todo) => todo.id),
        [theirs.id],
        "listing",
      );
      assert.deepEqual(
        (await store.list(b, { completed: true })).todos,
        [],
        "filtered listing",
      );
      assert.deepEqual(await store.get(a, mine.id), before, "untouched");

      for (const id of [mine.id.toUpperCase(), ` ${mine.id}`, "x", ""]) {
        assert.equal(await store.get(a, id), undefined, `id ${id}`);
        assert.equal(await store.update(a, id, { title: "x" }), undefined);
        assert.equal(await store.delete(a, id), false);
      }
    });
  });

  await t.step(
    "delete and deleteCompleted remove only what they name",
    async () => {
      await withStore(open, { now: steppingClock() }, async (store) => {
        const key = tenant();
        const todos: Todo[] = [];
        for (let i = 0; i < 5; i++) {
          todos.push(
            await store.create(key, { title: `t${i}`, created_by: "u" }),
          );
        }
        for (const i of [3, 0, 4]) {
          await store.update(key, todos[i].id, { completed: true });
        }
        assert.equal(await store.delete(key, todos[1].id), true);
        assert.equal(await store.delete(key, todos[1].id), false);
        assert.deepEqual(
          await store.deleteCompleted(key),
          [todos[0].id, todos[3].id, todos[4].id],
          "in list order",
        );
        assert.deepEqual(
          (await store.list(key)).todos.map((todo) => todo.id),
          [todos[2].id],
        );
        assert.deepEqual(await store.deleteCompleted(key), []);
      });
    },
  );

  await t.step(
    "ping answers, and a closed store refuses every call",
    async () => {
      const store = await open();
      await store.ping();
      const key = tenant();
      const todo = await store.create(key, { title: "t", created_by: "u" });
      await store.close();
      await store.close();
      for (
        const call of [
          () => store.ping(),
          () => store.get(key, todo.id),
          () => store.list(key),
          () => store.create(key, { title: "t", created_by: "u" }),
          () => store.update(key, todo.id, { title: "x" }),
          () => store.delete(key, todo.id),
          () => store.deleteCompleted(key),
        ]
      ) {
        await rejectsWith(call(), "unavailable");
      }
    },
  );
}
