/**
 * For tests: runs the conformance command line in process with its console
 * output captured.
 *
 * @module
 */

import { main } from "./main.ts";

/** Runs `main(args)`, capturing what it prints; returns its exit status and the lines. */
export async function runMain(
  args: readonly string[],
): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => out.push(parts.join(" "));
  try {
    return { code: await main(args), out };
  } finally {
    console.log = log;
    console.error = error;
  }
}
