// deno run -A bench/workers/measure.ts [duration] [rounds]: tools/call
// throughput and latency of the MCP_WORKERS prototype with 1 and with N
// workers (N = cores), with and without the connection layer, rounds
// interleaved. On a 2-core machine wrk needs a share of the CPU too, so
// read the ratios, not the absolute numbers.
import { rpcRequest } from "../../fixtures/harness.ts";
import { freePort, type Running, startServer } from "../http/servers.ts";
import { loadTokenPool } from "../http/token_pool.ts";
import { runWrk, type WrkResult } from "../http/wrk.ts";

const durationS = Number(Deno.args[0] ?? 8);
const rounds = Number(Deno.args[1] ?? 3);
const cores = navigator.hardwareConcurrency;
const pool = await loadTokenPool({ resourceId: "res_bench", size: 0 });
const call = rpcRequest("legacy", "tools/call", {
  name: "list_todos",
  arguments: {},
});
const spec = [
  "POST",
  "/mcp",
  ...Object.entries({
    ...call.headers,
    "mcp-protocol-version": "2025-11-25",
    authorization: `Bearer ${pool.repeated}`,
  }).map(([k, v]) => `${k}: ${v}`),
].join("\n") + `\n\n${call.body}`;
const requestFile = await Deno.makeTempFile({ suffix: ".req" });
await Deno.writeTextFile(requestFile, spec);

const variants = [];
for (const guarded of [true, false]) {
  for (const workers of [1, cores]) {
    variants.push({
      guarded,
      workers,
      label: `${workers} worker(s), ${
        guarded ? "with" : "without"
      } connection layer`,
    });
  }
}
const servers: Running[] = [];
const results = new Map<string, WrkResult[]>();
try {
  for (const v of variants) {
    servers.push(
      await startServer(await freePort(), {
        SCALEKIT_ENVIRONMENT_URL: pool.issuerUrl,
        SCALEKIT_RESOURCE_ID: "res_bench",
        MCP_WORKERS: String(v.workers),
        BENCH_GUARDED: v.guarded ? "1" : "0",
      }, { script: "bench/workers/main.ts", denoFlags: ["--unstable-net"] }),
    );
  }
  for (let round = 0; round < rounds; round++) {
    for (const [i, v] of variants.entries()) {
      const url = servers[i].url;
      await runWrk({
        url,
        requestFile,
        durationS: 2,
        connections: 10,
        threads: 1,
      });
      const r = await runWrk({
        url,
        requestFile,
        durationS,
        connections: 10,
        threads: 1,
        pid: servers[i].pid,
      });
      if (r.errors.status > 0) {
        throw new Error(`${v.label}: ${r.errors.status} errors`);
      }
      results.set(v.label, [...(results.get(v.label) ?? []), r]);
      console.error(
        `${v.label}: ${r.rps.toFixed(0)} req/s, p50 ${
          (r.latencyUs.p50 / 1000).toFixed(2)
        } ms, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)} ms, CPU ${
          r.cpuUsPerRequest?.toFixed(0)
        } µs/req`,
      );
    }
  }
} finally {
  for (const s of servers) await s.stop();
  await pool.stop();
  await Deno.remove(requestFile);
}
// The best round: on a shared machine other work only slows a round down.
const median = (runs: WrkResult[]) =>
  [...runs].sort((a, b) => b.rps - a.rps)[0];
console.log(`best of ${rounds} rounds, ${durationS} s each, 10 connections:`);
for (const [label, runs] of results) {
  const m = median(runs);
  console.log(
    `${label.padEnd(44)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${
      (m.latencyUs.p50 / 1000).toFixed(2)
    } ms  p99 ${(m.latencyUs.p99 / 1000).toFixed(2)} ms  CPU ${
      cpu(runs)
    } µs/req (median)`,
  );
}

function cpu(runs: WrkResult[]): string {
  const values = runs.map((r) => r.cpuUsPerRequest ?? NaN)
    .filter(Number.isFinite).sort((a, b) => a - b);
  return values.length === 0 ? "?" : values[values.length >> 1].toFixed(0);
}
