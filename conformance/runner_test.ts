import assert from "node:assert/strict";
import { withServer } from "../fixtures/net.ts";
import { discover } from "./discovery_facts.ts";
import type { MockIssuer } from "./issuer/types.ts";
import { parseCommandLine } from "./options.ts";
import { createProbe } from "./probe.ts";
import { exitStatus, groupFindings, summarize } from "./runner.ts";
import {
  type Checker,
  type Finding,
  runScenario,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type Status,
} from "./scenario.ts";
import type { RuleId, SpecRevision } from "./spec.ts";

function result(
  id: string,
  status: Status,
  findings: readonly Finding[] = [],
): ScenarioResult {
  return {
    id,
    title: `${id} title`,
    rule: "token_expiry",
    spec: "RFC 9068 §4",
    level: "MUST",
    status,
    findings,
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

Deno.test("summarize() counts each status apart: a warning is not a pass", async (t) => {
  for (const strict of [false, true]) {
    await t.step(strict ? "strict" : "not strict", () => {
      assert.deepEqual(summarize(MIXED, strict, "2025-11-25"), {
        passed: 2,
        failed: 1,
        warnings: 3,
        skipped: 1,
        strict,
        spec: "2025-11-25",
      });
    });
  }
});

Deno.test("summarize() totals an empty run as nothing", () => {
  assert.deepEqual(summarize([], true, "2026-07-28"), {
    passed: 0,
    failed: 0,
    warnings: 0,
    skipped: 0,
    strict: true,
    spec: "2026-07-28",
  });
});

Deno.test("exitStatus() follows the verdict: a failure, or a warning under --strict, is 1", async (t) => {
  const rows: ReadonlyArray<
    readonly [string, readonly Status[], boolean, 0 | 1]
  > = [
    ["all passed", ["pass", "pass"], true, 0],
    ["nothing ran", [], true, 0],
    ["a skip", ["pass", "skip"], true, 0],
    ["one failure", ["pass", "fail"], false, 1],
    ["one failure, strict", ["fail"], true, 1],
    ["a warning", ["pass", "warn"], false, 0],
    ["a warning, strict", ["pass", "warn"], true, 1],
  ];
  for (const [name, statuses, strict, code] of rows) {
    await t.step(name, () => {
      const results = statuses.map((status, i) => result(`x.s${i}`, status));
      assert.equal(exitStatus(summarize(results, strict, "2026-07-28")), code);
    });
  }
});

function finding(
  rule: RuleId,
  message: string,
  actual: string,
  level: "MUST" | "SHOULD" = "MUST",
): Finding {
  return { rule, level, cite: "cite", message, expected: "e", actual };
}

Deno.test("groupFindings() makes one group per rule and message, with every case in run order", () => {
  const missing = "The 401 challenge has no resource_metadata";
  const groups = groupFindings([
    result("rejection.expired", "fail", [
      finding("challenge_resource_metadata", missing, "A"),
      finding("token_expiry", "accepted", "B"),
    ]),
    result("rejection.garbage", "fail", [
      finding("challenge_resource_metadata", missing, "C"),
    ]),
    // The same message under another rule is another cause.
    result("scopes.tool_refused", "warn", [
      finding("insufficient_scope_resource_metadata", missing, "D", "SHOULD"),
    ]),
  ]);
  assert.deepEqual(groups, [
    {
      id: "G1",
      rule: "challenge_resource_metadata",
      level: "MUST",
      cite: "cite",
      message: missing,
      cases: [
        { scenario: "rejection.expired", actual: "A" },
        { scenario: "rejection.garbage", actual: "C" },
      ],
    },
    {
      id: "G2",
      rule: "token_expiry",
      level: "MUST",
      cite: "cite",
      message: "accepted",
      cases: [{ scenario: "rejection.expired", actual: "B" }],
    },
    {
      id: "G3",
      rule: "insufficient_scope_resource_metadata",
      level: "SHOULD",
      cite: "cite",
      message: missing,
      cases: [{ scenario: "scopes.tool_refused", actual: "D" }],
    },
  ]);
});

/** Answers every request with a 401 challenge. */
function refuse(): Response {
  return new Response("refused", {
    status: 401,
    headers: { "www-authenticate": "Bearer" },
  });
}

/** A context for scenarios that only use the probe. */
function contextFor(
  origin: string,
  spec: SpecRevision = "2026-07-28",
): ScenarioContext {
  const parsed = parseCommandLine(["--url", `${origin}/mcp`]);
  assert.equal(parsed.kind, "run");
  const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
  return {
    options: parsed.options,
    spec,
    // The scenarios here never reach the issuer.
    issuer: {} as MockIssuer,
    probe,
    discovery: () => discover(probe, `${origin}/mcp`),
    once: (_key, compute) => compute(),
  };
}

function scenario(
  rule: RuleId,
  run: (context: ScenarioContext, check: Checker) => Promise<void>,
): Scenario {
  return {
    id: "test.scenario",
    title: "a scenario under test",
    rule,
    run,
  };
}

// Rules with known levels: token_expiry is MUST and scopes_supported SHOULD
// in every revision; challenge_resource_metadata is MUST in 2025-06-18 and
// informational after.
const MUST_RULE: RuleId = "token_expiry";
const SHOULD_RULE: RuleId = "scopes_supported";
const CHANGING_RULE: RuleId = "challenge_resource_metadata";

Deno.test("runScenario() decides the status from the levels of what the scenario found", async (t) => {
  const rows: ReadonlyArray<
    readonly [string, RuleId, (check: Checker) => void, Status]
  > = [
    ["nothing reported: pass", MUST_RULE, () => {}, "pass"],
    [
      "its MUST rule broken: fail",
      MUST_RULE,
      (c) => c.fail("m", "e", "a"),
      "fail",
    ],
    [
      "its SHOULD rule broken: warn",
      SHOULD_RULE,
      (c) => c.fail("m", "e", "a"),
      "warn",
    ],
    [
      "a MUST scenario finding a SHOULD rule broken: warn",
      MUST_RULE,
      (c) => c.violates(SHOULD_RULE, "m", "e", "a"),
      "warn",
    ],
    [
      "a SHOULD scenario finding a MUST rule broken: fail",
      SHOULD_RULE,
      (c) => c.violates(MUST_RULE, "m", "e", "a"),
      "fail",
    ],
    ["note only: pass", MUST_RULE, (c) => c.note("fine"), "pass"],
    [
      "a rule informational in this revision: pass",
      CHANGING_RULE,
      (c) => c.fail("m", "e", "a"),
      "pass",
    ],
    ["warn then fail: fail", MUST_RULE, (c) => {
      c.violates(SHOULD_RULE, "w", "e", "a");
      c.fail("f", "e", "a");
    }, "fail"],
    ["a finding, then a skip: the finding counts", SHOULD_RULE, (c) => {
      c.fail("f", "e", "a");
      c.skip("then it stopped applying");
    }, "warn"],
  ];
  await withServer(refuse, async (origin) => {
    const context = contextFor(origin);
    for (const [name, rule, report, status] of rows) {
      await t.step(name, async () => {
        const outcome = await runScenario(
          scenario(rule, (_, check) => Promise.resolve(report(check))),
          context,
        );
        assert.equal(outcome.status, status);
      });
    }
  });
});

Deno.test("runScenario() gives each finding its own rule's level, citation and the revision's wording", async () => {
  await withServer(refuse, async (origin) => {
    const outcome = await runScenario(
      scenario(MUST_RULE, (_, check) => {
        check.fail("broken", "HTTP 401", "HTTP 200");
        check.violates(SHOULD_RULE, "odd", "a list", "nothing");
        return Promise.resolve();
      }),
      contextFor(origin),
    );
    assert.deepEqual(outcome.findings, [
      {
        rule: MUST_RULE,
        level: "MUST",
        cite: "RFC 9068 §4; RFC 7519 §4.1.4",
        message: "broken",
        expected: "HTTP 401",
        actual: "HTTP 200",
      },
      {
        rule: SHOULD_RULE,
        level: "SHOULD",
        cite: "RFC 9728 §2",
        message: "odd",
        expected: "a list",
        actual: "nothing",
      },
    ]);
    assert.equal(outcome.id, "test.scenario");
    assert.equal(outcome.title, "a scenario under test");
    assert.equal(outcome.rule, MUST_RULE);
    assert.equal(outcome.spec, "RFC 9068 §4; RFC 7519 §4.1.4");
    assert.match(outcome.quote ?? "", /MUST be before the time/);
    assert.equal(outcome.level, "MUST");
  });
});

Deno.test("runScenario() takes levels from the run's revision: one rule, three verdicts", async (t) => {
  const rows: ReadonlyArray<readonly [SpecRevision, Status, string]> = [
    ["2025-06-18", "fail", "MUST"],
    ["2025-11-25", "pass", "INFO"],
    ["2026-07-28", "pass", "INFO"],
  ];
  await withServer(refuse, async (origin) => {
    for (const [spec, status, level] of rows) {
      await t.step(spec, async () => {
        const outcome = await runScenario(
          scenario(CHANGING_RULE, (_, check) => {
            check.fail("no resource_metadata", "a URL", "none");
            return Promise.resolve();
          }),
          contextFor(origin, spec),
        );
        assert.equal(outcome.status, status);
        assert.equal(outcome.level, level);
        if (status === "pass") {
          assert.deepEqual(outcome.findings, []);
          assert.match(
            outcome.notes[0],
            /^no resource_metadata \(informational in 2025-11-25|^no resource_metadata \(informational in 2026-07-28/,
          );
        }
      });
    }
  });
});

Deno.test("runScenario() ends a skipped scenario as skip with the reason as a note", async () => {
  await withServer(refuse, async (origin) => {
    let after = false;
    const outcome = await runScenario(
      scenario(MUST_RULE, (_, check) => {
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

Deno.test("runScenario() turns a thrown error into a finding of the scenario's rule", async (t) => {
  const rows: ReadonlyArray<readonly [string, RuleId, Status]> = [
    ["of a MUST rule", MUST_RULE, "fail"],
    ["of a SHOULD rule", SHOULD_RULE, "warn"],
  ];
  await withServer(refuse, async (origin) => {
    for (const [name, rule, status] of rows) {
      await t.step(name, async () => {
        const outcome = await runScenario(
          scenario(rule, () => Promise.reject(new Error("socket hang up"))),
          contextFor(origin),
        );
        assert.equal(outcome.status, status);
        assert.equal(outcome.findings.length, 1);
        assert.equal(outcome.findings[0].rule, rule);
        assert.equal(
          outcome.findings[0].message,
          "The scenario could not complete",
        );
        assert.equal(outcome.findings[0].actual, "socket hang up");
      });
    }
    await t.step("a thrown non-Error", async () => {
      const outcome = await runScenario(
        scenario(MUST_RULE, () => Promise.reject("plain string")),
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
      scenario(MUST_RULE, async ({ probe }, check) => {
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
      scenario(MUST_RULE, () => Promise.resolve()),
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
    scenario(MUST_RULE, async ({ probe }) => {
      await probe.send({ body: {} });
    }),
    context,
  );
  assert.equal(outcome.status, "fail");
  assert.equal(outcome.exchanges.length, 1);
  assert.ok(outcome.exchanges[0].error, "the refused connection is recorded");
  assert.equal(outcome.findings[0].message, "The scenario could not complete");
});
