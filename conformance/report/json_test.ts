import assert from "node:assert/strict";
import type { RunReport } from "../runner.ts";
import { formatJsonReport } from "./json.ts";

const REPORT: RunReport = {
  url: "http://127.0.0.1:3002/mcp",
  issuerUrl: "http://127.0.0.1:4444",
  startedAt: "2025-01-02T03:04:05.000Z",
  durationMs: 1234,
  results: [{
    id: "rejection.expired",
    title: "an expired token",
    spec: "RFC 6750 §3.1",
    level: "MUST",
    status: "fail",
    findings: [{
      level: "MUST",
      message: "accepted",
      expected: "HTTP 401",
      actual: "HTTP 200",
    }],
    notes: ["a note"],
    exchanges: [{
      request: { method: "POST", url: "http://127.0.0.1:3002/mcp" },
      response: { status: 200, body: "{}" },
    }],
    durationMs: 7,
  }],
  summary: { passed: 0, failed: 1, warnings: 0, skipped: 0, strict: true },
};

Deno.test("formatJsonReport() writes JSON that parses back to the whole report", () => {
  const text = formatJsonReport(REPORT);
  assert.ok(text.endsWith("}\n"));
  assert.deepEqual(JSON.parse(text), {
    tool: "mcp-scalekit-conformance",
    url: REPORT.url,
    issuer: REPORT.issuerUrl,
    started_at: REPORT.startedAt,
    duration_ms: REPORT.durationMs,
    summary: REPORT.summary,
    results: REPORT.results,
  });
});

Deno.test("formatJsonReport() keeps a stable field order", () => {
  assert.deepEqual(Object.keys(JSON.parse(formatJsonReport(REPORT))), [
    "tool",
    "url",
    "issuer",
    "started_at",
    "duration_ms",
    "summary",
    "results",
  ]);
});
