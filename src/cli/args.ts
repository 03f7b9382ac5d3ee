/**
 * The command line of the entry point, the same for `deno run main.ts` and
 * the compiled binary: what was asked, or a {@link UsageError}. Parsing is
 * Node's `util.parseArgs` in strict mode; this module only maps its errors
 * onto a closed set of codes and adds the rules it cannot express.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** What the command line asks for. */
export type Command =
  | {
    readonly kind: "serve";
    /** An env file read under the real environment, over `.env`. */
    readonly envFile?: string;
  }
  | {
    readonly kind: "check-config";
    /** As for `serve`. */
    readonly envFile?: string;
  }
  | { readonly kind: "help" }
  | { readonly kind: "version" };

/** Stable codes of {@link UsageError}. */
export type UsageErrorCode =
  | "unknown_option"
  | "missing_value"
  | "unexpected_value"
  | "repeated_option"
  | "unknown_command"
  | "conflicting_options";

/** A command line the program refuses; its message is one line for stderr. */
export class UsageError extends Error {
  /** Branch on this, never on the message. */
  readonly code: UsageErrorCode;

  /** An error with `code` and a one-line `message`. */
  constructor(code: UsageErrorCode, message: string) {
    super(message);
    this.name = "UsageError";
    this.code = code;
  }
}

/** Exit status for a command line the program refuses (sysexits EX_USAGE). */
export const EXIT_USAGE = 64;

/** The usage text `--help` prints and a refused command line ends with. */
export const USAGE = `Usage: mcp-scalekit [serve] [--env-file <path>]
       mcp-scalekit --check-config [--env-file <path>]
       mcp-scalekit --help | --version

An MCP server that is an OAuth 2.1 resource server for Scalekit.

Commands:
  serve                 Serve until SIGTERM or SIGINT (the default)

Options:
  --env-file <path>     Also read variables from this file, under the real
                        environment and over ./.env
  --check-config        Print the effective settings (secrets masked) and
                        every warning, then exit: 0 when the configuration
                        is valid, 78 when it is refused
  -h, --help            Print this text
  -V, --version         Print the version

Settings come from the environment, then --env-file, then ./.env; the
README's "Environment variables" lists them all.`;

/** Every option; `multiple` so that a repeated one can be refused. */
const OPTIONS = {
  "env-file": { type: "string", multiple: true },
  "check-config": { type: "boolean", multiple: true },
  help: { type: "boolean", short: "h", multiple: true },
  version: { type: "boolean", short: "V", multiple: true },
} as const;

/**
 * Reads the arguments after the program name.
 *
 * @throws {UsageError} for an unknown option or command, a missing or
 *   unexpected value, a repeated option, or options that exclude each other
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./args.ts";
 *
 * parseCommandLine(["--check-config", "--env-file", "/etc/mcp-scalekit/env"]);
 * // { kind: "check-config", envFile: "/etc/mcp-scalekit/env" }
 * ```
 */
export function parseCommandLine(args: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw fromNodeError(error);
  }
  const { values, positionals } = parsed;
  for (const [name, given] of Object.entries(values)) {
    if (Array.isArray(given) && given.length > 1) {
      throw new UsageError("repeated_option", `--${name} is given twice`);
    }
  }
  const [command, ...rest] = positionals;
  if (command !== undefined && command !== "serve") {
    throw new UsageError(
      "unknown_command",
      `Unknown command ${JSON.stringify(command)}; the only command is "serve"`,
    );
  }
  if (rest.length > 0) {
    throw new UsageError(
      "unknown_command",
      `Unexpected argument ${JSON.stringify(rest[0])}`,
    );
  }
  const envFile = values["env-file"]?.[0];
  if (envFile === "") {
    throw new UsageError("missing_value", "--env-file needs a value");
  }
  const asked = [
    values.help && "--help",
    values.version && "--version",
    values["check-config"] && "--check-config",
    command && "serve",
  ].filter((x) => typeof x === "string");
  if (asked.length > 1) {
    throw new UsageError(
      "conflicting_options",
      `${asked[0]} and ${asked[1]} cannot be used together`,
    );
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const file = envFile === undefined ? {} : { envFile };
  if (values["check-config"]) return { kind: "check-config", ...file };
  return { kind: "serve", ...file };
}

/** Maps `util.parseArgs`'s errors (identified by their `code`) onto ours. */
function fromNodeError(error: unknown): UsageError {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const option = message.match(/'([^']+)'/)?.[1] ?? "option";
      return new UsageError("unknown_option", `Unknown option ${option}`);
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      // The one code covers both cases; which one follows from the option's
      // type in our table, not from the wording.
      const option = message.match(/'--([a-z-]+)/)?.[1] ?? "";
      return OPTIONS[option as keyof typeof OPTIONS]?.type === "string"
        ? new UsageError("missing_value", `--${option} needs a value`)
        : new UsageError("unexpected_value", `--${option} takes no value`);
    }
  }
  throw error;
}
