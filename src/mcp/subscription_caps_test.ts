import assert from "node:assert/strict";
import {
  createSubscriptionCaps,
  isRefusal,
  type SubscriptionCapRefusal,
  type SubscriptionSlot,
} from "./subscription_caps.ts";

function slot(outcome: SubscriptionSlot | SubscriptionCapRefusal) {
  if (isRefusal(outcome)) assert.fail(`refused: ${outcome.message}`);
  return outcome;
}

function refusal(outcome: SubscriptionSlot | SubscriptionCapRefusal) {
  if (!isRefusal(outcome)) assert.fail("a slot was given");
  return outcome;
}

Deno.test("a caller over its cap is refused, naming the caller limit, while its tenant's other callers are not", () => {
  const caps = createSubscriptionCaps({
    maxTotal: 10,
    maxPerTenant: 5,
    maxPerCaller: 2,
  });
  slot(caps.admit("alice", "org:a"));
  const second = slot(caps.admit("alice", "org:a"));
  const refused = refusal(caps.admit("alice", "org:a"));
  assert.equal(refused.kind, "caller");
  assert.equal(refused.limit, 2);
  assert.match(refused.message, /a caller may hold at most 2/);
  slot(caps.admit("bob", "org:a"));
  assert.equal(caps.openBy("alice"), 2);
  assert.equal(caps.openIn("org:a"), 3);
  // One stream ends: its caller may open one again.
  second.release();
  assert.equal(caps.openBy("alice"), 1);
  slot(caps.admit("alice", "org:a"));
});

Deno.test("one tenant's callers together stop at the tenant cap; another tenant still gets its streams", () => {
  const caps = createSubscriptionCaps({
    maxTotal: 10,
    maxPerTenant: 3,
    maxPerCaller: 2,
  });
  slot(caps.admit("a1", "org:a"));
  slot(caps.admit("a1", "org:a"));
  const third = slot(caps.admit("a2", "org:a"));
  const refused = refusal(caps.admit("a3", "org:a"));
  assert.equal(refused.kind, "tenant");
  assert.equal(refused.limit, 3);
  assert.match(refused.message, /an organisation may hold at most 3/);
  slot(caps.admit("b1", "org:b"));
  third.release();
  slot(caps.admit("a3", "org:a"));
});

Deno.test("the server cap holds across tenants, and every slot comes back", () => {
  const caps = createSubscriptionCaps({
    maxTotal: 3,
    maxPerTenant: 3,
    maxPerCaller: 3,
  });
  const held = ["org:a", "org:b", "org:c"].map((tenant) =>
    slot(caps.admit(`caller-${tenant}`, tenant))
  );
  const refused = refusal(caps.admit("caller-d", "org:d"));
  assert.equal(refused.kind, "server");
  assert.match(refused.message, /the server has 3 .* open/);
  assert.equal(caps.open, 3);
  for (const s of held) {
    s.release();
    s.release(); // twice (a stream's flush and cancel both fire): counted once
  }
  assert.equal(caps.open, 0);
  assert.equal(caps.openBy("caller-org:a"), 0);
  assert.equal(caps.openIn("org:a"), 0);
  slot(caps.admit("caller-d", "org:d"));
});
