import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { MAX_WORKERS, workers } from "./parsers.ts";
import { assertMessageStyle, onlyProblem, SCALEKIT_ENV } from "./_testing.ts";

Deno.test("MCP_WORKERS: 1 by default, a whole number up to the bound, or auto", () => {
  const load = (extra: Record<string, string>) =>
    loadConfig({ ...SCALEKIT_ENV, ...extra }).config;
  assert.equal(load({}).workers, 1);
  assert.equal(load({ MCP_WORKERS: "2" }).workers, 2);
  assert.equal(load({ MCP_WORKERS: String(MAX_WORKERS) }).workers, MAX_WORKERS);
  assert.equal(
    load({ MCP_WORKERS: "AUTO" }).workers,
    Math.min(MAX_WORKERS, navigator.hardwareConcurrency),
  );
});

Deno.test("MCP_WORKERS=auto is the core count, within 1 and the bound", () => {
  assert.equal(workers(() => 6).parse("auto"), 6);
  assert.equal(workers(() => 512).parse("auto"), MAX_WORKERS);
  assert.equal(workers(() => 0).parse("auto"), 1);
});

Deno.test("MCP_WORKERS refuses 0, a number past the bound and anything else", () => {
  for (const value of ["0", String(MAX_WORKERS + 1), "-1", "1.5", "two"]) {
    const problem = onlyProblem({ ...SCALEKIT_ENV, MCP_WORKERS: value });
    assert.equal(problem.variable, "MCP_WORKERS");
    assert.match(problem.message, /"auto" or a whole number from 1 to 64/);
    assertMessageStyle(problem.message);
  }
});

Deno.test("the in-memory store with several workers is refused, naming both variables", () => {
  const problem = onlyProblem({
    ...SCALEKIT_ENV,
    MCP_WORKERS: "2",
    DATABASE_URL: "memory:",
  });
  assert.equal(problem.variable, "MCP_WORKERS");
  assert.match(problem.message, /MCP_WORKERS is 2/);
  assert.match(problem.message, /DATABASE_URL is "memory:"/);
  assertMessageStyle(problem.message);
  // One worker, or several on a shared store, are fine.
  loadConfig({ ...SCALEKIT_ENV, MCP_WORKERS: "1", DATABASE_URL: "memory:" });
  loadConfig({ ...SCALEKIT_ENV, MCP_WORKERS: "2", DATABASE_URL: "sqlite:x" });
});

Deno.test("MCP_METRICS_PORT: unset is off; a port; never the server's own", () => {
  const load = (extra: Record<string, string>) =>
    loadConfig({ ...SCALEKIT_ENV, ...extra }).config;
  assert.equal(load({}).metricsPort, undefined);
  assert.equal(load({ MCP_METRICS_PORT: "9464" }).metricsPort, 9464);
  assert.equal(load({ PORT: "0", MCP_METRICS_PORT: "0" }).metricsPort, 0);
  const problem = onlyProblem({
    ...SCALEKIT_ENV,
    PORT: "9000",
    MCP_METRICS_PORT: "9000",
  });
  assert.equal(problem.variable, "MCP_METRICS_PORT");
  assert.match(problem.message, /must differ from PORT/);
  assertMessageStyle(problem.message);
  assert.equal(
    onlyProblem({ ...SCALEKIT_ENV, MCP_METRICS_PORT: "70000" }).variable,
    "MCP_METRICS_PORT",
  );
});
