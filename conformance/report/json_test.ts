import assert from "node:assert/strict";
import { groupFindings, type RunReport, summarize } from "../runner.ts";
import type { Finding, ScenarioResult } from "../scenario.ts";
import { formatJsonReport } from "./json.ts";
import { formatJunitReport } from "./junit.ts";

const NO_METADATA: Finding = {
  rule: "challenge_resource_metadata",
  level: "MUST",
  cite: "MCP 2025-06-18 §Authorization Server Location; RFC 9728 §5.1",
  message: "The 401 challenge has no resource_metadata",
  expected: "a resource_metadata parameter",
  actual: 'HTTP 401, WWW-Authenticate: Bearer error="invalid_token"',
};

function result(
  id: string,
  findings: readonly Finding[],
): ScenarioResult {
  return {
    id,
    title: `${id} title`,
    rule: "token_expiry",
    spec: "RFC 9068 §4",
    level: "MUST",
    status: findings.some((f) => f.level === "MUST")
      ? "fail"
      : findings.length > 0
      ? "warn"
      : "pass",
    findings,
    notes: ["a note"],
    exchanges: [{
      request: { method: "POST", url: "http://127.0.0.1:3002/mcp" },
      response: { status: 401, body: "{}" },
    }],
    durationMs: 7,
  };
}

const RESULTS: readonly ScenarioResult[] = [
  result("rejection.expired", [NO_METADATA]),
  result("rejection.garbage", [NO_METADATA, {
    rule: "invalid_token_error_code",
    level: "SHOULD",
    cite: "RFC 6750 §3, §3.1",
    message: "no error code",
    expected: 'error="invalid_token"',
    actual: "none",
  }]),
  result("happy.initialize", []),
];

const REPORT: RunReport = {
  url: "http://127.0.0.1:3002/mcp",
  issuerUrl: "http://127.0.0.1:4444",
  live: false,
  startedAt: "2025-01-02T03:04:05.000Z",
  durationMs: 1234,
  results: RESULTS,
  groups: groupFindings(RESULTS),
  summary: summarize(RESULTS, true, "2025-06-18"),
};

Deno.test("formatJsonReport() writes the whole report, each finding naming its root-cause group", () => {
  const text = formatJsonReport(REPORT);
  assert.ok(text.endsWith("}\n"));
  const json = JSON.parse(text);
  assert.deepEqual(Object.keys(json), [
    "tool",
    "url",
    "issuer",
    "live",
    "spec",
    "started_at",
    "duration_ms",
    "summary",
    "groups",
    "results",
  ]);
  assert.equal(json.tool, "mcp-scalekit-conformance");
  assert.equal(json.spec, "2025-06-18");
  assert.deepEqual(json.summary, REPORT.summary);
  assert.deepEqual(json.groups, REPORT.groups);
  assert.deepEqual(
    json.results.map((r: { findings: Array<{ group: string }> }) =>
      r.findings.map((f) => f.group)
    ),
    [["G1"], ["G1", "G2"], []],
  );
  assert.deepEqual(json.results[0].findings[0], {
    ...NO_METADATA,
    group: "G1",
  });
  assert.deepEqual(json.results[2], { ...RESULTS[2], findings: [] });
});

Deno.test("formatJsonReport() writes a live run's missing issuer as null", () => {
  const json = JSON.parse(
    formatJsonReport({ ...REPORT, issuerUrl: undefined, live: true }),
  );
  assert.equal(json.issuer, null);
  assert.equal(json.live, true);
});

Deno.test("the JSON and JUnit reports carry the same levels and root-cause groups", () => {
  const json = JSON.parse(formatJsonReport(REPORT));
  const junit = formatJunitReport(REPORT);
  const fromJson = json.results.flatMap((
    r: { findings: Array<{ level: string; group: string; message: string }> },
  ) =>
    r.findings.map((f) => `[${f.level}] ${f.message} (root cause ${f.group}`)
  );
  const fromJunit = [
    ...junit.matchAll(/\[(MUST|SHOULD)\] ([^\n(]+) \(root cause (G\d+)/g),
  ].map(([, level, message, group]) =>
    `[${level}] ${message.trim()} (root cause ${group}`
  );
  assert.deepEqual(fromJunit, fromJson);
  for (const group of json.groups) {
    assert.match(
      junit,
      new RegExp(`name="root cause ${group.id}" value="\\[${group.level}\\]`),
    );
  }
});
