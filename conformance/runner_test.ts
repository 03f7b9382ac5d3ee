import assert from "node:assert/strict";
import { withServer } from "../fixtures/net.ts";
import type { MockIssuer } from "./issuer/types.ts";
import { parseCommandLine } from "./options.ts";
import { createProbe } from "./probe.ts";
import { summarize } from "./runner.ts";
import {
  type Checker,
  type Level,
  runScenario,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type Status,
} from "./scenario.ts";

function result(id: string, status: Status): ScenarioResult {
  return {
    id,
    title: `${id} title`,
    spec: "RFC 6750 §3.1",
    level: "MUST",
    status,
    findings: [],
    notes: [],
    exchanges: [],
    durationMs: 1,
  };
}

const MIXED: readonly ScenarioResult[] = [
  result("a.pass1", "pass"),
  result("a.pass2", "pass"),
  result("a.fail", "fail"),
  result("b.warn1", "warn"),
  result("b.warn2", "warn"),
  result("b.warn3", "warn"),
  result("c.skip", "skip"),
];

Deno.test("summarize() counts warnings as passed without strict", () => {
  assert.deepEqual(summarize(MIXED, false), {
    passed: 5,
    failed: 1,
    warnings: 3,
    skipped: 1,
    strict: false,
  });
});

Deno.test("summarize() counts warnings as failed with strict", () => {
  assert.deepEqual(summarize(MIXED, true), {
    passed: 2,
    failed: 4,
    warnings: 3,
    skipped: 1,
    strict: true,
  });
});

Deno.test("summarize() totals an empty run as nothing", () => {
  assert.deepEqual(summarize([], true), {
    passed: 0,
    failed: 0,
    warnings: 0,
    skipped: 0,
    strict: true,
  });
});

/** Answers every request with a 401 challenge. */
function refuse(): Response {
  return new Response("refused", {
    status: 401,
    headers: { "www-authenticate": "Bearer" },
  });
}

/** A context for scenarios that only use the probe. */
function contextFor(origin: string): ScenarioContext {
  const parsed = parseCommandLine(["--url", `${origin}/mcp`]);
  assert.equal(parsed.kind, "run");
  return {
    options: parsed.options,
    // The scenarios here never reach the issuer.
    issuer: {} as MockIssuer,
    probe: createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 }),
  };
}

function scenario(
  level: Level,
  run: (context: ScenarioContext, check: Checker) => Promise<void>,
): Scenario {
  return {
    id: "test.scenario",
    title: "a scenario under test",
    spec: "RFC 0000 §0",
    level,
    run,
  };
}

Deno.test("runScenario() decides the status from what the scenario reported", async (t) => {
  const rows: ReadonlyArray<
    readonly [string, Level, (check: Checker) => void, Status]
  > = [
    ["nothing reported at MUST: pass", "MUST", () => {}, "pass"],
    ["nothing reported at SHOULD: pass", "SHOULD", () => {}, "pass"],
    ["fail at MUST: fail", "MUST", (c) => c.fail("m", "e", "a"), "fail"],
    ["fail at SHOULD: warn", "SHOULD", (c) => c.fail("m", "e", "a"), "warn"],
    ["warn at MUST: warn", "MUST", (c) => c.warn("m", "e", "a"), "warn"],
    ["note only: pass", "MUST", (c) => c.note("fine"), "pass"],
    ["warn then fail at MUST: fail", "MUST", (c) => {
      c.warn("w", "e", "a");
      c.fail("f", "e", "a");
    }, "fail"],
  ];
  await withServer(refuse, async (origin) => {
    const context = contextFor(origin);
    for (const [name, level, report, status] of rows) {
      await t.step(name, async () => {
        const outcome = await runScenario(
          scenario(level, (_, check) => Promise.resolve(report(check))),
          context,
        );
        assert.equal(outcome.status, status);
      });
    }
  });
});

