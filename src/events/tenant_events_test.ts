import assert from "node:assert/strict";
import {
  InMemoryServerEventBus,
  type ServerEvent,
} from "@modelcontextprotocol/server";
import {
  eventFor,
  SILENT_BUS,
  TENANT_META_KEY,
  tenantEvent,
  tenantNotifier,
  tenantView,
} from "./tenant_events.ts";

const UPDATED: ServerEvent = { kind: "resource_updated", uri: "todo://todos" };

Deno.test("eventFor() gives a tenant its own events, unmarked, and nothing else", async (t) => {
  await t.step("its own, with other params and _meta kept", () => {
    const marked = tenantEvent("org:a", {
      ...UPDATED,
      params: { note: 1, _meta: { other: true } },
    });
    assert.equal(marked.params?._meta?.[TENANT_META_KEY], "org:a");
    assert.deepEqual(eventFor("org:a", marked), {
      ...UPDATED,
      params: { note: 1, _meta: { other: true } },
    });
  });
  await t.step("its own, bare", () => {
    assert.deepEqual(eventFor("org:a", tenantEvent("org:a", UPDATED)), UPDATED);
  });
  const refused: [string, ServerEvent][] = [
    ["another tenant's", tenantEvent("org:b", UPDATED)],
    ["a prefix of its key", tenantEvent("org:", UPDATED)],
    ["an unmarked one", UPDATED],
    ["one with other _meta only", { ...UPDATED, params: { _meta: {} } }],
    ["a mark that is not a string", {
      ...UPDATED,
      params: { _meta: { [TENANT_META_KEY]: ["org:a"] } },
    }],
  ];
  for (const [what, event] of refused) {
    await t.step(`not ${what}`, () => {
      assert.equal(eventFor("org:a", event), undefined);
    });
  }
  assert.throws(() => tenantEvent("", UPDATED), TypeError);
});

Deno.test("tenantView() delivers only the tenant's events, and refuses to publish", () => {
  const bus = new InMemoryServerEventBus();
  const seen: ServerEvent[] = [];
  const unsubscribe = tenantView(bus, "org:a").subscribe((e) => seen.push(e));
  const notify = tenantNotifier(bus);
  notify.resourceUpdated("org:b", "todo://todos");
  bus.publish(UPDATED);
  notify.resourceUpdated("org:a", "todo://todos/1");
  unsubscribe();
  notify.resourceUpdated("org:a", "todo://todos/2");
  assert.deepEqual(seen, [{ kind: "resource_updated", uri: "todo://todos/1" }]);
  assert.throws(() => tenantView(bus, "org:a").publish(UPDATED), TypeError);
  assert.throws(() => tenantView(bus, ""), TypeError);
});

Deno.test("the silent bus never delivers", () => {
  const seen: ServerEvent[] = [];
  const unsubscribe = SILENT_BUS.subscribe((e) => seen.push(e));
  SILENT_BUS.publish(UPDATED);
  unsubscribe();
  assert.deepEqual(seen, []);
});
