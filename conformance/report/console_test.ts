import assert from "node:assert/strict";
import type { Summary } from "../runner.ts";
import type { ScenarioResult, Status } from "../scenario.ts";
import { formatResult, formatSummary } from "./console.ts";

function result(
  status: Status,
  more: Partial<ScenarioResult> = {},
): ScenarioResult {
  return {
    id: "rejection.expired",
    title: "an expired token: 401 invalid_token",
    spec: "RFC 6750 §3.1",
    level: "MUST",
    status,
    findings: [],
    notes: [],
    exchanges: [],
    durationMs: 12,
    ...more,
  };
}

const FAILED = result("fail", {
  findings: [
    {
      level: "MUST",
      message: "The server accepted a request it must refuse",
      expected: "HTTP 401",
      actual: "HTTP 200",
    },
    {
      level: "SHOULD",
      message: 'The challenge should say error="invalid_token"',
      expected: 'error="invalid_token"',
      actual: "no error",
    },
  ],
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

Deno.test("formatResult() prints one line for a scenario that passed", () => {
  assert.deepEqual(formatResult(result("pass")), [
    "PASS  [MUST] rejection.expired: an expired token: 401 invalid_token",
  ]);
});

Deno.test("formatResult() prints a skipped scenario's reason as a note", () => {
  assert.deepEqual(
    formatResult(result("skip", { level: "SHOULD", notes: ["no tool"] })),
    [
      "SKIP  [SHOULD] rejection.expired: an expired token: 401 invalid_token",
      "        note: no tool",
    ],
  );
});

Deno.test("formatResult() prints nothing for pass and skip when quiet", async (t) => {
  for (const status of ["pass", "skip"] as const) {
    await t.step(status, () => {
      assert.deepEqual(
        formatResult(result(status, { notes: ["x"] }), true),
        [],
      );
    });
  }
});

Deno.test("formatResult() details a failure: spec, findings, what was sent and received", () => {
  assert.deepEqual(formatResult(FAILED), [
    "FAIL  [MUST] rejection.expired: an expired token: 401 invalid_token",
    "        note: refused before the tool ran",
    "        spec: RFC 6750 §3.1",
    "        ✗ The server accepted a request it must refuse",
    "          expected: HTTP 401",
    "          actual:   HTTP 200",
    '        ! The challenge should say error="invalid_token"',
    '          expected: error="invalid_token"',
    "          actual:   no error",
    "        sent:     POST http://127.0.0.1:3002/mcp (Authorization: Bearer <expired token>)",
    '        received: HTTP 401, WWW-Authenticate: Bearer error="invalid_token", body: {"error":"invalid_token"}',
    "        sent:     GET http://127.0.0.1:3002/mcp",
    "        received: nothing (TypeError: connection refused)",
  ]);
});

Deno.test("formatResult() still details failures and warnings when quiet", async (t) => {
  for (const status of ["fail", "warn"] as const) {
    await t.step(status, () => {
      const lines = formatResult({ ...FAILED, status }, true);
      assert.equal(lines[0].slice(0, 4), status.toUpperCase());
      assert.ok(lines.includes("        spec: RFC 6750 §3.1"));
      assert.ok(lines.some((line) => line.includes("WWW-Authenticate")));
    });
  }
});

Deno.test("formatResult() shows only the last three exchanges, bodies cut to 200 characters", () => {
  const exchanges = [1, 2, 3, 4].map((n) => ({
    request: { method: "POST", url: `http://x/${n}` },
    response: { status: 200, body: "b".repeat(300) },
  }));
  const lines = formatResult(result("warn", { exchanges }));
  const sent = lines.filter((line) => line.includes("sent:"));
  assert.deepEqual(sent, [
    "        sent:     POST http://x/2",
    "        sent:     POST http://x/3",
    "        sent:     POST http://x/4",
  ]);
  assert.ok(
    lines.includes(`        received: HTTP 200, body: ${"b".repeat(200)}`),
  );
});

Deno.test("formatResult() leaves out an absent challenge and an empty body", () => {
  const lines = formatResult(result("fail", {
    exchanges: [{
      request: { method: "POST", url: "http://x/mcp" },
      response: { status: 500, body: "" },
    }],
  }));
  assert.equal(lines.at(-1), "        received: HTTP 500");
});

function summary(more: Partial<Summary>): Summary {
  return {
    passed: 0,
    failed: 0,
    warnings: 0,
    skipped: 0,
    strict: false,
    ...more,
  };
}

Deno.test('formatSummary() ends with exactly "N passed, N failed"', async (t) => {
  const rows: ReadonlyArray<readonly [Summary, readonly string[]]> = [
    [summary({ passed: 30, failed: 2, warnings: 3, skipped: 1 }), [
      "3 warnings, 1 skipped",
      "30 passed, 2 failed",
    ]],
    [summary({ passed: 1, warnings: 1 }), [
      "1 warning, 0 skipped",
      "1 passed, 0 failed",
    ]],
    [summary({ passed: 5, failed: 4, warnings: 4, strict: true }), [
      "4 warnings (counted as failures: --strict), 0 skipped",
      "5 passed, 4 failed",
    ]],
  ];
  for (const [totals, lines] of rows) {
    await t.step(lines.join(" / "), () => {
      assert.deepEqual(formatSummary(totals), lines);
    });
  }
});
