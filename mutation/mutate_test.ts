import assert from "node:assert/strict";
import { applyMutation, score, StaleMutationError } from "./mutate.ts";
import { type Mutation, MUTATIONS } from "./mutations.ts";

const ROOT = new URL("..", import.meta.url);

function mutation(from: string, to = "X"): Mutation {
  return { name: "test", file: "f.ts", from, to, tests: [] };
}

Deno.test("applyMutation() replaces the text that occurs exactly once", () => {
  assert.equal(applyMutation("a < b", mutation("<", "<=")), "a <= b");
  // `$&` and friends are not replacement patterns here.
  assert.equal(applyMutation("x = 1", mutation("1", "$&$&")), "x = $&$&");
});

Deno.test("applyMutation() refuses text that is missing, repeated or unchanged", () => {
  for (
    const [source, m] of [
      ["a < b", mutation(">")],
      ["a < b < c", mutation("<")],
      ["a < b", mutation("<", "<")],
    ] as const
  ) {
    assert.throws(() => applyMutation(source, m), StaleMutationError);
  }
});

Deno.test("score() counts kills and timeouts among the non-equivalent", () => {
  assert.equal(score(["killed", "timeout", "survived", "equivalent"]), 66.7);
  assert.equal(score(["killed", "killed"]), 100);
  assert.equal(score(["equivalent"]), 100);
});

Deno.test("every mutation still matches its source once, under a unique name, with tests that exist", async (t) => {
  assert.ok(MUTATIONS.length >= 60, `${MUTATIONS.length} mutations`);
  const names = new Set<string>();
  for (const m of MUTATIONS) {
    await t.step(m.name, async () => {
      assert.ok(!names.has(m.name), "duplicate name");
      names.add(m.name);
      const source = await Deno.readTextFile(new URL(m.file, ROOT));
      applyMutation(source, m);
      assert.ok(m.tests.length > 0, "no covering tests");
      for (const test of m.tests) await Deno.stat(new URL(test, ROOT));
    });
  }
});
