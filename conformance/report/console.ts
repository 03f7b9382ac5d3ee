/**
 * The human-readable report: one line per scenario as it finishes, details
 * for failures and warnings, and the closing totals.
 *
 * @module
 */

import type { Summary } from "../runner.ts";
import type { ScenarioResult } from "../scenario.ts";

const LABEL = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  skip: "SKIP",
} as const;

/** Lines for one finished scenario; details unless it passed. */
export function formatResult(result: ScenarioResult, quiet = false): string[] {
  if (quiet && (result.status === "pass" || result.status === "skip")) {
    return [];
  }
  const lines = [
    `${LABEL[result.status]}  [${result.level}] ${result.id}: ${result.title}`,
  ];
  for (const note of result.notes) lines.push(`        note: ${note}`);
  if (result.status !== "fail" && result.status !== "warn") return lines;
  lines.push(`        spec: ${result.spec}`);
  for (const finding of result.findings) {
    lines.push(
      `        ${finding.level === "MUST" ? "✗" : "!"} ${finding.message}`,
      `          expected: ${finding.expected}`,
      `          actual:   ${finding.actual}`,
    );
  }
  for (const exchange of result.exchanges.slice(-3)) {
    const { request, response } = exchange;
    lines.push(
      `        sent:     ${request.method} ${request.url}${
        request.authorization
          ? ` (Authorization: ${request.authorization})`
          : ""
      }`,
    );
    if (response) {
      lines.push(
        `        received: HTTP ${response.status}${
          response.wwwAuthenticate
            ? `, WWW-Authenticate: ${response.wwwAuthenticate}`
            : ""
        }${response.body ? `, body: ${response.body.slice(0, 200)}` : ""}`,
      );
    } else {
      lines.push(`        received: nothing (${exchange.error})`);
    }
  }
  return lines;
}

/** The closing lines; the very last is `N passed, N failed`. */
export function formatSummary(summary: Summary): string[] {
  return [
    `${summary.warnings} warning${summary.warnings === 1 ? "" : "s"}${
      summary.strict ? " (counted as failures: --strict)" : ""
    }, ${summary.skipped} skipped`,
    `${summary.passed} passed, ${summary.failed} failed`,
  ];
}
