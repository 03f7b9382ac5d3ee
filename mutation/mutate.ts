/**
 * `deno task mutate`: breaks the code on purpose, one named mutation at a
 * time, and runs the tests that cover it. A mutation the tests do not
 * notice (a survivor) is a guard that nothing proves.
 *
 * Every mutation is applied to a scratch copy of the working tree, never to
 * the tree itself, so an interrupted run leaves nothing behind. Each one
 * runs `deno test --fail-fast` on its covering tests in a process group of
 * its own, killed whole when it outlives the timeout (a hang counts as
 * killed, as in StrykerJS).
 *
 * Usage: `deno task mutate [--filter text] [--jobs n] [--timeout seconds]
 * [--check]`. `--check` only verifies that every mutation still matches
 * the source exactly once. The exit status is 1 when a mutation survives
 * without being listed as equivalent, or no longer matches.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { type Mutation, MUTATIONS } from "./mutations.ts";

/** What happened to one mutation. */
export type Outcome = "killed" | "timeout" | "survived" | "equivalent";

/** Why a mutation cannot be applied to a source text. */
export class StaleMutationError extends Error {
  /** Always `stale_mutation`. */
  readonly code = "stale_mutation";
  /** @param mutation the mutation; @param count how often its text occurs */
  constructor(readonly mutation: Mutation, readonly count: number) {
    super(
      `Mutation "${mutation.name}" expects its text once in ${mutation.file}, found it ${count} times; update mutation/mutations.ts`,
    );
    this.name = "StaleMutationError";
  }
}

/**
 * `source` with the mutation applied.
 *
 * @throws {StaleMutationError} unless `from` occurs exactly once
 */
export function applyMutation(source: string, mutation: Mutation): string {
  const count = source.split(mutation.from).length - 1;
  if (count !== 1 || mutation.from === mutation.to) {
    throw new StaleMutationError(mutation, count);
  }
  return source.replace(mutation.from, () => mutation.to);
}

/** Killed ÷ (all − equivalent), as a percentage with one decimal. */
export function score(outcomes: readonly Outcome[]): number {
  const counted = outcomes.filter((o) => o !== "equivalent");
  const killed = counted.filter((o) => o === "killed" || o === "timeout");
  return counted.length === 0
    ? 100
    : Math.round((killed.length / counted.length) * 1000) / 10;
}

async function gitFiles(root: string): Promise<string[]> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: root,
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).split("\0").filter(Boolean);
}

/** Copies the working tree (tracked and new files) into a fresh directory. */
async function scratchCopy(root: string, files: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mcp-mutate-" });
  for (const file of files) {
    const source = join(root, file);
    const stat = await Deno.lstat(source).catch(() => undefined);
    if (stat === undefined || stat.isDirectory) continue; // deleted, or a submodule
    await Deno.mkdir(dirname(join(dir, file)), { recursive: true });
    await Deno.copyFile(source, join(dir, file));
  }
  // Read-only use: the copy resolves npm packages from the tree's folder.
  await Deno.symlink(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

async function runTests(
  dir: string,
  tests: readonly string[],
  timeoutMs: number,
): Promise<{ ok: boolean; timedOut: boolean; output: string }> {
  // setsid: the tests' own servers and clients die with them on a timeout.
  const child = new Deno.Command("setsid", {
    args: [
      Deno.execPath(),
      "test",
      "-A",
      "--no-check",
      "--fail-fast",
      ...tests,
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  const { success, stdout, stderr } = await child.output();
  clearTimeout(timer);
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  return { ok: success, timedOut, output };
}

/** The first failing test's name, for the report. */
function firstFailure(output: string): string {
  const line = output.split("\n").find((l) => / \.\.\. FAILED/.test(l));
  return line?.replace(/ \.\.\. FAILED.*$/, "").trim() ?? "";
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      filter: { type: "string" },
      jobs: { type: "string", default: "1" },
      timeout: { type: "string", default: "300" },
      check: { type: "boolean", default: false },
    },
  });
  const root = new URL("..", import.meta.url).pathname;
  const selected = MUTATIONS.filter((m) =>
    values.filter === undefined || m.name.includes(values.filter)
  );
  const stale: string[] = [];
  for (const mutation of selected) {
    try {
      applyMutation(
        await Deno.readTextFile(join(root, mutation.file)),
        mutation,
      );
    } catch (error) {
      if (!(error instanceof StaleMutationError)) throw error;
      stale.push(error.message);
    }
  }
  for (const message of stale) console.error(`STALE ${message}`);
  if (values.check || stale.length > 0) {
    console.log(`${selected.length} mutations, ${stale.length} stale`);
    return stale.length > 0 ? 1 : 0;
  }

  const files = await gitFiles(root);
  const jobs = Math.max(1, Number(values.jobs));
  const timeoutMs = Number(values.timeout) * 1000;
  const scratch = await Promise.all(
    Array.from({ length: jobs }, () => scratchCopy(root, files)),
  );
  const outcomes = new Map<Mutation, Outcome>();
  const queue = [...selected];
  const started = performance.now();
  try {
    await Promise.all(scratch.map(async (dir) => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        const path = join(dir, m.file);
        const original = await Deno.readTextFile(path);
        await Deno.writeTextFile(path, applyMutation(original, m));
        const t0 = performance.now();
        let result;
        try {
          result = await runTests(dir, m.tests, timeoutMs);
        } finally {
          await Deno.writeTextFile(path, original);
        }
        const outcome: Outcome = result.timedOut
          ? "timeout"
          : !result.ok
          ? "killed"
          : m.equivalent
          ? "equivalent"
          : "survived";
        outcomes.set(m, outcome);
        const seconds = ((performance.now() - t0) / 1000).toFixed(0);
        const why = outcome === "killed"
          ? firstFailure(result.output)
          : outcome === "equivalent"
          ? m.equivalent
          : "";
        console.log(
          `${outcome.toUpperCase().padEnd(10)} ${m.name} (${seconds} s)${
            why ? ` :: ${why}` : ""
          }`,
        );
      }
    }));
  } finally {
    for (const dir of scratch) await Deno.remove(dir, { recursive: true });
  }
  const all = [...outcomes.values()];
  const count = (o: Outcome) => all.filter((x) => x === o).length;
  const survivors = selected.filter((m) => outcomes.get(m) === "survived");
  console.log(
    `\n${all.length} mutations: ${count("killed") + count("timeout")} killed (${
      count("timeout")
    } by timeout), ${count("survived")} survived, ${
      count("equivalent")
    } equivalent; score ${score(all)}% (killed of the non-equivalent) in ${
      Math.round((performance.now() - started) / 1000)
    } s`,
  );
  for (const m of survivors) console.log(`  survivor: ${m.name} (${m.file})`);
  return survivors.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
