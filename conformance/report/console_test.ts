import assert from "node:assert/strict";
import { groupFindings, type RunReport, type Summary } from "../runner.ts";
import type { Finding, ScenarioResult, Status } from "../scenario.ts";
import {
  createConsoleReporter,
  formatRootCauses,
  formatSummary,
} from "./console.ts";

function result(
  status: Status,
  more: Partial<ScenarioResult> = {},
): ScenarioResult {
  return {
    id: "rejection.expired",
    title: "an expired token: 401 invalid_token",
    rule: "token_expiry",
    spec: "RFC 9068 §4; RFC 7519 §4.1.4",
    level: "MUST",
    status,
    findings: [],
    notes: [],
    exchanges: [],
    durationMs: 12,
    ...more,
  };
}

const ACCEPTED: Finding = {
  rule: "token_expiry",
  level: "MUST",
  cite: "RFC 9068 §4; RFC 7519 §4.1.4",
  message: "The server accepted a request it must refuse",
  expected: "HTTP 401",
  actual: "HTTP 200",
};

const NO_ERROR_CODE: Finding = {
  rule: "invalid_token_error_code",
  level: "SHOULD",
  cite: "RFC 6750 §3, §3.1",
  message:
    'The challenge for a refused token does not say error="invalid_token"',
  expected: 'error="invalid_token"',
  actual: "no error",
};

const FAILED = result("fail", {
  findings: [ACCEPTED, NO_ERROR_CODE],
  notes: ["refused before the tool ran"],
  exchanges: [
    {
      request: {
        method: "POST",
        url: "http://127.0.0.1:3002/mcp",
        authorization: "Bearer <expired token>",
      },
      response: {
        status: 401,
        wwwAuthenticate: 'Bearer error="invalid_token"',
        body: '{"error":"invalid_token"}',
      },
    },
    {
      request: { method: "GET", url: "http://127.0.0.1:3002/mcp" },
      error: "TypeError: connection refused",
    },
  ],
});

const reporter = (quiet = false) =>
  createConsoleReporter({ quiet, spec: "2026-07-28" });

Deno.test("result() prints one line for a scenario that passed, with its rule's level", () => {
  assert.deepEqual(reporter().result(result("pass")), [
    "PASS  rejection.expired: an expired token: 401 invalid_token  [MUST]",
  ]);
});

Deno.test("result() prints a skipped scenario's reason as a note", () => {
  assert.deepEqual(
    reporter().result(result("skip", { level: "SHOULD", notes: ["no tool"] })),
    [
      "SKIP  rejection.expired: an expired token: 401 invalid_token  [SHOULD]",
      "        note: no tool",
    ],
  );
});

Deno.test("result() prints nothing for pass and skip when quiet", async (t) => {
  for (const status of ["pass", "skip"] as const) {
    await t.step(status, () => {
      assert.deepEqual(
        reporter(true).result(result(status, { notes: ["x"] })),
        [],
      );
    });
  }
});

Deno.test("result() details a failure: each finding at its own level, the rule quoted, what was sent and received", () => {
  assert.deepEqual(reporter().result(FAILED), [
    "FAIL  rejection.expired: an expired token: 401 invalid_token  [MUST]",
    "        note: refused before the tool ran",
    "        ✗ [MUST] The server accepted a request it must refuse",
    "          expected: HTTP 401",
    "          actual:   HTTP 200",
    '          spec: RFC 9068 §4; RFC 7519 §4.1.4: "The current time MUST be before the time represented by the "exp" claim. Implementers MAY provide for some small leeway, usually no more than a few minutes, to account for clock skew."',
    '        ! [SHOULD] The challenge for a refused token does not say error="invalid_token"',
    '          expected: error="invalid_token"',
    "          actual:   no error",
    '          spec: RFC 6750 §3, §3.1: "If the protected resource request included an access token and failed authentication, the resource server SHOULD include the "error" attribute to provide the client with the reason why the access request was declined."',
    "        sent:     POST http://127.0.0.1:3002/mcp (Authorization: Bearer <expired token>)",
    '        received: HTTP 401, WWW-Authenticate: Bearer error="invalid_token", body: {"error":"invalid_token"}',
    "        sent:     GET http://127.0.0.1:3002/mcp",
    "        received: nothing (TypeError: connection refused)",
  ]);
});

Deno.test("result() shows a warning's finding as SHOULD, never at the scenario's MUST", () => {
  const lines = reporter().result(
    result("warn", { level: "MUST", findings: [NO_ERROR_CODE] }),
  );
  assert.equal(
    lines[0],
    "WARN  rejection.expired: an expired token: 401 invalid_token  [MUST]",
  );
  assert.ok(lines[1].startsWith("        ! [SHOULD] "), lines[1]);
  assert.ok(!lines.some((line) => line.includes("✗")));
});

