// Prototype of MCP_WORKERS (issue 12), for measurement only: N isolates
// (`new Worker`), each serving the same port with SO_REUSEPORT, stopped
// together on SIGTERM/SIGINT. Not the server's entry point.
//
//   MCP_WORKERS=2 PORT=3002 … deno run -A --unstable-net bench/workers/main.ts
//
// MCP_WORKERS: a positive integer, or `auto` (the number of cores).
// BENCH_GUARDED=1 runs each worker with the connection layer.
const raw = Deno.env.get("MCP_WORKERS") ?? "1";
const count = raw === "auto" ? navigator.hardwareConcurrency : Number(raw);
if (!Number.isInteger(count) || count < 1 || count > 64) {
  console.error(
    `MCP_WORKERS must be a positive integer or "auto", not "${raw}"`,
  );
  Deno.exit(78);
}
// Every worker must bind the same concrete port: with PORT=0 each would
// get its own. Pick one here (a race with other processes, but only at
// start).
if (Number(Deno.env.get("PORT") ?? "3002") === 0) {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  Deno.env.set("PORT", String(probe.addr.port));
  probe.close();
}

const workers: Worker[] = [];
const stopped: Promise<number>[] = [];
const ready: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  });
  let onReady!: () => void;
  let onStopped!: (status: number) => void;
  ready.push(new Promise((resolve) => (onReady = resolve)));
  stopped.push(new Promise((resolve) => (onStopped = resolve)));
  worker.onmessage = (event) => {
    if (event.data.type === "ready") onReady();
    if (event.data.type === "stopped") onStopped(event.data.status);
  };
  worker.onerror = (event) => {
    console.error(`worker ${i} failed: ${event.message}`);
    onStopped(1);
  };
  workers.push(worker);
}
await Promise.all(ready);
console.log(`${count} workers listening on port ${Deno.env.get("PORT")}`);

const signal = await new Promise<string>((resolve) => {
  for (const name of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(name, () => resolve(name));
  }
});
// Each worker drains within MCP_SHUTDOWN_GRACE_SECONDS on its own; one
// second more, then whatever is left is terminated.
const graceMs = Number(Deno.env.get("MCP_SHUTDOWN_GRACE_SECONDS") ?? "10") *
  1000;
for (const worker of workers) worker.postMessage({ type: "stop", signal });
const timeout = new Promise<"timeout">((resolve) =>
  setTimeout(() => resolve("timeout"), graceMs + 1_000)
);
const result = await Promise.race([Promise.all(stopped), timeout]);
for (const worker of workers) worker.terminate();
Deno.exit(result === "timeout" ? 1 : Math.max(0, ...result));
