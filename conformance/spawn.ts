/**
 * Spawn mode: starts the server under test with the issuer's environment,
 * waits until it answers, and stops it afterwards.
 *
 * @module
 */

import { INHERITED_AUTH_VARIABLE } from "./server_env.ts";

/** A server the runner started. */
export interface SpawnedServer {
  /** Resolves with the exit code if the process ends. */
  readonly exited: Promise<number>;
  /** The last lines it printed (stdout and stderr), for failure reports. */
  tail(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 60;

/**
 * Starts `command` through `sh -c` with `env` on top of a cleaned copy of
 * ours, in its own process group: `sh` may not pass signals on to the server
 * it started, so stopping signals the whole group.
 */
export function spawnServer(
  command: string,
  env: Readonly<Record<string, string>>,
): SpawnedServer {
  const inherited = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) =>
      !INHERITED_AUTH_VARIABLE.test(name)
    ),
  );
  const child = new Deno.Command("sh", {
    args: ["-c", command],
    env: { ...inherited, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const signalGroup = (signal: Deno.Signal) => {
    try {
      Deno.kill(-child.pid, signal);
    } catch { /* the group is gone */ }
  };
  // If the runner is interrupted, the server must not outlive it.
  const interrupted = () => {
    signalGroup("SIGKILL");
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", interrupted);
  const lines: string[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    let partial = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
    }
    if (partial) lines.push(partial);
  };
  const drained = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const exited = child.status.then((status) => status.code);
  return {
    exited,
    tail: () => [...lines],
    async stop(graceMs = 5_000) {
      Deno.removeSignalListener("SIGINT", interrupted);
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      // The shell may be gone while the server still holds the pipes.
      let pipesTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        drained,
        new Promise((resolve) => (pipesTimer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(pipesTimer);
      clearTimeout(timer);
      signalGroup("SIGKILL");
      await drained;
    },
  };
}

/**
 * Polls `url` until the server answers anything over HTTP (a 401 counts), or
 * `timeoutMs` passes, or `exited` settles first.
 *
 * @returns `undefined` when ready, else why not.
 */
export async function waitUntilAnswering(
  url: string,
  timeoutMs: number,
  exited?: Promise<number>,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | undefined;
  exited?.then((code) => (gone = code));
  while (Date.now() < deadline) {
    if (gone !== undefined) {
      return `the server exited with status ${gone} before answering`;
    }
    try {
      const response = await fetch(url, {
        method: "GET",
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      return undefined;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return `no answer at ${url} within ${Math.round(timeoutMs / 1000)} s`;
}