Deno.test("result() prints a root cause seen before as one line, a rule quoted before without its sentence, a body printed before not again", () => {
  const console = reporter();
  console.result(FAILED);
  const again = console.result(
    result("fail", {
      id: "rejection.no_exp",
      findings: [ACCEPTED, { ...NO_ERROR_CODE, actual: "other" }],
      exchanges: [FAILED.exchanges[0]],
    }),
  );
  assert.deepEqual(again.slice(1), [
    "        ✗ [MUST] The server accepted a request it must refuse (same root cause as rejection.expired)",
    '        ! [SHOULD] The challenge for a refused token does not say error="invalid_token" (same root cause as rejection.expired)',
    "        sent:     POST http://127.0.0.1:3002/mcp (Authorization: Bearer <expired token>)",
    '        received: HTTP 401, WWW-Authenticate: Bearer error="invalid_token", body: (as printed above)',
  ]);
  const third = console.result(
    result("fail", {
      id: "rejection.garbage",
      findings: [{ ...ACCEPTED, message: "Another message" }],
    }),
  );
  assert.deepEqual(third.slice(1), [
    "        ✗ [MUST] Another message",
    "          expected: HTTP 401",
    "          actual:   HTTP 200",
    "          spec: RFC 9068 §4; RFC 7519 §4.1.4",
  ]);
});

Deno.test("result() still details failures and warnings when quiet", async (t) => {
  for (const status of ["fail", "warn"] as const) {
    await t.step(status, () => {
      const lines = reporter(true).result({ ...FAILED, status });
      assert.equal(lines[0].slice(0, 4), status.toUpperCase());
      assert.ok(lines.some((line) => line.includes("WWW-Authenticate")));
    });
  }
});

Deno.test("result() shows only the last three exchanges, bodies cut to 200 characters, and the Origin sent", () => {
  const exchanges = [1, 2, 3, 4].map((n) => ({
    request: { method: "POST", url: `http://x/${n}`, origin: "https://o" },
    response: { status: 200, body: `${n}`.repeat(300) },
  }));
  const lines = reporter().result(result("warn", { exchanges }));
  const sent = lines.filter((line) => line.includes("sent:"));
  assert.deepEqual(sent, [
    "        sent:     POST http://x/2 (Origin: https://o)",
    "        sent:     POST http://x/3 (Origin: https://o)",
    "        sent:     POST http://x/4 (Origin: https://o)",
  ]);
  assert.ok(
    lines.includes(`        received: HTTP 200, body: ${"4".repeat(200)}…`),
  );
});

Deno.test("result() leaves out an absent challenge and an empty body", () => {
  const lines = reporter().result(result("fail", {
    exchanges: [{
      request: { method: "POST", url: "http://x/mcp" },
      response: { status: 500, body: "" },
    }],
  }));
  assert.equal(lines.at(-1), "        received: HTTP 500");
});

Deno.test("formatRootCauses() lists only causes several scenarios share", () => {
  const groups = groupFindings([
    result("fail", { findings: [ACCEPTED, NO_ERROR_CODE] }),
    result("fail", { id: "rejection.no_exp", findings: [ACCEPTED] }),
    result("fail", { id: "rejection.garbage", findings: [ACCEPTED] }),
  ]);
  assert.deepEqual(formatRootCauses(groups), [
    "",
    "Root causes shared by several scenarios:",
    "  G1 ✗ [MUST] The server accepted a request it must refuse (RFC 9068 §4; RFC 7519 §4.1.4)",
    "     3 scenarios: rejection.expired, rejection.no_exp, rejection.garbage",
  ]);
  assert.deepEqual(formatRootCauses(groups.slice(1)), []);
});

function summary(more: Partial<Summary>): Summary {
  return {
    passed: 0,
    failed: 0,
    warnings: 0,
    skipped: 0,
    strict: false,
    spec: "2026-07-28",
    ...more,
  };
}

Deno.test('formatSummary() puts warnings on the line before the last, which is exactly "N passed, N failed"', async (t) => {
  const rows: ReadonlyArray<readonly [Summary, readonly string[]]> = [
    [summary({ passed: 30, failed: 2, warnings: 3, skipped: 1 }), [
      "3 warnings, 1 skipped (judged against MCP 2026-07-28)",
      "30 passed, 2 failed",
    ]],
    [summary({ passed: 1, warnings: 1, spec: "2025-06-18" }), [
      "1 warning, 0 skipped (judged against MCP 2025-06-18)",
      "1 passed, 0 failed",
    ]],
    [summary({ passed: 5, warnings: 4, strict: true }), [
      "4 warnings (--strict: warnings fail the run), 0 skipped (judged against MCP 2026-07-28)",
      "5 passed, 0 failed",
    ]],
    [summary({ passed: 5, strict: true }), [
      "0 warnings, 0 skipped (judged against MCP 2026-07-28)",
      "5 passed, 0 failed",
    ]],
  ];
  for (const [totals, lines] of rows) {
    await t.step(lines.join(" / "), () => {
      assert.deepEqual(formatSummary(totals), lines);
    });
  }
});

Deno.test("end() prints the root causes, a blank line and the totals last", () => {
  const results = [
    result("fail", { findings: [ACCEPTED] }),
    result("fail", { id: "rejection.no_exp", findings: [ACCEPTED] }),
  ];
  const report: RunReport = {
    url: "http://x/mcp",
    live: false,
    startedAt: "2025-01-01T00:00:00.000Z",
    durationMs: 1,
    results,
    groups: groupFindings(results),
    summary: summary({ failed: 2 }),
  };
  const lines = reporter().end(report);
  assert.equal(lines[1], "Root causes shared by several scenarios:");
  assert.deepEqual(lines.slice(-3), [
    "",
    "0 warnings, 0 skipped (judged against MCP 2026-07-28)",
    "0 passed, 2 failed",
  ]);
});
