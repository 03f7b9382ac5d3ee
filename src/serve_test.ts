import assert from "node:assert/strict";
import { stopWithin } from "./serve.ts";

Deno.test("stopWithin() gives the shutdown only what the drain left of one budget", async () => {
  let clock = 1_000_000;
  const grace = 10_000;
  let drainBudget: number | undefined;
  let shutdownDeadline: number | undefined;
  const result = await stopWithin(grace, {
    drain(ms) {
      drainBudget = ms;
      clock += ms; // the drain used all of it: requests never finished
      return Promise.resolve(false);
    },
    shutdown(deadline) {
      shutdownDeadline = deadline;
      return Promise.resolve(clock < deadline);
    },
  }, () => clock);
  assert.equal(drainBudget, grace);
  assert.equal(shutdownDeadline, 1_000_000 + grace, "the same deadline");
  assert.deepEqual(result, { drained: false, closed: false, released: true });
});

Deno.test("stopWithin() leaves the shutdown the rest when the drain ends early", async () => {
  let clock = 0;
  let shutdownDeadline: number | undefined;
  const result = await stopWithin(10_000, {
    drain() {
      clock += 2_500;
      return Promise.resolve(true);
    },
    shutdown(deadline) {
      shutdownDeadline = deadline;
      return Promise.resolve(true);
    },
  }, () => clock);
  assert.equal(shutdownDeadline! - clock, 7_500);
  assert.deepEqual(result, { drained: true, closed: true, released: true });
});

Deno.test("stopWithin() releases the store last, by the same deadline", async () => {
  let clock = 0;
  const order: string[] = [];
  let releaseDeadline: number | undefined;
  const result = await stopWithin(10_000, {
    drain() {
      order.push("drain");
      clock += 4_000;
      return Promise.resolve(true);
    },
    shutdown() {
      order.push("shutdown");
      clock += 1_000;
      return Promise.resolve(true);
    },
    release(deadline) {
      order.push("release");
      releaseDeadline = deadline;
      return Promise.resolve(false);
    },
  }, () => clock);
  assert.deepEqual(order, ["drain", "shutdown", "release"]);
  assert.equal(releaseDeadline, 10_000, "what is left of the one budget");
  assert.deepEqual(result, { drained: true, closed: true, released: false });
});
