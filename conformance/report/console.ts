/**
 * The human-readable report: one line per scenario as it finishes, details
 * for failures and warnings, the root causes several scenarios share, and
 * the closing totals.
 *
 * It remembers what it has printed, so a root cause seen before is one line
 * pointing back, a rule's sentence is quoted once, and a response body
 * printed once is not printed again.
 *
 * @module
 */

import {
  type FindingGroup,
  groupKey,
  type RunReport,
  type Summary,
} from "../runner.ts";
import type { ScenarioResult } from "../scenario.ts";
import { clauseOf, type RuleId, type SpecRevision } from "../spec.ts";

const LABEL = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  skip: "SKIP",
} as const;

const MARK = { MUST: "✗", SHOULD: "!" } as const;

/** How many exchanges of a scenario are shown. */
const EXCHANGES_SHOWN = 3;
/** How much of a body is shown. */
const BODY_SHOWN = 200;

/** Prints a run as it goes. */
export interface ConsoleReporter {
  /** Lines for one finished scenario; details unless it passed or was skipped. */
  result(result: ScenarioResult): string[];
  /** The root causes shared by several scenarios, then the two closing lines. */
  end(report: RunReport): string[];
}

/** Options for {@link createConsoleReporter}. */
export interface ConsoleReporterOptions {
  /** Print only failures, warnings, root causes and the totals. */
  readonly quiet?: boolean;
  /** The revision rules are quoted from. */
  readonly spec: SpecRevision;
}

/** Builds a reporter that remembers what it printed. */
export function createConsoleReporter(
  options: ConsoleReporterOptions,
): ConsoleReporter {
  const causes = new Map<string, string>(); // group key → first scenario id
  const quoted = new Set<RuleId>();
  const bodies = new Set<string>();

  function rule(id: RuleId, indent: string): string[] {
    const clause = clauseOf(id, options.spec);
    if (clause.quote === undefined || quoted.has(id)) {
      return [`${indent}spec: ${clause.cite}`];
    }
    quoted.add(id);
    return [`${indent}spec: ${clause.cite}: "${clause.quote}"`];
  }

  function body(text: string): string {
    if (text === "") return "";
    if (bodies.has(text)) return ", body: (as printed above)";
    bodies.add(text);
    return `, body: ${
      text.length > BODY_SHOWN ? `${text.slice(0, BODY_SHOWN)}…` : text
    }`;
  }

  return {
    result(result) {
      if (
        options.quiet && (result.status === "pass" || result.status === "skip")
      ) {
        return [];
      }
      const lines = [
        `${
          LABEL[result.status]
        }  ${result.id}: ${result.title}  [${result.level}]`,
      ];
      for (const note of result.notes) lines.push(`        note: ${note}`);
      if (result.status !== "fail" && result.status !== "warn") return lines;
      for (const finding of result.findings) {
        const key = groupKey(finding);
        const first = causes.get(key);
        if (first !== undefined) {
          lines.push(
            `        ${
              MARK[finding.level]
            } [${finding.level}] ${finding.message} (same root cause as ${first})`,
          );
          continue;
        }
        causes.set(key, result.id);
        lines.push(
          `        ${
            MARK[finding.level]
          } [${finding.level}] ${finding.message}`,
          `          expected: ${finding.expected}`,
          `          actual:   ${finding.actual}`,
          ...rule(finding.rule, "          "),
        );
      }
      for (const exchange of result.exchanges.slice(-EXCHANGES_SHOWN)) {
        const { request, response } = exchange;
        lines.push(
          `        sent:     ${request.method} ${request.url}${
            request.authorization !== undefined
              ? ` (Authorization: ${request.authorization})`
              : ""
          }${
            request.origin !== undefined ? ` (Origin: ${request.origin})` : ""
          }`,
        );
        if (response) {
          lines.push(
            `        received: HTTP ${response.status}${
              response.wwwAuthenticate
                ? `, WWW-Authenticate: ${response.wwwAuthenticate}`
                : ""
            }${body(response.body)}`,
          );
        } else {
          lines.push(`        received: nothing (${exchange.error})`);
        }
      }
      return lines;
    },
    end(report) {
      return [
        ...formatRootCauses(report.groups),
        "",
        ...formatSummary(report.summary),
      ];
    },
  };
}

/** The root causes shared by more than one scenario, one block each. */
export function formatRootCauses(groups: readonly FindingGroup[]): string[] {
  const shared = groups.filter((group) => group.cases.length > 1);
  if (shared.length === 0) return [];
  const lines = ["", "Root causes shared by several scenarios:"];
  for (const group of shared) {
    lines.push(
      `  ${group.id} ${
        MARK[group.level]
      } [${group.level}] ${group.message} (${group.cite})`,
      `     ${group.cases.length} scenarios: ${
        group.cases.map((c) => c.scenario).join(", ")
      }`,
    );
  }
  return lines;
}

/** The closing lines: warnings and skips, then exactly `N passed, N failed`. */
export function formatSummary(summary: Summary): string[] {
  const warnings = `${summary.warnings} warning${
    summary.warnings === 1 ? "" : "s"
  }`;
  return [
    `${warnings}${
      summary.strict && summary.warnings > 0
        ? " (--strict: warnings fail the run)"
        : ""
    }, ${summary.skipped} skipped (judged against MCP ${summary.spec})`,
    `${summary.passed} passed, ${summary.failed} failed`,
  ];
}
