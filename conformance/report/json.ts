/**
 * The machine-readable JSON report (`--json <file>`).
 *
 * @module
 */

import type { RunReport } from "../runner.ts";

/** The report as JSON text, stable field order. */
export function formatJsonReport(report: RunReport): string {
  return JSON.stringify(
    {
      tool: "mcp-scalekit-conformance",
      url: report.url,
      issuer: report.issuerUrl,
      started_at: report.startedAt,
      duration_ms: report.durationMs,
      summary: report.summary,
      results: report.results,
    },
    null,
    2,
  ) + "\n";
}
