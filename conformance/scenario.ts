/**
 * What a scenario is, what it records, and how its outcome is decided.
 *
 * @module
 */

import type { MockIssuer } from "./issuer/types.ts";
import type { RunOptions } from "./options.ts";
import type { Exchange, Probe } from "./probe.ts";

/**
 * How binding the checked rule is: a failed MUST fails the run; a failed
 * SHOULD is a warning (and fails the run only with `--strict`).
 */
export type Level = "MUST" | "SHOULD";

/** A scenario's outcome. */
export type Status = "pass" | "fail" | "warn" | "skip";

/** One thing that was not as the spec wants. */
export interface Finding {
  /** MUST findings fail the scenario; SHOULD findings make it a warning. */
  readonly level: Level;
  /** What went wrong, in a sentence. */
  readonly message: string;
  /** What the spec wants. */
  readonly expected: string;
  /** What the server did. */
  readonly actual: string;
}

/** The recorded outcome of one scenario. */
export interface ScenarioResult {
  /** Stable id, e.g. `rejection.expired`. */
  readonly id: string;
  /** One line saying what is checked. */
  readonly title: string;
  /** The spec clause, e.g. `RFC 6750 §3.1`. */
  readonly spec: string;
  /** The level of the scenario's main requirement. */
  readonly level: Level;
  /** Pass, fail, warn or skip. */
  readonly status: Status;
  /** What was wrong (empty when it passed). */
  readonly findings: readonly Finding[];
  /** Informational remarks (how a refusal was given, why it was skipped). */
  readonly notes: readonly string[];
  /** Every HTTP exchange, tokens replaced by labels. */
  readonly exchanges: readonly Exchange[];
  /** Wall time, in milliseconds. */
  readonly durationMs: number;
}

/** What a scenario can use. */
export interface ScenarioContext {
  /** The run's options. */
  readonly options: RunOptions;
  /** The mock Scalekit environment the server trusts. */
  readonly issuer: MockIssuer;
  /** HTTP against the server under test, recorded for the report. */
  readonly probe: Probe;
  /**
   * A key the issuer published before the server could cache its JWKS, not
   * yet used to sign: the rotation scenario signs with it.
   */
  readonly nextKid?: string;
}

/** Records findings while a scenario runs. */
export interface Checker {
  /** A failure at the scenario's own level. */
  fail(message: string, expected: string, actual: string): void;
  /** A SHOULD-level finding, whatever the scenario's level. */
  warn(message: string, expected: string, actual: string): void;
  /** An informational remark for the report. */
  note(text: string): void;
  /** Ends the scenario as skipped. */
  skip(reason: string): never;
}

/** One check against the server under test. */
export interface Scenario {
  /** Stable id: `<group>.<name>`. */
  readonly id: string;
  /** One line saying what is checked. */
  readonly title: string;
  /** The clause it checks. */
  readonly spec: string;
  /** The level of its main requirement. */
  readonly level: Level;
  /** Runs the checks. Throwing counts as a failure with the error's message. */
  run(context: ScenarioContext, check: Checker): Promise<void>;
}

/** Thrown by {@link Checker.skip}. */
export class ScenarioSkipped extends Error {
  /** @param reason Why the scenario does not apply. */
  constructor(reason: string) {
    super(reason);
    this.name = "ScenarioSkipped";
  }
}

/** Runs one scenario and decides its status. Never throws. */
export async function runScenario(
  scenario: Scenario,
  context: ScenarioContext,
): Promise<ScenarioResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const started = performance.now();
  const recording = context.probe.record();
  let skipped = false;
  const check: Checker = {
    fail: (message, expected, actual) =>
      findings.push({ level: scenario.level, message, expected, actual }),
    warn: (message, expected, actual) =>
      findings.push({ level: "SHOULD", message, expected, actual }),
    note: (text) => notes.push(text),
    skip: (reason) => {
      throw new ScenarioSkipped(reason);
    },
  };
  try {
    await scenario.run(context, check);
  } catch (error) {
    if (error instanceof ScenarioSkipped) {
      skipped = true;
      notes.push(error.message);
    } else {
      findings.push({
        level: scenario.level,
        message: "The scenario could not complete",
        expected: "the exchange to complete",
        actual: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const exchanges = recording.stop();
  const status: Status = skipped
    ? "skip"
    : findings.some((f) => f.level === "MUST")
    ? "fail"
    : findings.length > 0
    ? "warn"
    : "pass";
  return Object.freeze({
    id: scenario.id,
    title: scenario.title,
    spec: scenario.spec,
    level: scenario.level,
    status,
    findings,
    notes,
    exchanges,
    durationMs: Math.round(performance.now() - started),
  });
}
