import assert from "node:assert/strict";
import { bestRun, formatReport, medianRun, ratiosOf } from "./report.ts";
import type { WrkResult } from "./wrk.ts";

function run(rps: number, p50: number, p99: number): WrkResult {
  return {
    requests: rps * 10,
    durationUs: 10e6,
    rps,
    bytes: 0,
    errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
    latencyUs: { mean: p50, stdev: 0, max: p99, p50, p90: p99, p99, p999: p99 },
  };
}

Deno.test("medianRun() and bestRun() take the median and the fastest round", () => {
  const runs = [run(3, 1, 1), run(1, 1, 1), run(2, 1, 1)];
  assert.equal(medianRun(runs).rps, 2);
  assert.equal(bestRun(runs).rps, 3);
  assert.throws(() => medianRun([]), RangeError);
  assert.throws(() => bestRun([]), RangeError);
});

Deno.test("ratiosOf() takes the median of the ratios within each round", () => {
  const [ratio] = ratiosOf([
    {
      id: "call_repeated",
      label: "",
      server: "ours",
      runs: [run(600, 1, 1), run(300, 1, 1), run(900, 1, 1)],
    },
    {
      id: "express_call",
      label: "",
      server: "express",
      runs: [run(100, 1, 1), run(200, 1, 1), run(100, 1, 1)],
    },
  ]);
  // Rounds: 6, 1.5 and 9; a ratio of the best rounds would say 4.5.
  assert.equal(ratio.throughput, 6);
  const [even] = ratiosOf([
    {
      id: "call_repeated",
      label: "",
      server: "",
      runs: [run(2, 1, 1), run(4, 1, 1)],
    },
    {
      id: "express_call",
      label: "",
      server: "",
      runs: [run(1, 1, 1), run(1, 1, 1)],
    },
  ]);
  assert.equal(even.throughput, 3);
});

Deno.test("ratiosOf() compares the scenarios issue 12 names, and judges its targets", () => {
  const ratios = ratiosOf([
    {
      id: "call_repeated",
      label: "",
      server: "ours",
      runs: [run(6000, 1000, 4000)],
    },
    {
      id: "express_call",
      label: "",
      server: "express",
      runs: [run(1000, 5000, 20000)],
    },
    {
      id: "call_none",
      label: "",
      server: "ours_none",
      runs: [run(7000, 900, 3000)],
    },
  ]);
  const byId = Object.fromEntries(ratios.map((r) => [r.id, r]));
  assert.deepEqual(Object.keys(byId).sort(), ["vs_express", "vs_none"]);
  assert.equal(byId.vs_express.throughput, 6);
  assert.equal(byId.vs_express.p50, 0.2);
  assert.equal(byId.vs_express.p99, 0.2);
  assert.equal(byId.vs_express.met, true);
  assert.equal(byId.vs_none.met, false);
  const text = formatReport([], ratios, { call_workers: "not yet" });
  assert.match(text, /6\.00/);
  assert.match(text, />= 0\.9 NOT met/);
  assert.match(text, /call_workers\s+\(not run: not yet\)/);
});
