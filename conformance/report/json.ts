/**
 * The machine-readable JSON report (`--json <file>`): every result with its
 * findings, each finding naming its level and its root-cause group, and
 * the groups themselves, as the console and JUnit reports show them.
 *
 * @module
 */

import { groupKey, type RunReport } from "../runner.ts";

/** The report as JSON text, stable field order. */
export function formatJsonReport(report: RunReport): string {
  const groupOf = new Map(
    report.groups.map((group) => [
      `${group.rule}\u0000${group.message}`,
      group.id,
    ]),
  );
  return JSON.stringify(
    {
      tool: "mcp-scalekit-conformance",
      url: report.url,
      issuer: report.issuerUrl ?? null,
      live: report.live,
      spec: report.summary.spec,
      started_at: report.startedAt,
      duration_ms: report.durationMs,
      summary: report.summary,
      groups: report.groups,
      results: report.results.map((result) => ({
        ...result,
        findings: result.findings.map((finding) => ({
          ...finding,
          group: groupOf.get(groupKey(finding)),
        })),
      })),
    },
    null,
    2,
  ) + "\n";
}
