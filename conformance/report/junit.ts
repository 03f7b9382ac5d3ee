/**
 * The JUnit XML report (`--junit <file>`), for CI systems that show test
 * results: one testcase per scenario, grouped by the id's first segment.
 *
 * @module
 */

import { groupKey, type RunReport } from "../runner.ts";
import type { ScenarioResult } from "../scenario.ts";

/** The report as JUnit XML. */
export function formatJunitReport(report: RunReport): string {
  const { summary } = report;
  const groupOf = new Map(
    report.groups.map((group) => [
      `${group.rule}\u0000${group.message}`,
      group.id,
    ]),
  );
  const cases = report.results.map((r) => testcase(r, summary.strict, groupOf));
  // A warning fails the run under --strict, so CI systems count it then.
  const failures = summary.failed + (summary.strict ? summary.warnings : 0);
  const properties = [
    `      <property name="spec" value="MCP ${escape(summary.spec)}"/>`,
    ...report.groups.map((group) =>
      `      <property name="root cause ${group.id}" value="${
        escape(
          `[${group.level}] ${group.message} (${group.cite}): ${
            group.cases.map((c) => c.scenario).join(", ")
          }`,
        )
      }"/>`
    ),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mcp-scalekit conformance" tests="${report.results.length}" failures="${failures}" skipped="${summary.skipped}" time="${
      seconds(report.durationMs)
    }">`,
    `  <testsuite name="${
      escape(report.url)
    }" tests="${report.results.length}" failures="${failures}" skipped="${summary.skipped}" time="${
      seconds(report.durationMs)
    }" timestamp="${report.startedAt}">`,
    "    <properties>",
    ...properties,
    "    </properties>",
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function testcase(
  result: ScenarioResult,
  strict: boolean,
  groupOf: ReadonlyMap<string, string>,
): string {
  const group = result.id.split(".")[0];
  const open = `    <testcase classname="conformance.${escape(group)}" name="${
    escape(result.id)
  }: ${escape(result.title)}" time="${seconds(result.durationMs)}">`;
  const details = escape(
    [
      `spec: ${result.spec}`,
      ...result.findings.map((f) =>
        `[${f.level}] ${f.message} (root cause ${
          groupOf.get(groupKey(f))
        }; ${f.cite})\n  expected: ${f.expected}\n  actual: ${f.actual}`
      ),
      ...result.notes.map((n) => `note: ${n}`),
    ].join("\n"),
  );
  const first = escape(
    (result.findings.find((f) => f.level === "MUST") ?? result.findings[0])
      ?.message ?? "",
  );
  switch (result.status) {
    case "fail":
      return `${open}\n      <failure type="MUST" message="${first}">${details}</failure>\n    </testcase>`;
    case "warn":
      return strict
        ? `${open}\n      <failure type="SHOULD" message="${first}">${details}</failure>\n    </testcase>`
        : `${open}\n      <system-out>WARNING ${details}</system-out>\n    </testcase>`;
    case "skip":
      return `${open}\n      <skipped message="${
        escape(result.notes[0] ?? "")
      }"/>\n    </testcase>`;
    case "pass":
      return `${open}</testcase>`;
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function escape(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    // Characters XML 1.0 cannot carry at all.
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, "");
}
