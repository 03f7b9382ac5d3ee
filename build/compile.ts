/**
 * `deno task compile [--target <triple>] [--output <path>]`: builds the
 * self-contained binary (`dist/mcp-scalekit` by default) with
 * `deno compile`, baking in exactly {@link permissionFlags}, the
 * {@link UNSTABLE_FLAGS} and `--no-prompt` (a service has nobody to ask; a
 * missing permission fails).
 *
 * Deno's own `--env-file` is never passed: `deno compile` would embed the
 * file's values in the binary at build time. Configuration is read at run
 * time, from the environment or our CLI's `--env-file`.
 *
 * `deno compile` needs the runtime (`denort`) for the target: it takes
 * `DENORT_BIN` when set, else Deno's cache, else downloads it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { permissionFlags } from "./permissions.ts";

/**
 * Unstable APIs the server uses: `--unstable-net` for `Deno.listen({
 * reusePort })`, how `MCP_WORKERS` isolates share one port (Deno 2.9;
 * `deno.json` sets it for `deno run` and `deno test`).
 */
export const UNSTABLE_FLAGS: readonly string[] = Object.freeze([
  "--unstable-net",
]);

/** Targets `deno compile` builds for (`deno compile --help`). */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** The `deno compile` arguments for `target` (the host's when absent) and `output`. */
export function compileArgs(
  options: { readonly target?: string; readonly output?: string } = {},
): string[] {
  if (
    options.target !== undefined && !TARGETS.includes(options.target as never)
  ) {
    throw new Error(
      `Unknown target ${JSON.stringify(options.target)}; use one of ${
        TARGETS.join(", ")
      }`,
    );
  }
  return [
    "compile",
    ...permissionFlags(),
    ...UNSTABLE_FLAGS,
    "--no-prompt",
    ...(options.target ? ["--target", options.target] : []),
    "--output",
    options.output ?? "dist/mcp-scalekit",
    "main.ts",
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      target: { type: "string" },
      output: { type: "string" },
    },
    strict: true,
  });
  const args = compileArgs(values);
  console.error(
    `deno ${
      args.map((a) => a.length > 80 ? `${a.slice(0, 77)}...` : a).join(" ")
    }`,
  );
  const { code } = await new Deno.Command(Deno.execPath(), { args }).spawn()
    .status;
  if (code !== 0) {
    console.error(
      "deno compile failed. It needs the runtime (denort) for the target: set DENORT_BIN to a denort binary of this Deno version, or let it download one; `deno task bundle` works offline.",
    );
  }
  Deno.exit(code);
}
