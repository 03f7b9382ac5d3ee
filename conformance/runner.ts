/**
 * Runs the selected scenarios against the server under test, totals the
 * outcome and groups findings that share one root cause.
 *
 * @module
 */

import { discover, type Discovery } from "./discovery_facts.ts";
import { createForger } from "./forge.ts";
import type { MockIssuer } from "./issuer/types.ts";
import type { RunOptions } from "./options.ts";
import { createProbe } from "./probe.ts";
import {
  type Finding,
  runScenario,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from "./scenario.ts";
import type { RuleId, SpecRevision } from "./spec.ts";

/** Totals of a run; each scenario is counted in exactly one of the four. */
export interface Summary {
  /** Scenarios that passed. */
  readonly passed: number;
  /** Scenarios with a MUST finding. */
  readonly failed: number;
  /** Scenarios with SHOULD findings only: not a pass, and with `--strict` a reason to fail the run. */
  readonly warnings: number;
  /** Scenarios that did not apply. */
  readonly skipped: number;
  /** Whether warnings fail the run. */
  readonly strict: boolean;
  /** The revision the run judged against. */
  readonly spec: SpecRevision;
}

/** One root cause: the same rule broken the same way in several scenarios. */
export interface FindingGroup {
  /** `G1`, `G2`, … in order of first appearance. */
  readonly id: string;
  /** The broken rule. */
  readonly rule: RuleId;
  /** Its level in the run's revision. */
  readonly level: "MUST" | "SHOULD";
  /** Where the rule is written. */
  readonly cite: string;
  /** The shared message. */
  readonly message: string;
  /** What each scenario saw, in run order. */
  readonly cases: ReadonlyArray<
    { readonly scenario: string; readonly actual: string }
  >;
}

/** Everything a report needs. */
export interface RunReport {
  /** The MCP endpoint checked. */
  readonly url: string;
  /** The mock issuer's environment URL; `undefined` in live mode. */
  readonly issuerUrl?: string;
  /** Whether the run was in live mode. */
  readonly live: boolean;
  /** ISO 8601 start time. */
  readonly startedAt: string;
  /** Wall time, in milliseconds. */
  readonly durationMs: number;
  /** One result per scenario, in run order. */
  readonly results: readonly ScenarioResult[];
  /** Findings grouped by root cause, in order of first appearance. */
  readonly groups: readonly FindingGroup[];
  /** Totals. */
  readonly summary: Summary;
}

/** Options for {@link runSuite}. */
export interface RunSuiteOptions {
  /** The run's options. */
  readonly options: RunOptions;
  /** The mock issuer the server trusts; absent in live mode. */
  readonly issuer?: MockIssuer;
  /** Live mode: the token from `--token-file`. Never printed. */
  readonly liveToken?: string;
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
    secrets: suite.liveToken === undefined
      ? []
      : [{ value: suite.liveToken, label: "token from --token-file" }],
  });
  const facts = new Map<string, Promise<unknown>>();
  function once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let fact = facts.get(key) as Promise<T> | undefined;
    if (fact === undefined) {
      fact = compute().catch((error) => {
        facts.delete(key);
        throw error;
      });
      facts.set(key, fact);
    }
    return fact;
  }
  const discovery = () =>
    once<Discovery>("discovery", () => discover(probe, options.url));
  const context: ScenarioContext = {
    options,
    spec: options.spec,
    ...(issuer ? { issuer } : {}),
    ...(suite.liveToken !== undefined ? { liveToken: suite.liveToken } : {}),
    probe,
    ...(suite.nextKid !== undefined ? { nextKid: suite.nextKid } : {}),
    ...(issuer === undefined
      ? {
        forger: createForger({
          probe,
          mcpUrl: options.url,
          discovery,
          realToken: suite.liveToken,
          scopes: options.scopes,
        }),
      }
      : {}),
    discovery,
    once,
  };
  const results: ScenarioResult[] = [];
  for (const scenario of suite.scenarios) {
    const result = await runScenario(scenario, context);
    results.push(result);
    suite.onResult?.(result);
  }
  return {
    url: options.url,
    ...(issuer ? { issuerUrl: issuer.url } : {}),
    live: options.live,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    results,
    groups: groupFindings(results),
    summary: summarize(results, options.strict, options.spec),
  };
}

/** Totals results, each in exactly one count. */
export function summarize(
  results: readonly ScenarioResult[],
  strict: boolean,
  spec: SpecRevision,
): Summary {
  const count = (status: ScenarioResult["status"]) =>
    results.filter((r) => r.status === status).length;
  return {
    passed: count("pass"),
    failed: count("fail"),
    warnings: count("warn"),
    skipped: count("skip"),
    strict,
    spec,
  };
}

/**
 * The process exit status a run earns: 1 when a scenario failed, or when
 * one warned under `--strict`; 0 otherwise. CI relies on it.
 */
export function exitStatus(summary: Summary): 0 | 1 {
  if (summary.failed > 0) return 1;
  if (summary.strict && summary.warnings > 0) return 1;
  return 0;
}

/** The key two findings share when they have one root cause. */
export function groupKey(finding: Finding): string {
  return `${finding.rule}\u0000${finding.message}`;
}

/**
 * Groups findings by root cause (same rule, same message) across scenarios,
 * in order of first appearance. A finding seen in one scenario only is a
 * group of one.
 */
export function groupFindings(
  results: readonly ScenarioResult[],
): FindingGroup[] {
  const groups = new Map<
    string,
    {
      rule: RuleId;
      level: "MUST" | "SHOULD";
      cite: string;
      message: string;
      cases: Array<{ scenario: string; actual: string }>;
    }
  >();
  for (const result of results) {
    for (const finding of result.findings) {
      const key = groupKey(finding);
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          rule: finding.rule,
          level: finding.level,
          cite: finding.cite,
          message: finding.message,
          cases: [],
        };
        groups.set(key, group);
      }
      group.cases.push({ scenario: result.id, actual: finding.actual });
    }
  }
  return [...groups.values()].map((group, i) => ({
    id: `G${i + 1}`,
    ...group,
  }));
}
