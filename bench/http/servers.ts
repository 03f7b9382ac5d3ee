// Starts the servers `deno task bench:http` and `deno task profile` measure,
// each as its own process on a loopback port, and stops them.
const ROOT = new URL("../../", import.meta.url);
const EXPRESS_DIR = new URL("../express/", import.meta.url);

/** A started process serving HTTP at `url`. */
export interface Running {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** The process id, when it is a process. */
  readonly pid?: number;
  /** Stops it (SIGTERM, then SIGKILL after 15 s) and waits for it. */
  stop(): Promise<void>;
}

/** A free loopback port (bound, then released). */
export function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return Promise.resolve(port);
}

/** The environment every child gets: nothing from ours but what runs it. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /** Flags for `deno run` before the script (for example `--inspect=…`). */
  readonly denoFlags?: readonly string[];
  /**
   * `main.ts` (default), or `bench/http/unguarded_server.ts`: the same app
   * without the connection layer.
   */
  readonly script?: string;
}

/**
 * This server (`main.ts`) as `deno task start` runs it, with `env` plus
 * `HOST`, `PORT` and `BASE_URL` for `port`, `DATABASE_URL=memory:`, a
 * fresh `DATA_DIR` (for a server that asks for the default SQLite store
 * with `DATABASE_URL: ""`, as every `MCP_WORKERS` row must), and rate and
 * concurrency limits no flood reaches, unless `env` says otherwise. Logs go
 * nowhere, but are written: logging is part of what a request costs.
 */
export function startServer(
  port: number,
  env: Record<string, string>,
  options: StartServerOptions = {},
): Promise<Running> {
  const dataDir = Deno.makeTempDirSync({ prefix: "bench-http-store-" });
  return spawnServer(
    port,
    Deno.execPath(),
    [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      ...(options.denoFlags ?? []),
      options.script ?? "main.ts",
    ],
    ROOT,
    {
      HOST: "127.0.0.1",
      PORT: String(port),
      BASE_URL: `http://127.0.0.1:${port}`,
      // Todos in memory, as the Express reference and unguarded_server.ts
      // keep them: the benchmark compares request handling, not storage.
      // DATABASE_URL: "" (blank, so unset) selects SQLite in DATA_DIR.
      DATABASE_URL: "memory:",
      DATA_DIR: dataDir,
      // One caller floods from loopback: limits high enough never to
      // refuse, yet every limiter still runs, as in production.
      MCP_RATE_LIMIT_PER_ADDRESS: "1000000",
      MCP_RATE_LIMIT_PER_CALLER: "1000000",
      MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER: "1000",
      MCP_MAX_CONCURRENT_REQUESTS: "1000",
      ...env,
    },
  );
}

/** bench/http/bare_hono.ts: Hono on a bare `Deno.serve`. */
export function startBareHono(port: number): Promise<Running> {
  return spawnServer(
    port,
    Deno.execPath(),
    ["run", "--allow-net", "--allow-env", "bench/http/bare_hono.ts"],
    ROOT,
    { PORT: String(port) },
  );
}

/**
 * The Express reference (bench/express/server.mjs) on Node. Its packages
 * are installed from the npm registry into
 * `~/.cache/mcp-scalekit-ci/bench-express` the first time (or when
 * `package.template.json` changes), never into this repository.
 */
export async function startExpress(
  port: number,
  env: Record<string, string>,
): Promise<Running> {
  const dir = await installExpress();
  return spawnServer(
    port,
    "node",
    [`${dir}/server.mjs`],
    new URL(`file://${dir}/`),
    {
      PORT: String(port),
      NODE_ENV: "production",
      ...env,
    },
  );
}

async function installExpress(): Promise<string> {
  const home = Deno.env.get("HOME") ?? "/tmp";
  const dir = `${home}/.cache/mcp-scalekit-ci/bench-express`;
  await Deno.mkdir(dir, { recursive: true });
  const template = await Deno.readTextFile(
    new URL("package.template.json", EXPRESS_DIR),
  );
  const current = await Deno.readTextFile(`${dir}/package.json`).catch(() =>
    ""
  );
  const installed = await Deno.stat(`${dir}/node_modules/express/package.json`)
    .then(() => true, () => false);
  if (current !== template || !installed) {
    await Deno.writeTextFile(`${dir}/package.json`, template);
    console.error(`installing the Express reference's packages into ${dir}…`);
    const { success, stderr } = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", "--silent"],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) {
      throw new Error(
        `npm install in ${dir} failed: ${new TextDecoder().decode(stderr)}`,
      );
    }
  }
  await Deno.copyFile(new URL("server.mjs", EXPRESS_DIR), `${dir}/server.mjs`);
  return dir;
}

async function spawnServer(
  port: number,
  command: string,
  args: string[],
  cwd: URL,
  env: Record<string, string>,
): Promise<Running> {
  const child = new Deno.Command(command, {
    args,
    cwd,
    env: { ...baseEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Keep the tail of stderr for error messages; never let the pipe fill.
  let tail = "";
  const draining = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
    }
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }, 15_000);
      await status;
      clearTimeout(timer);
    }
    await draining.catch(() => {});
  };
  const deadline = Date.now() + 120_000;
  while (true) {
    if (exited) {
      await draining.catch(() => {});
      throw new Error(`${command} ${args.join(" ")} exited early:\n${tail}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} ${args.join(" ")} did not answer in 120 s`);
    }
    try {
      const response = await fetch(`${url}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid, stop };
}
