/**
 * The process environment, with a `.env` file underneath it: the only code
 * that reads `Deno.env` (the SQLite store and `docs.ts` touch files too).
 *
 * @module
 */

import { parse } from "dotenv";
import { join } from "node:path";

/** Options for {@link readEnv}. */
export interface ReadEnvOptions {
  /** Directory holding the `.env` file. Default `Deno.cwd()`. */
  readonly cwd?: string;
  /** The real environment, which wins over `.env`. Default `Deno.env.toObject()`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The real environment merged over `<cwd>/.env`: a variable already in the
 * real environment keeps its value, even an empty one; `.env` only fills in
 * the rest. A missing `.env` is fine. Neither input is changed.
 *
 * @param options where `.env` is and what the real environment is
 * @returns a new record for `loadConfig()`
 * @throws when `.env` exists but cannot be read, or read permission is missing
 *
 * @example
 * ```ts
 * import { readEnv } from "./env_file.ts";
 *
 * const env = readEnv({ cwd: "/nowhere", env: { PORT: "8080" } });
 * env.PORT; // "8080"
 * ```
 */
export function readEnv(
  options: ReadEnvOptions = {},
): Record<string, string | undefined> {
  const real = options.env ?? Deno.env.toObject();
  const fromFile = readDotEnv(join(options.cwd ?? Deno.cwd(), ".env"));
  const merged = new Map<string, string | undefined>(Object.entries(fromFile));
  for (const [name, value] of Object.entries(real)) {
    if (value !== undefined || !merged.has(name)) merged.set(name, value);
  }
  // fromEntries defines own properties, so a "__proto__" line stays a variable.
  return Object.fromEntries(merged);
}

function readDotEnv(path: string): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
  return parse(text);
}
