import assert from "node:assert/strict";
import { z } from "zod";
import { precomputedSchema } from "./schema.ts";

const schema = z.object({
  title: z.string().trim().min(1).describe("Title"),
  done: z.boolean().optional(),
});

Deno.test("precomputedSchema() validates with zod, transforms included", async () => {
  const std = precomputedSchema(schema)["~standard"];
  const ok = await std.validate({ title: "  padded  " });
  assert.deepEqual("value" in ok ? ok.value : undefined, { title: "padded" });
  const bad = await std.validate({ title: "   " });
  assert.ok("issues" in bad && bad.issues !== undefined);
});

Deno.test("precomputedSchema() hands out one JSON Schema, computed once and frozen", () => {
  const json = precomputedSchema(schema)["~standard"].jsonSchema;
  const first = json.input({ target: "draft-2020-12" });
  assert.equal(json.input({ target: "draft-2020-12" }), first);
  assert.equal(Object.isFrozen(first), true);
  assert.equal(Object.isFrozen(first.properties), true);
  assert.equal("$schema" in first, false);
  assert.deepEqual(first.required, ["title"]);
  assert.equal(json.output({ target: "draft-2020-12" }).type, "object");
});
