/**
 * The program behind `main.ts` and the compiled binary: read the command
 * line, then print the help or version, check the configuration, or serve
 * (telling systemd once ready). Returns the exit status.
 *
 * @module
 */

import {
  EnvFileError,
  readEnv,
  type ReadEnvOptions,
} from "../config/env_file.ts";
import type { Env } from "../config/load.ts";
import { serverVariables } from "../config/variables.ts";
import { createLogger } from "../log/logger.ts";
import { EXIT_CONFIG } from "../lifecycle.ts";
import type { ServeOptions } from "../serve.ts";
import { serveWithWorkers } from "../workers/supervisor.ts";
import { EXIT_USAGE, parseCommandLine, USAGE, UsageError } from "./args.ts";
import { checkConfig } from "./check_config.ts";
import { type NotifyOutcome, notifyReady } from "./sd_notify.ts";

/** What {@link runCli} uses from the outside world; each has a real default. */
export interface CliDependencies {
  /** Reads the environment and env files. Default `readEnv()` limited to {@link serverVariables}. */
  readonly readEnv?: (options: ReadEnvOptions) => Env;
  /**
   * Serves. Default `serveWithWorkers()` from `src/workers/supervisor.ts`:
   * `serve()` from `src/serve.ts` in one isolate or in `MCP_WORKERS`.
   */
  readonly serve?: (env: Env, options: ServeOptions) => Promise<number>;
  /** Reports readiness to systemd. Default {@link notifyReady}. */
  readonly notifyReady?: (
    notifySocket: string | undefined,
  ) => Promise<NotifyOutcome>;
  /** Where normal output goes. Default stdout. */
  readonly stdout?: (text: string) => void;
  /** Where errors go. Default stderr. */
  readonly stderr?: (text: string) => void;
  /** Passed to `serve()` (tests stop the server with it). */
  readonly stop?: Promise<string>;
}

/**
 * Runs the command line `args` (without the program name) and returns the
 * exit status: 0; 64 for a refused command line (the usage follows the
 * error); 78 for a configuration that is refused or an env file that
 * cannot be read.
 *
 * @example
 * ```ts
 * import { runCli } from "./run.ts";
 *
 * const status = await runCli(["--version"], { stdout: console.log });
 * status; // 0
 * ```
 */
export async function runCli(
  args: readonly string[],
  deps: CliDependencies = {},
): Promise<number> {
  const stdout = deps.stdout ?? ((text) => write(Deno.stdout, text));
  const stderr = deps.stderr ?? ((text) => write(Deno.stderr, text));
  let command;
  try {
    command = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`error: ${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (command.kind === "help") {
    stdout(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === "version") {
    // Loaded only here: the MCP layer is the heaviest part of the graph.
    const { SERVER_INFO } = await import("../mcp/server.ts");
    stdout(`${SERVER_INFO.name} ${SERVER_INFO.version}\n`);
    return 0;
  }

  let env: Env;
  try {
    env = (deps.readEnv ?? readEnv)({
      names: serverVariables(),
      envFile: command.envFile,
    });
  } catch (error) {
    if (!(error instanceof EnvFileError)) throw error;
    stderr(`${unreadable(error, command.envFile)}\n`);
    return EXIT_CONFIG;
  }

  if (command.kind === "check-config") {
    const { text, valid } = checkConfig(env);
    stdout(text);
    return valid ? 0 : EXIT_CONFIG;
  }

  const notify = deps.notifyReady ?? notifyReady;
  return await (deps.serve ?? serveWithWorkers)(env, {
    stop: deps.stop,
    // serve() calls this once the server listens and its store answers.
    onReady: (config) => {
      const logger = createLogger({ level: config.logLevel });
      void notify(env.NOTIFY_SOCKET).then((outcome) => {
        if (outcome.kind === "notified") logger.info("systemd_ready", {});
        if (outcome.kind === "failed") {
          logger.error("systemd_notify_failed", { reason: outcome.reason });
        }
      });
    },
  });
}

/** One line naming the file as the operator gave it, and why it cannot be read. */
function unreadable(error: EnvFileError, envFile: string | undefined): string {
  const which = error.path === envFile
    ? `--env-file ${JSON.stringify(envFile)}`
    : "./.env";
  switch (error.code) {
    case "not_found":
      return `Cannot read ${which}: no such file`;
    case "not_permitted":
      return `Cannot read ${which}: not permitted. The compiled binary may read only ./.env, ./data and /etc/mcp-scalekit/`;
    case "unreadable":
      return `Cannot read ${which}: ${
        error.cause instanceof Error ? error.cause.message : String(error.cause)
      }`;
  }
}

function write(stream: { writeSync(p: Uint8Array): number }, text: string) {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += stream.writeSync(bytes.subarray(written));
  }
}
