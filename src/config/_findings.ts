/**
 * What readers report while parsing: problems (fatal, collected so that all
 * are named at once) and warnings (returned, each at most once).
 *
 * @module
 */

import type { ConfigProblem } from "./errors.ts";
import type { ConfigWarning } from "./types.ts";

/** Problems and warnings collected during one `loadConfig()` call. */
export interface Findings {
  /** Problems, in the order found, unique by variable and message. */
  readonly problems: ConfigProblem[];
  /** Warnings, in the order found, unique by code and variable. */
  readonly warnings: ConfigWarning[];
}

/** A fresh, empty {@link Findings}. */
export function createFindings(): Findings {
  return { problems: [], warnings: [] };
}

/** Records a problem with `variable`, unless the same one is recorded already. */
export function addProblem(
  findings: Findings,
  variable: string,
  message: string,
): void {
  const seen = findings.problems.some((p) =>
    p.variable === variable && p.message === message
  );
  if (!seen) findings.problems.push({ variable, message });
}

/** Records a warning unless one with the same code and variable exists. */
export function addWarning(findings: Findings, warning: ConfigWarning): void {
  const seen = findings.warnings.some((w) =>
    w.code === warning.code && w.variable === warning.variable
  );
  if (!seen) findings.warnings.push(warning);
}

const MAX_QUOTED = 80;

/**
 * Quotes a value for a message: JSON string syntax, so control characters
 * cannot break the one-line-per-problem layout, and long values are cut.
 */
export function quote(value: string): string {
  const shown = value.length > MAX_QUOTED
    ? `${value.slice(0, MAX_QUOTED)}…`
    : value;
  return JSON.stringify(shown);
}

/** Quotes each value and joins them as `"a", "b" or "c"`. */
export function quoteChoices(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}
