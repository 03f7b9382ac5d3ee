import assert from "node:assert/strict";
import type { ServerEvent } from "@modelcontextprotocol/server";
import { MAX_PAYLOAD_BYTES, packEvents, readEnvelope } from "./postgres_bus.ts";

Deno.test("readEnvelope() keeps only well-formed server events", async (t) => {
  const good: [unknown, unknown][] = [
    [{ o: "a", e: { kind: "tools_list_changed" } }, {
      o: "a",
      e: [{ kind: "tools_list_changed" }],
    }],
    [{ o: "a", e: { kind: "resource_updated", uri: "todo://1", extra: 1 } }, {
      o: "a",
      e: [{ kind: "resource_updated", uri: "todo://1" }],
    }],
    [{ o: "a", e: { kind: "resources_list_changed", params: { x: 1 } } }, {
      o: "a",
      e: [{ kind: "resources_list_changed", params: { x: 1 } }],
    }],
    [{
      o: "a",
      e: [{ kind: "resource_updated", uri: "todo://1" }, {
        kind: "tools_list_changed",
      }],
    }, {
      o: "a",
      e: [{ kind: "resource_updated", uri: "todo://1" }, {
        kind: "tools_list_changed",
      }],
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
    JSON.stringify({ o: "a", e: [] }),
    // One bad event spoils the payload: nothing of it is delivered.
    JSON.stringify({
      o: "a",
      e: [{ kind: "tools_list_changed" }, { kind: "drop_tables" }],
    }),
  ];
  for (const payload of bad) {
    await t.step(`refuses ${payload}`, () => {
      assert.equal(readEnvelope(payload), undefined);
    });
  }
});

Deno.test("packEvents() fills payloads up to the limit, in order, and sets aside an event too large for any", () => {
  const events: ServerEvent[] = Array.from({ length: 500 }, (_, i) => ({
    kind: "resource_updated",
    uri: `todo://todos/${crypto.randomUUID()}-${i}`,
  }));
  const huge: ServerEvent = {
    kind: "resource_updated",
    uri: `todo://${"x".repeat(MAX_PAYLOAD_BYTES)}`,
  };
  const { payloads, tooLarge } = packEvents("origin-1", [
    ...events.slice(0, 250),
    huge,
    ...events.slice(250),
  ]);
  assert.deepEqual(tooLarge, [huge]);
  assert.ok(payloads.length > 1, "more than one NOTIFY's worth");
  const encoder = new TextEncoder();
  for (const payload of payloads) {
    assert.ok(encoder.encode(payload).length <= MAX_PAYLOAD_BYTES);
  }
  // Full payloads: each but the last would overflow with one more event.
  const perPayload = payloads.map((p) => readEnvelope(p)!.e.length);
  const oneEvent = encoder.encode(JSON.stringify(events[0])).length + 1;
  for (const payload of payloads.slice(0, -1)) {
    assert.ok(
      encoder.encode(payload).length + oneEvent > MAX_PAYLOAD_BYTES - 10,
    );
  }
  assert.equal(perPayload.reduce((a, b) => a + b, 0), events.length);
  const delivered = payloads.flatMap((p) => {
    const envelope = readEnvelope(p)!;
    assert.equal(envelope.o, "origin-1");
    return envelope.e;
  });
  assert.deepEqual(delivered, events);
  assert.deepEqual(packEvents("o", []), { payloads: [], tooLarge: [] });
});
