/**
 * What a scenario is, what it records, and how its outcome is decided.
 *
 * A scenario checks one rule (its own) and may find others broken on the
 * way. Each finding takes its level from the rule it breaks, in the spec
 * revision the run judges against (`spec.ts`), so a report never shows a
 * warning at a MUST scenario's level.
 *
 * @module
 */

import type { MockIssuer } from "./issuer/types.ts";
import type { RunOptions } from "./options.ts";
import type { Exchange, Probe } from "./probe.ts";
import type { Discovery } from "./discovery_facts.ts";
import type { Forger } from "./forge.ts";
import {
  clauseOf,
  type Level,
  type RuleId,
  type SpecRevision,
} from "./spec.ts";

export type { Level } from "./spec.ts";

/** A scenario's outcome. */
export type Status = "pass" | "fail" | "warn" | "skip";

/** One thing that was not as the spec wants. */
export interface Finding {
  /** The rule it breaks. */
  readonly rule: RuleId;
  /** That rule's level in the run's spec revision: MUST fails, SHOULD warns. */
  readonly level: "MUST" | "SHOULD";
  /** Where the rule is written, in that revision. */
  readonly cite: string;
  /** What went wrong, in a sentence that names no scenario-specific value. */
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
  /** The rule the scenario checks. */
  readonly rule: RuleId;
  /** That rule's level in the run's spec revision. */
  readonly level: Level;
  /** Where the rule is written, e.g. `RFC 6750 §3.1`. */
  readonly spec: string;
  /** The rule's sentence, verbatim, when it has one. */
  readonly quote?: string;
  /** Pass, fail, warn or skip. */
  readonly status: Status;
  /** What was wrong (empty when it passed). */
  readonly findings: readonly Finding[];
  /** Informational remarks: how a refusal was given, why it was skipped, INFO-level findings. */
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
  /** The revision the run judges against. */
  readonly spec: SpecRevision;
  /**
   * The mock Scalekit environment the server trusts; `undefined` in live
   * mode, where nobody the suite controls can sign tokens.
   */
  readonly issuer?: MockIssuer;
  /** In live mode, the token from `--token-file`, if one was given. */
  readonly liveToken?: string;
  /** In live mode, makes the bad tokens a forger can make without the issuer's key. */
  readonly forger?: Forger;
  /** HTTP against the server under test, recorded for the report. */
  readonly probe: Probe;
  /**
   * A key the issuer published before the server could cache its JWKS, not
   * yet used to sign: the rotation scenario signs with it.
   */
  readonly nextKid?: string;
  /** Where the protected resource metadata is, found once per run as a client finds it. */
  discovery(): Promise<Discovery>;
  /**
   * Computes a fact about the server once per run (a failed attempt is
   * retried by the next caller): what every scenario would otherwise probe
   * again, such as the era it speaks.
   */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

/** Records findings while a scenario runs. */
export interface Checker {
  /** The scenario's own rule is broken. */
  fail(message: string, expected: string, actual: string): void;
  /** Another rule is broken; the finding takes that rule's level. */
  violates(
    rule: RuleId,
    message: string,
    expected: string,
    actual: string,
  ): void;
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
  /** The rule it checks; its level and citation come from the run's revision. */
  readonly rule: RuleId;
  /** Runs the checks. Throwing counts as a failure of its rule with the error's message. */
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
  const record = (
    rule: RuleId,
    message: string,
    expected: string,
    actual: string,
  ) => {
    const clause = clauseOf(rule, context.spec);
    if (clause.level === "INFO") {
      // Not binding in this revision: worth knowing, never a warning.
      notes.push(
        `${message} (informational in ${context.spec}: ${clause.cite}); expected ${expected}, got ${actual}`,
      );
      return;
    }
    findings.push({
      rule,
      level: clause.level,
      cite: clause.cite,
      message,
      expected,
      actual,
    });
  };
  const check: Checker = {
    fail: (message, expected, actual) =>
      record(scenario.rule, message, expected, actual),
    violates: record,
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
      record(
        scenario.rule,
        "The scenario could not complete",
        "the exchange to complete",
        error instanceof Error ? error.message : String(error),
      );
    }
  }
  const exchanges = recording.stop();
  // A finding made before a skip still counts: skipping must not hide it.
  const status: Status = findings.some((f) => f.level === "MUST")
    ? "fail"
    : findings.length > 0
    ? "warn"
    : skipped
    ? "skip"
    : "pass";
  const clause = clauseOf(scenario.rule, context.spec);
  return Object.freeze({
    id: scenario.id,
    title: scenario.title,
    rule: scenario.rule,
    level: clause.level,
    spec: clause.cite,
    ...(clause.quote === undefined ? {} : { quote: clause.quote }),
    status,
    findings,
    notes,
    exchanges,
    durationMs: Math.round(performance.now() - started),
  });
}
