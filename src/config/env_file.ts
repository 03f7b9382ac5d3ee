/**
 * The process environment, with a `.env` file underneath it: the only code
 * that reads `Deno.env` (the SQLite store and `docs.ts` touch files too).
 *
 * @module
 */

import { parse } from "dotenv";
import { join } from "node:path";

/** Why an env file could not be read. */
export type EnvFileErrorCode = "not_found" | "not_permitted" | "unreadable";

/** An env file (`.env` or `--env-file`) that exists but cannot be read, or a `--env-file` that does not exist. */
export class EnvFileError extends Error {
  /** Branch on this, never on the message. */
  readonly code: EnvFileErrorCode;
  /** The path as given. */
  readonly path: string;

  /** An error for `path`, with the underlying one as `cause`. */
  constructor(code: EnvFileErrorCode, path: string, cause: unknown) {
    super(
      `Cannot read ${JSON.stringify(path)}: ${
        code === "not_found"
          ? "no such file"
          : code === "not_permitted"
          ? "not permitted"
          : cause instanceof Error
          ? cause.message
          : String(cause)
      }`,
      { cause },
    );
    this.name = "EnvFileError";
    this.code = code;
    this.path = path;
  }
}

/** Options for {@link readEnv}. */
export interface ReadEnvOptions {
  /** Directory holding the `.env` file. Default: the working directory. */
  readonly cwd?: string;
  /**
   * The real environment, which wins over both files. Default: the
   * process's, every variable (`Deno.env.toObject()`), or only `names`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Read only these variables from the process's environment, one by one:
   * all a process granted `--allow-env=<names>` (the compiled binary) may
   * read. Ignored when `env` is given.
   */
  readonly names?: readonly string[];
  /**
   * Another env file (the command line's `--env-file`), read under the
   * real environment and over `.env`. It must exist.
   */
  readonly envFile?: string;
}

/**
 * The real environment merged over `envFile` merged over `<cwd>/.env`: a
 * variable already in the real environment keeps its value, even an empty
 * one; the files only fill in the rest. A missing `.env` is fine; a missing
 * `envFile` throws. Neither input is changed.
 *
 * @param options where `.env` is and what the real environment is
 * @returns a new record for `loadConfig()`
 * @throws {EnvFileError} when `.env` exists but cannot be read (read
 *   permission missing included), or `envFile` cannot be read at all
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
  const real = options.env ?? processEnv(options.names);
  // A relative path, not Deno.cwd(): asking for the working directory needs
  // read permission on it, which the binary does not have (only ./.env).
  const dotEnv = options.cwd === undefined ? ".env" : join(options.cwd, ".env");
  const merged = new Map<string, string | undefined>(
    Object.entries(readDotEnv(dotEnv)),
  );
  if (options.envFile !== undefined) {
    for (const [name, value] of Object.entries(readFile(options.envFile))) {
      merged.set(name, value);
    }
  }
  for (const [name, value] of Object.entries(real)) {
    if (value !== undefined || !merged.has(name)) merged.set(name, value);
  }
  // fromEntries defines own properties, so a "__proto__" line stays a variable.
  return Object.fromEntries(merged);
}

function processEnv(
  names: readonly string[] | undefined,
): Record<string, string | undefined> {
  if (names === undefined) return Deno.env.toObject();
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

function readDotEnv(path: string): Record<string, string> {
  try {
    return readFile(path);
  } catch (error) {
    if (error instanceof EnvFileError && error.code === "not_found") return {};
    throw error;
  }
}

function readFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new EnvFileError("not_found", path, error);
    }
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw new EnvFileError("not_permitted", path, error);
    }
    throw new EnvFileError("unreadable", path, error);
  }
  return parse(text);
}
