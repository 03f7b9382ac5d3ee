import assert from "node:assert/strict";
import { delay, within } from "./timers.ts";

Deno.test("within() tells a promise that settled in time from one that did not", async () => {
  assert.equal(await within(1_000, Promise.resolve()), true);
  assert.equal(await within(10, new Promise(() => {})), false);
});

Deno.test("within() rethrows a rejection and leaves no timer behind", async () => {
  // Deno's op sanitizer fails this test if a timer outlives it.
  await assert.rejects(within(60_000, Promise.reject(new Error("boom"))), {
    message: "boom",
  });
  assert.equal(await within(60_000, Promise.resolve(1)), true);
});

Deno.test("delay() ends at once when its signal aborts, before or during", async () => {
  const before = new AbortController();
  before.abort();
  await delay(60_000, before.signal);
  const during = new AbortController();
  const waiting = delay(60_000, during.signal);
  during.abort();
  await waiting;
});
