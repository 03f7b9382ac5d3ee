// The table `deno task bench:http` prints, and the ratios it records.
import type { WrkResult } from "./wrk.ts";

/** Every round of one scenario. */
export interface ScenarioResult {
  readonly id: string;
  readonly label: string;
  readonly server: string;
  readonly runs: readonly WrkResult[];
}

/** One ratio: throughput of `a` over `b`, and their p50 and p99 latencies. */
export interface Ratio {
  readonly id: string;
  readonly label: string;
  readonly a: string;
  readonly b: string;
  /** Requests per second of `a` ÷ those of `b`. */
  readonly throughput: number;
  /** p50 latency of `a` ÷ that of `b`. */
  readonly p50: number;
  /** p99 latency of `a` ÷ that of `b`. */
  readonly p99: number;
  /** Server CPU per request of `a` ÷ that of `b`; `null` without CPU figures. */
  readonly cpu: number | null;
  /** What issue 12 asks of the throughput ratio, when it asks something. */
  readonly target?: string;
  /** Whether `throughput` meets `target`. */
  readonly met?: boolean;
}

/** [id, a, b, label, minimum throughput ratio]: the comparisons that matter. */
const RATIOS: readonly (readonly [string, string, string, string, number?])[] =
  [
    [
      "vs_express",
      "call_repeated",
      "express_call",
      "tools/call, one token ÷ Express reference",
      5,
    ],
    [
      "vs_none",
      "call_repeated",
      "call_none",
      "tools/call, one token ÷ auth none",
      0.9,
    ],
    [
      "vs_health",
      "call_repeated",
      "health",
      "tools/call, one token ÷ GET /health",
      0.25,
    ],
    [
      "fresh_vs_repeated",
      "call_fresh",
      "call_repeated",
      "fresh token ÷ one token",
    ],
    [
      "cache_vs_nocache",
      "call_repeated",
      "call_repeated_nocache",
      "tools/call, one token ÷ MCP_TOKEN_CACHE_MAX_ENTRIES=0",
    ],
    [
      "fresh_cache_vs_nocache",
      "call_fresh",
      "call_fresh_nocache",
      "fresh token ÷ MCP_TOKEN_CACHE_MAX_ENTRIES=0 (the miss's cost)",
    ],
    [
      "fresh_vs_express",
      "call_fresh",
      "express_fresh",
      "fresh token ÷ Express reference, fresh token",
    ],
    [
      "modern_vs_legacy",
      "call_repeated_modern",
      "call_repeated",
      "2026-07-28 ÷ 2025 era",
    ],
    ["sse_vs_json", "call_sse", "call_repeated", "SSE ÷ JSON"],
    [
      "workers_vs_one",
      "call_workers",
      "call_sqlite",
      "N workers ÷ 1 worker (SQLite)",
    ],
    [
      "workers_vs_one_health",
      "health_workers",
      "health_sqlite",
      "N workers ÷ 1 worker (GET /health, SQLite)",
    ],
    [
      "metrics_call",
      "call_repeated_metrics",
      "call_repeated",
      "Prometheus metrics on ÷ off (tools/call)",
    ],
    [
      "metrics_health",
      "health_metrics",
      "health",
      "Prometheus metrics on ÷ off (GET /health)",
    ],
    [
      "health_vs_bare",
      "health",
      "bare_hono",
      "GET /health ÷ bare Hono (connection layer, middleware, logging)",
    ],
    ["unauthorized_vs_health", "unauthorized", "health", "401 ÷ GET /health"],
    [
      "layer_health",
      "health",
      "health_unguarded",
      "connection layer: GET /health ÷ without it",
    ],
    [
      "layer_call",
      "call_repeated",
      "call_repeated_unguarded",
      "connection layer: tools/call ÷ without it",
    ],
  ];

/** Median server CPU µs per request over a scenario's rounds, or null. */
export function cpuOf(
  results: readonly ScenarioResult[],
  id: string,
): number | null {
  const values = results.find((r) => r.id === id)?.runs
    .map((r) => r.cpuUsPerRequest)
    .filter((v): v is number => v !== undefined && Number.isFinite(v)) ?? [];
  if (values.length === 0) return null;
  return [...values].sort((x, y) => x - y)[values.length >> 1];
}

