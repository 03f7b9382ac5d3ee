/**
 * Runs the selected scenarios against the server under test and totals the
 * outcome.
 *
 * @module
 */

import type { MockIssuer } from "./issuer/types.ts";
import type { RunOptions } from "./options.ts";
import { createProbe } from "./probe.ts";
import { runScenario, type Scenario, type ScenarioResult } from "./scenario.ts";

/** Totals of a run. */
export interface Summary {
  /** Scenarios that passed (with warnings, unless strict). */
  readonly passed: number;
  /** Scenarios that failed (MUST failures; with `--strict` also warnings). */
  readonly failed: number;
  /** Scenarios with SHOULD findings only. */
  readonly warnings: number;
  /** Scenarios that did not apply. */
  readonly skipped: number;
  /** Whether warnings counted as failures. */
  readonly strict: boolean;
}

/** Everything a report needs. */
export interface RunReport {
  /** The MCP endpoint checked. */
  readonly url: string;
  /** The mock issuer's environment URL. */
  readonly issuerUrl: string;
  /** ISO 8601 start time. */
  readonly startedAt: string;
  /** Wall time, in milliseconds. */
  readonly durationMs: number;
  /** One result per scenario, in run order. */
  readonly results: readonly ScenarioResult[];
  /** Totals. */
  readonly summary: Summary;
}

/** Options for {@link runSuite}. */
export interface RunSuiteOptions {
  /** The run's options. */
  readonly options: RunOptions;
  /** The mock issuer the server trusts. */
  readonly issuer: MockIssuer;
  /** The scenarios to run. */
  readonly scenarios: readonly Scenario[];
  /** A key published before the server started, for the rotation scenario. */
  readonly nextKid?: string;
  /** Called after each scenario, for live output. */
  readonly onResult?: (result: ScenarioResult) => void;
}

/** Runs scenarios one after another (they share one server). */
export async function runSuite(suite: RunSuiteOptions): Promise<RunReport> {
  const { options, issuer } = suite;
  const startedAt = new Date();
  const started = performance.now();
  const probe = createProbe({
    mcpUrl: options.url,
    timeoutMs: options.requestTimeoutMs,
  });
  const context = { options, issuer, probe, nextKid: suite.nextKid };
  const results: ScenarioResult[] = [];
  for (const scenario of suite.scenarios) {
    const result = await runScenario(scenario, context);
    results.push(result);
    suite.onResult?.(result);
  }
  return {
    url: options.url,
    issuerUrl: issuer.url,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    results,
    summary: summarize(results, options.strict),
  };
}

/** Totals results; with `strict`, warnings count as failures. */
export function summarize(
  results: readonly ScenarioResult[],
  strict: boolean,
): Summary {
  const count = (status: ScenarioResult["status"]) =>
    results.filter((r) => r.status === status).length;
  const warnings = count("warn");
  return {
    passed: count("pass") + (strict ? 0 : warnings),
    failed: count("fail") + (strict ? warnings : 0),
    warnings,
    skipped: count("skip"),
    strict,
  };
}
