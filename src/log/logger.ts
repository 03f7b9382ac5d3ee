/**
 * Structured logging: one JSON object per line. Tokens never reach a log:
 * fields named like credentials are dropped and any string that looks like
 * a JWT is masked, whatever the caller passed.
 *
 * @module
 */

import type { LogLevel } from "../config/types.ts";

/** Fields of one log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Writes log lines at or above its level. */
export interface Logger {
  /** Detail for debugging. */
  debug(event: string, fields?: LogFields): void;
  /** Normal operation, such as one line per request. */
  info(event: string, fields?: LogFields): void;
  /** Something the operator should look at. */
  warn(event: string, fields?: LogFields): void;
  /** Something failed. */
  error(event: string, fields?: LogFields): void;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. Default `info`. */
  readonly level?: LogLevel;
  /** Where lines go. Default: `console.log` for debug/info, `console.error` above. */
  readonly write?: (line: string, level: LogLevel) => void;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
  /**
   * Fields written on every line, after `event` and before the call's own
   * (the `worker` number when `MCP_WORKERS` is above 1).
   */
  readonly fields?: LogFields;
}

const RANK: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

const SECRET_FIELD =
  /^(authorization|access_?token|refresh_?token|token|id_?token|client_?secret|password|cookie)$/i;
// A compact JWS always starts with a base64url `{"` (eyJ).
const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
// The start of a token at the end of a cut value.
const JWT_TAIL = /eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?$/;

/**
 * Builds a logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info" });
 * log.info("request", { method: "POST", path: "/mcp", status: 200 });
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? "info"];
  const now = options.now ?? (() => new Date());
  const write = options.write ?? defaultWrite;
  const base = options.fields ?? {};
  const emit = (level: LogLevel, event: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold) return;
    const line = {
      time: now().toISOString(),
      level,
      event,
      ...base,
      ...fields,
    };
    write(JSON.stringify(line, redact), level);
  };
  return {
    debug: (event, fields) => emit("debug", event, fields),
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields) => emit("error", event, fields),
  };
}

/** A logger that writes nothing, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ write: () => {} });

/** Describes an error for a log line: name, message, code and stack. */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    error: error.name,
    message: error.message,
    ...(typeof code === "string" ? { code } : {}),
    stack: error.stack,
  };
}

/**
 * Longest string a log line holds in one field. Values a client supplies
 * are cut much shorter where they are logged (`clientText`); this is the
 * backstop for anything else (an error message quoting its input), so no
 * request can make a log line grow with what it sends.
 */
export const MAX_LOGGED_STRING = 4_096;

function redact(key: string, value: unknown): unknown {
  if (SECRET_FIELD.test(key)) return undefined;
  if (typeof value !== "string") return value;
  // Both patterns start with `eyJ`: a short string without it has nothing
  // to mask (most values of a request line), so skip the two regexes.
  if (value.length <= MAX_LOGGED_STRING && !value.includes("eyJ")) {
    return value;
  }
  // Cut first, so the pattern never runs over more than the bound (it is
  // quadratic on text like "eyJeyJeyJ…"); a token the cut splits is caught
  // by the second pattern, which redacts a token-like tail.
  const cut = value.length > MAX_LOGGED_STRING;
  const redacted = value.slice(0, MAX_LOGGED_STRING)
    .replace(JWT_LIKE, "[redacted]");
  return cut
    ? `${redacted.replace(JWT_TAIL, "[redacted]")}...(${value.length} chars)`
    : redacted;
}

const encoder = new TextEncoder();

// Straight to the descriptor: `console.log` formats its arguments first,
// which cost a request line about as much as building it.
function defaultWrite(line: string, level: LogLevel): void {
  const out = RANK[level] >= RANK.warn ? Deno.stderr : Deno.stdout;
  let bytes = encoder.encode(`${line}\n`);
  while (bytes.length > 0) bytes = bytes.subarray(out.writeSync(bytes));
}
