import assert from "node:assert/strict";
import type { ServerEvent } from "@modelcontextprotocol/server";
import { BroadcastEventBus } from "./broadcast_bus.ts";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await delay(10);
  assert.ok(check(), `timed out waiting for ${what}`);
}

const updated: ServerEvent = { kind: "resource_updated", uri: "todo://todos" };

Deno.test("BroadcastEventBus: an event published on one bus reaches the other's listeners, and its own once", async () => {
  const channel = `test-${crypto.randomUUID()}`;
  const a = new BroadcastEventBus({ channel });
  const b = new BroadcastEventBus({ channel });
  const other = new BroadcastEventBus({ channel: `${channel}-other` });
  const seen = { a: [] as ServerEvent[], b: [] as ServerEvent[], other: 0 };
  a.subscribe((event) => seen.a.push(event));
  b.subscribe((event) => seen.b.push(event));
  other.subscribe(() => seen.other++);
  try {
    a.publish(updated);
    a.publish({ kind: "resources_list_changed" });
    await until(() => seen.b.length === 2, "b to hear both events");
    assert.deepEqual(seen.b, [updated, { kind: "resources_list_changed" }]);
    await delay(50);
    assert.deepEqual(seen.a, [updated, { kind: "resources_list_changed" }]);
    assert.equal(seen.other, 0, "another channel hears nothing");
  } finally {
    await a.close();
    await b.close();
    await other.close();
  }
});

Deno.test("BroadcastEventBus: a stray message is dropped and reported; a closed bus neither sends nor hears", async () => {
  const channel = `test-${crypto.randomUUID()}`;
  const errors: Error[] = [];
  const bus = new BroadcastEventBus({
    channel,
    onError: (error) => errors.push(error),
  });
  const peer = new BroadcastEventBus({ channel });
  const stray = new BroadcastChannel(channel);
  const heard: ServerEvent[] = [];
  bus.subscribe((event) => heard.push(event));
  const peerHeard: ServerEvent[] = [];
  peer.subscribe((event) => peerHeard.push(event));
  try {
    stray.postMessage('{"o":"x","e":[{"kind":"rm -rf"}]}');
    stray.postMessage({ not: "a string" });
    await until(() => errors.length === 2, "both stray messages reported");
    assert.deepEqual(heard, []);
    await bus.close();
    peer.publish(updated);
    bus.publish({ kind: "resource_updated", uri: "todo://todos/closed" });
    await delay(100);
    assert.deepEqual(heard, []);
    // The closed bus sent nothing: its peer heard only its own event.
    assert.deepEqual(peerHeard, [updated]);
  } finally {
    stray.close();
    await bus.close();
    await peer.close();
  }
});
