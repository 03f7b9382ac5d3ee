import assert from "node:assert/strict";
import { readEnvelope } from "./postgres_bus.ts";

Deno.test("readEnvelope() keeps only well-formed server events", async (t) => {
  const good: [unknown, unknown][] = [
    [{ o: "a", e: { kind: "tools_list_changed" } }, {
      o: "a",
      e: { kind: "tools_list_changed" },
    }],
    [{ o: "a", e: { kind: "resource_updated", uri: "todo://1", extra: 1 } }, {
      o: "a",
      e: { kind: "resource_updated", uri: "todo://1" },
    }],
    [{ o: "a", e: { kind: "resources_list_changed", params: { x: 1 } } }, {
      o: "a",
      e: { kind: "resources_list_changed", params: { x: 1 } },
    }],
  ];
  for (const [payload, expected] of good) {
    await t.step(JSON.stringify(payload), () => {
      assert.deepEqual(readEnvelope(JSON.stringify(payload)), expected);
    });
  }
  const bad = [
    "not json",
    "null",
    JSON.stringify({ e: { kind: "tools_list_changed" } }),
    JSON.stringify({ o: "a", e: { kind: "drop_tables" } }),
    JSON.stringify({ o: "a", e: { kind: "resource_updated" } }),
    JSON.stringify({ o: "a", e: { kind: "tools_list_changed", params: [1] } }),
  ];
  for (const payload of bad) {
    await t.step(`refuses ${payload}`, () => {
      assert.equal(readEnvelope(payload), undefined);
    });
  }
});
