// Runs wrk (Debian's `wrk`) with report.lua and reads its result line.
const SCRIPT = new URL("report.lua", import.meta.url).pathname;

/** Options for {@link runWrk}. */
export interface WrkOptions {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The request, in report.lua's format. */
  readonly requestFile: string;
  /** A pool of tokens, one a line: each request takes the next. */
  readonly tokensFile?: string;
  /** One token every request carries (in the header the pool's use). */
  readonly token?: string;
  /** How long to run, in seconds (less if the pool runs out). */
  readonly durationS: number;
  /** Open connections. */
  readonly connections: number;
  /** wrk threads. */
  readonly threads: number;
  /**
   * The server's process id: its CPU time (every thread) is read before and
   * after, for {@link WrkResult.cpuUsPerRequest}.
   */
  readonly pid?: number;
}

/** What one wrk run measured. */
export interface WrkResult {
  readonly requests: number;
  readonly durationUs: number;
  /** Requests per second. */
  readonly rps: number;
  readonly bytes: number;
  readonly errors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    /** Answers outside 2xx and 3xx. */
    readonly status: number;
    readonly timeout: number;
  };
  /**
   * The server's CPU time per request, in µs (user + system, all threads),
   * when its pid was given: unlike throughput, barely moved by other load
   * on a shared machine.
   */
  readonly cpuUsPerRequest?: number;
  /** Latency, in microseconds. */
  readonly latencyUs: {
    readonly mean: number;
    readonly stdev: number;
    readonly max: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
  };
}

/** Runs wrk once; throws when it fails or prints no result. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const command = new Deno.Command("wrk", {
    args: [
      `-t${options.threads}`,
      `-c${options.connections}`,
      `-d${options.durationS}s`,
      "--timeout",
      "10s",
      "-s",
      SCRIPT,
      options.url,
    ],
    env: {
      BENCH_REQUEST: options.requestFile,
      BENCH_TOKENS: options.tokensFile ?? "",
      BENCH_TOKEN: options.token ?? "",
      BENCH_THREADS: String(options.threads),
    },
    stdout: "piped",
    stderr: "piped",
  });
  let output: Deno.CommandOutput;
  const cpuBefore = options.pid === undefined
    ? undefined
    : await cpuTimeUs(options.pid);
  try {
    output = await command.output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "wrk is not installed: apt-get install -y wrk (Debian's package)",
      );
    }
    throw error;
  }
  const stdout = new TextDecoder().decode(output.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  if (!output.success || line === undefined) {
    throw new Error(
      `wrk failed: ${stdout}\n${new TextDecoder().decode(output.stderr)}`,
    );
  }
  const raw = JSON.parse(line.slice("BENCH_RESULT ".length));
  const cpuAfter = options.pid === undefined
    ? undefined
    : await cpuTimeUs(options.pid);
  return {
    ...(cpuBefore === undefined || cpuAfter === undefined || raw.requests === 0
      ? {}
      : { cpuUsPerRequest: (cpuAfter - cpuBefore) / raw.requests }),
    requests: raw.requests,
    durationUs: raw.duration_us,
    rps: raw.requests / (raw.duration_us / 1e6),
    bytes: raw.bytes,
    errors: raw.errors,
    latencyUs: raw.latency_us,
  };
}

let ticksPerSecond: number | undefined;

/**
 * CPU time a process has used, in µs: utime + stime from /proc/<pid>/stat
 * (read with `cat`: Deno wants --allow-all to read /proc itself).
 */
export async function cpuTimeUs(pid: number): Promise<number | undefined> {
  ticksPerSecond ??= Number(await text("getconf", ["CLK_TCK"])) || 100;
  const stat = await text("cat", [`/proc/${pid}/stat`]);
  // The command name may hold spaces; fields count from after its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) * 1e6 / ticksPerSecond;
}

async function text(command: string, args: string[]): Promise<string> {
  const { stdout } = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(stdout).trim();
}
