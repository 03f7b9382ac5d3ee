// deno task profile: where a `tools/call` spends its CPU. Starts this server
// with `--inspect`, floods it with `tools/call` (wrk), and takes a CPU
// profile over the V8 inspector protocol (Profiler.start/stop) meanwhile,
// plus the heap (Runtime.getHeapUsage) and RSS (/proc) before, during and
// after. Prints the share of CPU per category (self, and inclusive: the
// time with that category anywhere on the stack), the top functions, and
// CPU per request; writes the raw profile (open it in Chrome DevTools) and
// a JSON summary.
//
//   deno task profile [--duration 15] [--connections 10] [--tokens one|fresh]
//     [--auth scalekit|none] [--unguarded] [--request call|health|refused]
//     [--v8-flags=--max-semi-space-size=…] [--env NAME=value] [--memory]
//     [--out bench/results/profile]
import { parseArgs } from "node:util";
import { rpcRequest } from "../../fixtures/harness.ts";
import { loadTokenPool } from "./token_pool.ts";
import { freePort, startServer } from "./servers.ts";
import { runWrk } from "./wrk.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "15" },
    connections: { type: "string", default: "10" },
    tokens: { type: "string", default: "one" },
    auth: { type: "string", default: "scalekit" },
    unguarded: { type: "boolean", default: false },
    // `health`: profile `GET /health` (same middleware, no MCP, no token);
    // `refused`: the same `tools/call` without a token, answered 401.
    request: { type: "string", default: "call" },
    // Memory only: no CPU profile (its samples live in the server's heap
    // and would inflate what is measured over a long run).
    memory: { type: "boolean", default: false },
    env: { type: "string", multiple: true },
    // Passed to the server as `deno run --v8-flags=…` (memory experiments).
    "v8-flags": { type: "string" },
    interval: { type: "string", default: "200" },
    out: { type: "string", default: "bench/results/profile" },
  },
});
const durationS = Number(args.values.duration);
const connections = Number(args.values.connections);
const fresh = args.values.tokens === "fresh";
const none = args.values.auth === "none";
const RESOURCE = "res_bench";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** A minimal client of the V8 inspector protocol over its WebSocket. */
async function connectInspector(port: number) {
  let targets: { webSocketDebuggerUrl: string }[] = [];
  for (let i = 0; i < 100 && targets.length === 0; i++) {
    try {
      targets = await (await fetch(`http://127.0.0.1:${port}/json/list`))
        .json();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 1;
  const waiting = new Map<number, (message: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  };
  return {
    async send<T = unknown>(method: string, params = {}): Promise<T> {
      const id = nextId++;
      const reply = new Promise<{ result?: T; error?: unknown }>((resolve) =>
        waiting.set(id, resolve as (m: unknown) => void)
      );
      socket.send(JSON.stringify({ id, method, params }));
      const { result, error } = await reply;
      if (error !== undefined) {
        throw new Error(`${method}: ${JSON.stringify(error)}`);
      }
      return result as T;
    },
    close: () => socket.close(),
  };
}

/** Resident set size of `pid`, in KiB (`ps`: reading /proc needs --allow-all). */
function rssKiB(pid: number): number {
  const { stdout, success } = new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  return success ? Number(new TextDecoder().decode(stdout).trim()) : NaN;
}

/** The category of a frame, from its script URL and function name. */
function categoryOf(frame: CallFrame): string {
  const { url, functionName: name } = frame;
  if (name === "(idle)") return "idle";
  if (name === "(garbage collector)") return "GC";
  if (name === "(program)") return "V8/native (program)";
  if (
    /\/(ajv|ajv-formats|json-schema-traverse|fast-uri|fast-deep-equal)[@/]/
      .test(url)
  ) {
    return "ajv (JSON Schema)";
  }
  if (/DOMException|McpError|ProtocolError|SdkError/.test(name)) {
    return "error objects (DOMException/McpError)";
  }
  if (url.includes("/src/log/") || name === "op_print") return "logging";
  if (/_proxied_connection\.ts|guarded_server\.ts/.test(url)) {
    return "connection layer (src/http/guarded_server)";
  }
  if (
    url.includes("/jose@") || url.includes("/jose/") ||
    url.includes("ext:deno_crypto")
  ) {
    return "token verification (jose, WebCrypto)";
  }
  if (url.includes("/zod@") || url.includes("/zod/")) return "zod";
  if (url.includes("@modelcontextprotocol")) return "MCP SDK";
  if (url.includes("/hono@") || url.includes("/hono/")) return "hono";
  if (url.startsWith("ext:deno_http") || url.startsWith("ext:deno_net")) {
    return "Deno HTTP/net";
  }
  if (url.includes("/src/")) return "this server (src/, other)";
  if (url.startsWith("ext:") || url.startsWith("node:")) {
    return "Deno runtime (ext:)";
  }
  if (url === "") return "V8 builtins";
  return "other";
}

/** Categories that are counted inclusively (anywhere on the stack). */
const INCLUSIVE = [
  "ajv (JSON Schema)",
  "error objects (DOMException/McpError)",
  "logging",
  "connection layer (src/http/guarded_server)",
  "token verification (jose, WebCrypto)",
  "zod",
  "MCP SDK",
  "hono",
];

function analyse(profile: Profile, requests: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const leaf = byId.get(profile.samples[i])!;
    const category = categoryOf(leaf.callFrame);
    self.set(category, (self.get(category) ?? 0) + dt);
    if (category === "idle") continue;
    busy += dt;
    const f = leaf.callFrame;
    const fname = `${f.functionName || "(anonymous)"} ${
      f.url.replace(/^.*\/(node_modules|registry\.npmjs\.org)\//, "")
        .replace(/^file:\/\/.*?\/(src|bench)\//, "$1/")
    }:${f.lineNumber + 1}`;
    functions.set(fname, (functions.get(fname) ?? 0) + dt);
    const seen = new Set<string>();
    let id: number | undefined = leaf.id;
    while (id !== undefined) {
      seen.add(categoryOf(byId.get(id)!.callFrame));
      id = parent.get(id);
    }
    for (const c of seen) inclusive.set(c, (inclusive.get(c) ?? 0) + dt);
  }
  const perRequestUs = busy / requests;
  return {
    sampledMs: total / 1000,
    busyMs: busy / 1000,
    requests,
    cpuUsPerRequest: perRequestUs,
    self: [...self.entries()]
      .filter(([c]) => c !== "idle")
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({
        category,
        share: us / busy,
        usPerRequest: us / requests,
      })),
    inclusive: INCLUSIVE.map((category) => ({
      category,
      share: (inclusive.get(category) ?? 0) / busy,
      usPerRequest: (inclusive.get(category) ?? 0) / requests,
    })),
    topFunctions: [...functions.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([name, us]) => ({ name, share: us / busy })),
  };
}

