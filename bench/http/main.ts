// deno task bench:http: this server on loopback under a load generator
// (wrk, from Debian), side by side with a bare Hono route and with a
// reference server built the way the Scalekit Express guide builds one
// (bench/express/). Every figure comes from one run on one machine; the
// results are the ratios, the absolute numbers are for the record.
//
//   deno task bench:http [--duration 10] [--warmup 2] [--connections 10]
//     [--rounds 1] [--pool 20000] [--workers auto] [--only a,b] [--json FILE]
//     [--stat best|median] [--seed 1]
//
// Each row is summarised by its best round (--stat best, the default: on a
// shared machine other work only ever slows a round down) or its median.
//
// It needs `wrk` on the PATH (`apt-get install wrk`) and, for the Express
// rows, Node and npm: the reference's packages are installed once into
// ~/.cache/mcp-scalekit-ci/bench-express (never into this repository).
import { parseArgs } from "node:util";
import { rpcRequest } from "../../fixtures/harness.ts";
import { loadTokenPool } from "./token_pool.ts";
import {
  freePort,
  type Running,
  startBareHono,
  startExpress,
  startServer,
} from "./servers.ts";
import { runWrk, type WrkResult } from "./wrk.ts";
import {
  bestRun,
  formatReport,
  medianRun,
  ratiosOf,
  type ScenarioResult,
} from "./report.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "1" },
    pool: { type: "string", default: "20000" },
    workers: { type: "string", default: "auto" },
    only: { type: "string" },
    json: { type: "string", default: "bench/results/http-latest.json" },
    stat: { type: "string", default: "best" },
    seed: { type: "string", default: "1" },
  },
});
const durationS = positive("duration");
const warmupS = Math.max(0, Number(args.values.warmup));
const connections = positive("connections");
const threads = positive("threads");
const rounds = positive("rounds");
const poolSize = positive("pool");
const workers = args.values.workers === "auto"
  ? navigator.hardwareConcurrency
  : positive("workers");
const only = args.values.only?.split(",").map((id) => id.trim());
const stat = args.values.stat === "median" ? "median" : "best";
const seed = Number(args.values.seed) >>> 0;