Deno.test("runScenario() gives each finding its level: fail at the scenario's, warn at SHOULD", async () => {
  await withServer(refuse, async (origin) => {
    const outcome = await runScenario(
      scenario("MUST", (_, check) => {
        check.fail("broken", "HTTP 401", "HTTP 200");
        check.warn("odd", "error=invalid_token", "no error");
        return Promise.resolve();
      }),
      contextFor(origin),
    );
    assert.deepEqual(outcome.findings, [
      {
        level: "MUST",
        message: "broken",
        expected: "HTTP 401",
        actual: "HTTP 200",
      },
      {
        level: "SHOULD",
        message: "odd",
        expected: "error=invalid_token",
        actual: "no error",
      },
    ]);
    assert.equal(outcome.id, "test.scenario");
    assert.equal(outcome.title, "a scenario under test");
    assert.equal(outcome.spec, "RFC 0000 §0");
    assert.equal(outcome.level, "MUST");
  });
});

Deno.test("runScenario() ends a skipped scenario as skip with the reason as a note", async () => {
  await withServer(refuse, async (origin) => {
    let after = false;
    const outcome = await runScenario(
      scenario("MUST", (_, check) => {
        check.note("first");
        check.skip("no tool configured");
        after = true;
        return Promise.resolve();
      }),
      contextFor(origin),
    );
    assert.equal(outcome.status, "skip");
    assert.deepEqual(outcome.notes, ["first", "no tool configured"]);
    assert.deepEqual(outcome.findings, []);
    assert.equal(after, false);
  });
});

Deno.test("runScenario() turns a thrown error into a failure at the scenario's level", async (t) => {
  const rows: ReadonlyArray<readonly [string, Level, Status]> = [
    ["at MUST", "MUST", "fail"],
    ["at SHOULD", "SHOULD", "warn"],
  ];
  await withServer(refuse, async (origin) => {
    for (const [name, level, status] of rows) {
      await t.step(name, async () => {
        const outcome = await runScenario(
          scenario(level, () => Promise.reject(new Error("socket hang up"))),
          contextFor(origin),
        );
        assert.equal(outcome.status, status);
        assert.deepEqual(outcome.findings, [{
          level,
          message: "The scenario could not complete",
          expected: "the exchange to complete",
          actual: "socket hang up",
        }]);
      });
    }
    await t.step("a thrown non-Error", async () => {
      const outcome = await runScenario(
        scenario("MUST", () => Promise.reject("plain string")),
        contextFor(origin),
      );
      assert.equal(outcome.status, "fail");
      assert.equal(outcome.findings[0].actual, "plain string");
    });
  });
});

Deno.test("runScenario() attaches the exchanges the probe recorded during the scenario", async () => {
  await withServer(refuse, async (origin) => {
    const context = contextFor(origin);
    await context.probe.send({ body: "before any scenario" });
    const outcome = await runScenario(
      scenario("MUST", async ({ probe }, check) => {
        const first = await probe.send({ body: "one" });
        await probe.send({
          method: "GET",
          token: { value: "raw-token", label: "test token" },
        });
        check.fail("refused", "HTTP 200", `HTTP ${first.status}`);
      }),
      context,
    );
    assert.equal(outcome.status, "fail");
    assert.deepEqual(outcome.exchanges.map((e) => e.request), [
      { method: "POST", url: `${origin}/mcp`, body: "one" },
      {
        method: "GET",
        url: `${origin}/mcp`,
        authorization: "Bearer <test token>",
      },
    ]);
    assert.equal(outcome.exchanges[0].response?.status, 401);
    assert.equal(outcome.exchanges[0].response?.wwwAuthenticate, "Bearer");
    assert.equal(outcome.exchanges[0].response?.body, "refused");

    // The next scenario starts with a clean record.
    const next = await runScenario(
      scenario("MUST", () => Promise.resolve()),
      context,
    );
    assert.deepEqual(next.exchanges, []);
  });
});

Deno.test("runScenario() keeps the exchange a failed request recorded", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const context = contextFor(`http://127.0.0.1:${port}`);
  const outcome = await runScenario(
    scenario("MUST", async ({ probe }) => {
      await probe.send({ body: {} });
    }),
    context,
  );
  assert.equal(outcome.status, "fail");
  assert.equal(outcome.exchanges.length, 1);
  assert.ok(outcome.exchanges[0].error, "the refused connection is recorded");
  assert.equal(outcome.findings[0].message, "The scenario could not complete");
});