const pool = await loadTokenPool({
  resourceId: RESOURCE,
  size: fresh ? 20_000 : 0,
});
const inspectPort = await freePort();
const port = await freePort();
const server = await startServer(
  port,
  {
    ...(none ? { FASTMCP_SERVER_AUTH: "none" } : {
      SCALEKIT_ENVIRONMENT_URL: pool.issuerUrl,
      SCALEKIT_RESOURCE_ID: RESOURCE,
    }),
    // `--env NAME=value`, repeatable: for the server (MALLOC_ARENA_MAX…).
    ...Object.fromEntries(
      (args.values.env ?? []).map((pair) => {
        const at = pair.indexOf("=");
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
  },
  {
    denoFlags: [
      `--inspect=127.0.0.1:${inspectPort}`,
      ...(args.values["v8-flags"]
        ? [`--v8-flags=${args.values["v8-flags"]}`]
        : []),
    ],
    ...(args.values.unguarded
      ? { script: "bench/http/unguarded_server.ts" }
      : {}),
  },
);
const work = await Deno.makeTempDir({ prefix: "profile-" });
try {
  const call = rpcRequest("legacy", "tools/call", {
    name: "list_todos",
    arguments: {},
  });
  const headers: Record<string, string> = {
    ...call.headers,
    "mcp-protocol-version": "2025-11-25",
  };
  const health = args.values.request === "health";
  const refused = args.values.request === "refused";
  if (!["call", "health", "refused"].includes(args.values.request)) {
    throw new Error(`--request must be call, health or refused`);
  }
  const lines = (h: Record<string, string>) =>
    health
      ? "GET\n/health\n\n"
      : ["POST", "/mcp", ...Object.entries(h).map(([k, v]) => `${k}: ${v}`)]
        .join("\n") + `\n\n${call.body}`;
  const requestFile = `${work}/call.req`;
  await Deno.writeTextFile(
    requestFile,
    lines(
      none || refused
        ? headers
        : { ...headers, authorization: `Bearer ${pool.repeated}` },
    ),
  );
  const poolRequestFile = `${work}/pool.req`;
  await Deno.writeTextFile(poolRequestFile, lines(headers));
  const tokensFile = `${work}/tokens`;
  if (fresh) await Deno.writeTextFile(tokensFile, pool.fresh.join("\n") + "\n");

  const inspector = await connectInspector(inspectPort);
  const pid = server.pid!;
  type Heap = { usedSize: number; totalSize: number };
  const rssAtStart = rssKiB(pid);
  const heapAtStart = await inspector.send<Heap>("Runtime.getHeapUsage");
  // Warm up (JIT, JWKS fetch), then profile a steady flood.
  await runWrk({
    url: server.url,
    requestFile,
    durationS: 3,
    connections,
    threads: 1,
  });
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", {
    interval: Number(args.values.interval),
  });
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssKiB(pid)), 1000);
  // Heap in use next to RSS every 5 s: what of RSS is the JS heap.
  const heapUsed: number[] = [];
  const heapSampler = setInterval(() => {
    inspector.send<Heap>("Runtime.getHeapUsage").then(
      (heap) => heapUsed.push(heap.usedSize / 1024),
      () => {},
    );
  }, 5000);
  const profiling = !args.values.memory;
  if (profiling) await inspector.send("Profiler.start");
  const flood = await runWrk({
    url: server.url,
    requestFile: fresh ? poolRequestFile : requestFile,
    tokensFile: fresh ? tokensFile : undefined,
    durationS,
    connections,
    threads: 1,
    pid,
  });
  const { profile } = profiling
    ? await inspector.send<{ profile: Profile }>("Profiler.stop")
    : { profile: undefined };
  clearInterval(heapSampler);
  // wrk counts answers outside 2xx/3xx: a profile of 429s or 401s is not
  // a profile of the request it claims to be.
  // (A 401 is what `--request refused` profiles: wrk counts it as an
  // error; bench/http/report.lua checks statuses, but this flood does not.)
  if (
    (flood.errors.status > 0 && !refused) || flood.errors.timeout > 0
  ) {
    throw new Error(
      `${flood.errors.status} answers were not 2xx, ${flood.errors.timeout} timed out`,
    );
  }
  clearInterval(sampler);
  const heapAfterLoad = await inspector.send<Heap>("Runtime.getHeapUsage");
  await inspector.send("HeapProfiler.collectGarbage");
  const heapAfterGc = await inspector.send<Heap>("Runtime.getHeapUsage");
  const rssAfter = rssKiB(pid);
  inspector.close();

  const analysis = profile === undefined
    ? undefined
    : analyse(profile, flood.requests);
  const mib = (kib: number) => Math.round(kib / 102.4) / 10;
  const memory = {
    rssMiB: {
      start: mib(rssAtStart),
      duringMin: mib(Math.min(...rss)),
      duringMax: mib(Math.max(...rss)),
      afterGc: mib(rssAfter),
    },
    heapUsedMiB: {
      start: Math.round(heapAtStart.usedSize / 104857.6) / 10,
      afterLoad: Math.round(heapAfterLoad.usedSize / 104857.6) / 10,
      afterGc: Math.round(heapAfterGc.usedSize / 104857.6) / 10,
    },
  };
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
  console.log(
    `${flood.requests} requests in ${(flood.durationUs / 1e6).toFixed(1)} s (${
      flood.rps.toFixed(0)
    } req/s, p50 ${(flood.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${
      (flood.latencyUs.p99 / 1000).toFixed(2)
    } ms, server CPU ${
      flood.cpuUsPerRequest?.toFixed(0)
    } µs per request, all threads)${
      analysis === undefined
        ? ""
        : `; profiled CPU ${
          analysis.cpuUsPerRequest.toFixed(0)
        } µs per request (main thread)`
    }\n`,
  );
  // Per minute: is RSS flat?
  for (let minute = 0; minute * 60 < rss.length; minute++) {
    const slice = rss.slice(minute * 60, (minute + 1) * 60);
    const heap = heapUsed.slice(minute * 12, (minute + 1) * 12);
    // The heap is sampled every 5 s: a shorter run has no sample.
    const heapRange = heap.length === 0
      ? "not sampled"
      : `${mib(Math.min(...heap))}–${mib(Math.max(...heap))} MiB`;
    console.log(
      `minute ${minute + 1}: RSS ${mib(Math.min(...slice))}–${
        mib(Math.max(...slice))
      } MiB, heap in use ${heapRange}`,
    );
  }
  if (analysis !== undefined) {
    const rows = (title: string, list: typeof analysis.self) => {
      console.log(title);
      for (const row of list) {
        console.log(
          `  ${pct(row.share)}  ${
            row.usPerRequest.toFixed(0).padStart(5)
          } µs/req  ${row.category}`,
        );
      }
    };
    rows("inclusive (category anywhere on the stack):", analysis.inclusive);
    rows("\nself (where the leaf frame is):", analysis.self);
    console.log("\ntop functions (self):");
    for (const row of analysis.topFunctions.slice(0, 20)) {
      console.log(`  ${pct(row.share)}  ${row.name}`);
    }
  }
  console.log(`\nmemory: ${JSON.stringify(memory)}`);
  const out = args.values.out;
  await Deno.mkdir(out.replace(/\/[^/]*$/, ""), { recursive: true });
  if (profile !== undefined) {
    await Deno.writeTextFile(`${out}.cpuprofile`, JSON.stringify(profile));
  }
  await Deno.writeTextFile(
    `${out}.json`,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        options: args.values,
        flood: {
          requests: flood.requests,
          rps: flood.rps,
          latencyUs: flood.latencyUs,
        },
        ...analysis,
        memory,
        rssMiBPerSecond: rss.map(mib),
        heapUsedMiBPer5s: heapUsed.map(mib),
      },
      null,
      2,
    ) + "\n",
  );
  console.error(
    profile === undefined
      ? `wrote ${out}.json`
      : `wrote ${out}.cpuprofile and ${out}.json`,
  );
} finally {
  await server.stop();
  await pool.stop();
  await Deno.remove(work, { recursive: true });
}