function positive(name: keyof typeof args.values): number {
  const value = Number(args.values[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer`);
    Deno.exit(2);
  }
  return value;
}

const RESOURCE = "res_bench";
const TOOL = "list_todos";

/** What one scenario sends, to which server, and what it must get back. */
interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly server: ServerKind;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** `one`: the same token every time; `pool`: a fresh token per request. */
  readonly tokens: "none" | "one" | "pool";
  readonly expect: number;
}

type ServerKind =
  | "bare_hono"
  | "ours"
  | "ours_none"
  | "ours_sse"
  | "ours_sqlite"
  | "ours_workers"
  | "ours_metrics"
  | "ours_unguarded"
  | "ours_nocache"
  | "express";

const legacyCall = rpcRequest("legacy", "tools/call", {
  name: TOOL,
  arguments: {},
});
const modernCall = rpcRequest("modern", "tools/call", {
  name: TOOL,
  arguments: {},
});
// The 2025-era request both servers understand: same bytes to each.
const LEGACY_HEADERS = {
  ...legacyCall.headers,
  "mcp-protocol-version": "2025-11-25",
};

const SCENARIOS: readonly Scenario[] = [
  {
    id: "bare_hono",
    label: "bare Hono route (Deno.serve, no middleware)",
    server: "bare_hono",
    method: "GET",
    path: "/health",
    headers: {},
    tokens: "none",
    expect: 200,
  },
  {
    id: "health",
    label: "GET /health (this server)",
    server: "ours",
    method: "GET",
    path: "/health",
    headers: {},
    tokens: "none",
    expect: 200,
  },
  {
    id: "health_unguarded",
    label: "GET /health, without the connection layer",
    server: "ours_unguarded",
    method: "GET",
    path: "/health",
    headers: {},
    tokens: "none",
    expect: 200,
  },
  {
    id: "unauthorized",
    label: "POST /mcp without a token: 401",
    server: "ours",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "none",
    expect: 401,
  },
  {
    id: "call_repeated",
    label: `tools/call ${TOOL}, one token (2025 era)`,
    server: "ours",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "call_repeated_unguarded",
    label: `tools/call ${TOOL}, one token, without the connection layer`,
    server: "ours_unguarded",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "call_repeated_modern",
    label: `tools/call ${TOOL}, one token (2026-07-28)`,
    server: "ours",
    method: "POST",
    path: "/mcp",
    headers: modernCall.headers,
    body: modernCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "call_fresh",
    label: `tools/call ${TOOL}, a fresh token per request`,
    server: "ours",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "pool",
    expect: 200,
  },
  {
    id: "call_repeated_nocache",
    label: `tools/call ${TOOL}, one token, MCP_TOKEN_CACHE_MAX_ENTRIES=0`,
    server: "ours_nocache",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "call_fresh_nocache",
    label:
      `tools/call ${TOOL}, a fresh token per request, MCP_TOKEN_CACHE_MAX_ENTRIES=0`,
    server: "ours_nocache",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "pool",
    expect: 200,
  },
  {
    id: "call_none",
    label: `tools/call ${TOOL}, auth none`,
    server: "ours_none",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "none",
    expect: 200,
  },
  {
    id: "call_sse",
    label: `tools/call ${TOOL}, one token, MCP_RESPONSE_MODE=sse`,
    server: "ours_sse",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "call_sqlite",
    label: `tools/call ${TOOL}, one token, SQLite store`,
    server: "ours_sqlite",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "health_sqlite",
    label: "GET /health, SQLite store",
    server: "ours_sqlite",
    method: "GET",
    path: "/health",
    headers: {},
    tokens: "none",
    expect: 200,
  },
  {
    id: "call_workers",
    label: `tools/call ${TOOL}, one token, MCP_WORKERS=${workers}`,
    server: "ours_workers",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "health_workers",
    label: `GET /health, MCP_WORKERS=${workers}`,
    server: "ours_workers",
    method: "GET",
    path: "/health",
    headers: {},
    tokens: "none",
    expect: 200,
  },
  {
    id: "health_metrics",
    label: "GET /health, Prometheus metrics on (MCP_METRICS_PORT)",
    server: "ours_metrics",
    method: "GET",
    path: "/health",
    headers: {},
    tokens: "none",
    expect: 200,
  },
  {
    id: "call_repeated_metrics",
    label: `tools/call ${TOOL}, one token, Prometheus metrics on`,
    server: "ours_metrics",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "express_call",
    label: `Express reference: tools/call ${TOOL}, one token`,
    server: "express",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "one",
    expect: 200,
  },
  {
    id: "express_fresh",
    label: `Express reference: tools/call ${TOOL}, a fresh token per request`,
    server: "express",
    method: "POST",
    path: "/mcp",
    headers: LEGACY_HEADERS,
    body: legacyCall.body,
    tokens: "pool",
    expect: 200,
  },
];

const selected = SCENARIOS.filter((scenario) =>
  only === undefined || only.includes(scenario.id)
);

const loadavgBefore = Deno.loadavg();
const work = await Deno.makeTempDir({ prefix: "bench-http-" });
const started: { stop(): Promise<void> }[] = [];
try {
  console.error("minting tokens (a pool is reused across runs for 20 h)…");
  const pool = await loadTokenPool({
    resourceId: RESOURCE,
    size: selected.some((s) => s.tokens === "pool") ? poolSize : 0,
  });
  started.push(pool);
  const baseEnv = {
    SCALEKIT_ENVIRONMENT_URL: pool.issuerUrl,
    SCALEKIT_RESOURCE_ID: RESOURCE,
  };
  const servers = new Map<ServerKind, Running>();
  const serverFor = async (kind: ServerKind): Promise<Running> => {
    const known = servers.get(kind);
    if (known !== undefined) return known;
    const port = await freePort();
    let running: Running;
    switch (kind) {
      case "bare_hono":
        running = await startBareHono(port);
        break;
      case "express":
        running = await startExpress(port, baseEnv);
        break;
      case "ours":
        running = await startServer(port, baseEnv);
        break;
      case "ours_nocache":
        running = await startServer(port, {
          ...baseEnv,
          MCP_TOKEN_CACHE_MAX_ENTRIES: "0",
        });
        break;
      case "ours_unguarded":
        running = await startServer(port, baseEnv, {
          script: "bench/http/unguarded_server.ts",
        });
        break;
      case "ours_none":
        running = await startServer(port, { FASTMCP_SERVER_AUTH: "none" });
        break;
      case "ours_sse":
        running = await startServer(port, {
          ...baseEnv,
          MCP_RESPONSE_MODE: "sse",
        });
        break;
      case "ours_sqlite":
        // One isolate on the SQLite store every MCP_WORKERS row needs (the
        // memory store serves one isolate only), so N ÷ 1 compares like
        // with like.
        running = await startServer(port, { ...baseEnv, DATABASE_URL: "" });
        break;
      case "ours_workers":
        running = await startServer(port, {
          ...baseEnv,
          DATABASE_URL: "",
          MCP_WORKERS: String(workers),
        });
        break;
      case "ours_metrics":
        running = await startServer(port, {
          ...baseEnv,
          MCP_METRICS_PORT: "0",
        });
        break;
    }
    started.push(running);
    servers.set(kind, running);
    return running;
  };

  // Every server starts first; then the rounds go round-robin over the
  // scenarios, so a burst of load from elsewhere on a shared machine lands
  // on all of them rather than on one.
  const prepared = [];
  for (const scenario of selected) {
    const server = await serverFor(scenario.server);
    const headers = {
      ...scenario.headers,
      ...(scenario.tokens === "none"
        ? {}
        : { authorization: `Bearer ${pool.repeated}` }),
    };
    await preflight(server.url, scenario, headers);
    const requestFile = `${work}/${scenario.id}.req`;
    await Deno.writeTextFile(
      requestFile,
      requestSpec(scenario.method, scenario.path, headers, scenario.body),
    );
    // Requests with a token carry it in report.lua's own Authorization
    // header, the same for one token and for the pool.
    const poolRequestFile = `${work}/${scenario.id}.pool.req`;
    await Deno.writeTextFile(
      poolRequestFile,
      requestSpec(
        scenario.method,
        scenario.path,
        scenario.headers,
        scenario.body,
      ),
    );
    // Each round of a scenario gets its own slice of the pool: a server
    // process never sees a pool token twice (it may keep a token cache).
    const tokenFiles: string[] = [];
    if (scenario.tokens === "pool") {
      const slice = Math.floor(pool.fresh.length / rounds);
      for (let round = 0; round < rounds; round++) {
        const file = `${work}/${scenario.id}.${round}.tokens`;
        const tokens = pool.fresh.slice(round * slice, (round + 1) * slice);
        await Deno.writeTextFile(file, tokens.join("\n") + "\n");
        tokenFiles.push(file);
      }
    }
    prepared.push({
      scenario,
      server,
      requestFile,
      poolRequestFile,
      tokenFiles,
    });
  }

  const runs = new Map<string, WrkResult[]>(selected.map((s) => [s.id, []]));
  // Each round runs the scenarios in a new order: what ran just before
  // (a 401 flood's closed connections, another server's GC) would otherwise
  // always land on the same scenario.
  const random = seededRandom(seed);
  for (let round = 0; round < rounds; round++) {
    for (const p of shuffled(prepared, random)) {
      if (warmupS > 0) {
        await runWrk({
          url: p.server.url,
          requestFile: p.scenario.tokens === "none"
            ? p.requestFile
            : p.poolRequestFile,
          token: p.scenario.tokens === "none" ? undefined : pool.repeated,
          durationS: warmupS,
          connections,
          threads,
        });
      }
      const tokensFile = p.tokenFiles[round];
      const result = await runWrk({
        url: p.server.url,
        requestFile: p.scenario.tokens === "none"
          ? p.requestFile
          : p.poolRequestFile,
        tokensFile,
        token: p.scenario.tokens === "one" ? pool.repeated : undefined,
        durationS,
        connections,
        threads,
        pid: p.server.pid,
      });
      checkStatuses(p.scenario, result);
      runs.get(p.scenario.id)!.push(result);
      console.error(
        `${p.scenario.id.padEnd(22)} round ${round + 1}: ${
          result.rps.toFixed(0)
        } req/s, p50 ${(result.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${
          (result.latencyUs.p99 / 1000).toFixed(2)
        } ms, server CPU ${result.cpuUsPerRequest?.toFixed(0)} µs/req${
          tokensFile === undefined
            ? ""
            : ` (${result.requests} fresh tokens in ${
              (result.durationUs / 1e6).toFixed(1)
            } s)`
        }`,
      );
    }
  }
  const results: ScenarioResult[] = selected.map((scenario) => ({
    id: scenario.id,
    label: scenario.label,
    server: scenario.server,
    runs: runs.get(scenario.id)!,
  }));

  const ratios = ratiosOf(results);
  console.log(formatReport(results, ratios, {}, stat));
  const record = {
    date: new Date().toISOString(),
    machine: {
      cores: navigator.hardwareConcurrency,
      loadavgBefore,
      loadavgAfter: Deno.loadavg(),
      deno: Deno.version.deno,
      node: await versionOf("node", ["--version"]),
      wrk: await versionOf("wrk", ["--version"]),
    },
    options: {
      durationS,
      warmupS,
      connections,
      threads,
      rounds,
      stat,
      seed,
      poolSize,
      workers,
    },
    scenarios: results.map((result) => ({
      id: result.id,
      label: result.label,
      server: result.server,
      ...summary(result.runs, stat),
      runs: result.runs,
    })),
    ratios,
  };
  const jsonPath = args.values.json;
  await Deno.mkdir(jsonPath.replace(/\/[^/]*$/, ""), { recursive: true })
    .catch(() => {});
  await Deno.writeTextFile(jsonPath, JSON.stringify(record, null, 2) + "\n");
  console.error(`wrote ${jsonPath}`);
} finally {
  for (const running of started.reverse()) await running.stop();
  await Deno.remove(work, { recursive: true });
}

function summary(runs: readonly WrkResult[], stat: "best" | "median") {
  const chosen = stat === "best" ? bestRun(runs) : medianRun(runs);
  return {
    rps: chosen.rps,
    p50Ms: chosen.latencyUs.p50 / 1000,
    p99Ms: chosen.latencyUs.p99 / 1000,
    cpuUsPerRequest: medianOf(
      runs.map((r) => r.cpuUsPerRequest ?? NaN).filter(Number.isFinite),
    ),
  };
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

/** A small deterministic generator (mulberry32), so an order can be rerun. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function requestSpec(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): string {
  const lines = [method, path];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join("\n")}\n\n${body}`;
}

/** One request by fetch first: the flood must measure the answer it claims to. */
async function preflight(
  url: string,
  scenario: Scenario,
  headers: Record<string, string>,
): Promise<void> {
  const response = await fetch(`${url}${scenario.path}`, {
    method: scenario.method,
    headers,
    body: scenario.body,
  });
  const text = await response.text();
  const ok = response.status === scenario.expect &&
    (scenario.body === undefined || scenario.expect !== 200 ||
      (text.includes('"result"') && !text.includes('"isError":true')));
  if (!ok) {
    throw new Error(
      `${scenario.id}: expected ${scenario.expect}, got ${response.status}: ${
        text.slice(0, 300)
      }`,
    );
  }
}

function checkStatuses(scenario: Scenario, result: WrkResult): void {
  // wrk counts every answer outside 2xx/3xx as a status error.
  const wrong = scenario.expect < 400
    ? result.errors.status
    : result.requests - result.errors.status;
  if (wrong > 0 || result.errors.timeout > 0) {
    throw new Error(
      `${scenario.id}: ${wrong} answers were not ${scenario.expect}, ${result.errors.timeout} timed out`,
    );
  }
}

async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await new Deno.Command(command, { args })
      .output();
    const text = new TextDecoder().decode(stdout) +
      new TextDecoder().decode(stderr);
    return text.split("\n")[0].trim();
  } catch {
    return "not found";
  }
}