/** The median round, by throughput. */
export function medianRun(runs: readonly WrkResult[]): WrkResult {
  if (runs.length === 0) throw new RangeError("No runs");
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
}

/**
 * The best round, by throughput: on a shared machine other work only ever
 * slows a round down, so the fastest is the least disturbed.
 */
export function bestRun(runs: readonly WrkResult[]): WrkResult {
  if (runs.length === 0) throw new RangeError("No runs");
  return [...runs].sort((a, b) => b.rps - a.rps)[0];
}

/** How rounds are summarised: `best` (default) or `median`. */
export type RoundStatistic = "best" | "median";

function pick(runs: readonly WrkResult[], stat: RoundStatistic): WrkResult {
  return stat === "best" ? bestRun(runs) : medianRun(runs);
}

/**
 * Every ratio whose two scenarios ran. Each is the median over rounds of
 * the ratio within a round (round i of `a` against round i of `b`, which
 * ran minutes apart at most, under much the same load from elsewhere):
 * steadier on a shared machine than a ratio of two summaries.
 */
export function ratiosOf(results: readonly ScenarioResult[]): Ratio[] {
  const byId = new Map(results.map((r) => [r.id, r.runs]));
  const ratios: Ratio[] = [];
  for (const [id, a, b, label, minimum] of RATIOS) {
    const ra = byId.get(a);
    const rb = byId.get(b);
    if (ra === undefined || rb === undefined) continue;
    const rounds = Math.min(ra.length, rb.length);
    if (rounds === 0) continue;
    const paired = (value: (run: WrkResult) => number | undefined) => {
      const values: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const x = value(ra[i]);
        const y = value(rb[i]);
        if (x !== undefined && y !== undefined && y > 0) values.push(x / y);
      }
      return values.length === 0 ? null : median(values);
    };
    const throughput = paired((r) => r.rps)!;
    ratios.push({
      id,
      label,
      a,
      b,
      throughput,
      p50: paired((r) => r.latencyUs.p50)!,
      p99: paired((r) => r.latencyUs.p99)!,
      cpu: paired((r) => r.cpuUsPerRequest),
      ...(minimum === undefined
        ? {}
        : { target: `>= ${minimum}`, met: throughput >= minimum }),
    });
  }
  return ratios;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[mid]
    : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The printed report: one table of scenarios, one of ratios. */
export function formatReport(
  results: readonly ScenarioResult[],
  ratios: readonly Ratio[],
  skipped: Readonly<Record<string, string>>,
  stat: RoundStatistic = "best",
): string {
  const express = results.find((r) => r.id === "express_call");
  const expressRps = express ? pick(express.runs, stat).rps : undefined;
  const rows = results.map((r) => {
    const m = pick(r.runs, stat);
    return [
      r.id,
      r.label,
      m.rps.toFixed(0),
      (m.latencyUs.p50 / 1000).toFixed(2),
      (m.latencyUs.p99 / 1000).toFixed(2),
      cpuOf(results, r.id)?.toFixed(0) ?? "",
      expressRps === undefined ? "" : (m.rps / expressRps).toFixed(2),
    ];
  });
  for (const [id, reason] of Object.entries(skipped)) {
    rows.push([id, `(not run: ${reason})`, "", "", "", "", ""]);
  }
  const out = [
    table(
      [
        "scenario",
        "what",
        "req/s",
        "p50 ms",
        "p99 ms",
        "CPU µs/req",
        "× Express",
      ],
      rows,
    ),
    "",
    table(
      ["ratio", "throughput", "p50", "p99", "CPU/req", "target"],
      ratios.map((r) => [
        r.label,
        r.throughput.toFixed(2),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
        r.cpu === null ? "" : r.cpu.toFixed(2),
        r.target === undefined
          ? ""
          : `${r.target} ${r.met ? "met" : "NOT met"}`,
      ]),
    ),
  ];
  return out.join("\n");
}

function table(head: readonly string[], rows: readonly string[][]): string {
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (cell ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)]
    .join("\n");
}
