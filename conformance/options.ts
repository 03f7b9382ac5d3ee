/**
 * The runner's command line: what the server under test is expected to
 * demand, how to reach or start it, and where reports go.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  isSpecRevision,
  LATEST_SPEC,
  SPEC_REVISIONS,
  type SpecRevision,
} from "./spec.ts";

/** A tool the per-tool scenarios call. */
export interface ToolProbe {
  /** Tool name. */
  readonly name: string;
  /** Scopes the server demands for it. */
  readonly scopes: readonly string[];
  /** Arguments to call it with. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** Everything a run needs, parsed and checked. */
export interface RunOptions {
  /** The MCP endpoint URL of the server under test. */
  readonly url: string;
  /** The base URL the server is configured with (FastMCP appends `/mcp`). */
  readonly baseUrl: string;
  /** The resource id the server expects (`aud`, issuer path). */
  readonly resourceId: string;
  /** Scopes the server demands of every request. */
  readonly requiredScopes: readonly string[];
  /** Every scope the resource defines (granted to a fully scoped token). */
  readonly scopes: readonly string[];
  /** The tool that must be refused without its scopes; `undefined` skips per-tool checks. */
  readonly tool?: ToolProbe;
  /** A tool the same token may call, which must work. */
  readonly otherTool?: ToolProbe;
  /**
   * Scopes reading the server's resources needs. Empty: unknown, so a read
   * without scopes is reported, not failed.
   */
  readonly resourceScopes: readonly string[];
  /** Scopes getting the server's prompts needs (as {@link RunOptions.resourceScopes}). */
  readonly promptScopes: readonly string[];
  /** The MCP specification revision to judge against. */
  readonly spec: SpecRevision;
  /**
   * Live mode: the server trusts a real issuer, so no mock issuer starts and
   * only what a forger (or the holder of `tokenFile`) can do is checked.
   */
  readonly live: boolean;
  /** Live mode: a file holding a real access token for the server. */
  readonly tokenFile?: string;
  /** Command that starts the server under test (spawn mode). */
  readonly spawn?: string;
  /** Issuer bind address. */
  readonly issuerHost: string;
  /** Issuer port; 0 picks a free one. */
  readonly issuerPort: number;
  /** How long to wait for the server to answer, in milliseconds. */
  readonly startupTimeoutMs: number;
  /** Per-request timeout, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Scenario ids or groups (`rejection`) to run; all when empty. */
  readonly only: readonly string[];
  /** Scenario ids or groups to skip. */
  readonly skip: readonly string[];
  /** Fail the run on SHOULD failures too. */
  readonly strict: boolean;
  /** Write a JSON report here. */
  readonly jsonPath?: string;
  /** Write a JUnit XML report here. */
  readonly junitPath?: string;
  /** Print only failures, warnings and the summary. */
  readonly quiet: boolean;
}

/** What parsing the command line produced. */
export type ParsedCommandLine =
  | { readonly kind: "run"; readonly options: RunOptions }
  | { readonly kind: "help" }
  | { readonly kind: "error"; readonly problems: readonly string[] };

/** Defaults that fit this project's todo server. */
export const DEFAULTS = Object.freeze({
  resourceId: "res_conformance",
  scopes: ["todo:read", "todo:write", "todo:admin"],
  tool: "create_todo",
  toolScopes: ["todo:write"],
  toolArgs: { title: "conformance probe {marker}" },
  otherTool: "list_todos",
  otherToolScopes: ["todo:read"],
  otherToolArgs: {},
  issuerHost: "127.0.0.1",
  startupTimeoutSeconds: 60,
  requestTimeoutSeconds: 10,
});

/** The placeholder in tool arguments that is replaced by a unique marker per call. */
export const MARKER = "{marker}";

/** The `--help` text. */
export const HELP =
  `mcp-scalekit conformance: checks that an MCP server is a correct OAuth
resource server for Scalekit (MCP authorization ${
    SPEC_REVISIONS.join(" / ")
  }, RFC 6750, RFC 8707, RFC 9068, RFC 9728), using a mock Scalekit issuer,
or, in live mode, against a deployed server.

Usage:
  deno task conformance --url <MCP endpoint URL> [options]
  deno task conformance --live --url <MCP endpoint URL> [--token-file <file>]

The specification revision:
  --spec <revision>           ${
    SPEC_REVISIONS.join(" | ")
  } (default ${LATEST_SPEC}); each
                              finding's level (MUST, SHOULD, informational)
                              comes from that revision's text

Live mode, for a deployed server that trusts a real Scalekit environment:
  --live                      start no mock issuer; check discovery (both
                              documents, the issuer's metadata and keys), the
                              challenges, Origin and CORS, and every token a
                              forger can make (alg none, HS256 keyed with the
                              issuer's public key, a foreign key, garbage)
  --token-file <file>         a token from that environment (never printed):
                              adds the happy path, tampered tokens and the
                              scope checks the token allows

Wiring the server under test to the mock issuer:
  (default)                   start the issuer, print the environment the server
                              needs (FastMCP and plain Scalekit forms), then wait
                              for the server to answer at --url
  --spawn "<command>"         start the server with that environment injected
                              (plus PORT and HOST taken from --url), wait until
                              it answers, run, and stop it. What CI uses.
  --issuer-port <n>           port of the mock issuer (default: a free one)
  --issuer-host <addr>        address of the mock issuer (default 127.0.0.1)
  --startup-timeout <s>       how long to wait for the server (default ${DEFAULTS.startupTimeoutSeconds})

What the server under test is expected to demand:
  --url <url>                 MCP endpoint, e.g. http://127.0.0.1:3002/mcp (required)
  --base-url <url>            base URL to configure (default: --url without a
                              trailing /mcp, since FastMCP appends /mcp)
  --resource-id <id>          Scalekit resource id (default ${DEFAULTS.resourceId})
  --required-scopes <list>    scopes every request needs (default none)
  --scopes <list>             every scope the resource defines
                              (default ${
    DEFAULTS.scopes.join(",")
  } plus the ones above)
  --tool <name>               tool refused without its scopes (default ${DEFAULTS.tool});
                              "none" skips the per-tool scenarios
  --tool-scopes <list>        scopes that tool needs (default ${
    DEFAULTS.toolScopes.join(",")
  })
  --tool-args <json>          its arguments (default ${
    JSON.stringify(DEFAULTS.toolArgs)
  }); ${MARKER} becomes
                              a unique marker, so the suite can see whether
                              a refused call still wrote something
  --other-tool <name>         tool the same token may still call (default ${DEFAULTS.otherTool})
  --other-tool-scopes <list>  its scopes (default ${
    DEFAULTS.otherToolScopes.join(",")
  })
  --other-tool-args <json>    its arguments (default {}); its result should
                              show what --tool wrote (the marker)
  --resource-scopes <list>    scopes reading the server's resources needs
                              (default: unknown, a read without them is noted)
  --prompt-scopes <list>      scopes getting the server's prompts needs

Selection and output:
  --only <id|group>           run only this scenario, or this group such as
                              "rejection" (repeatable)
  --skip <id|group>           skip this scenario or group (repeatable)
  --strict                    SHOULD failures (warnings) fail the run too
  --json <file>               write a JSON report
  --junit <file>              write a JUnit XML report
  --quiet                     print only failures, warnings and the summary
  --request-timeout <s>       per-request timeout (default ${DEFAULTS.requestTimeoutSeconds})
  -h, --help                  this text

Lists are comma- or space-separated. Passed, failed, warned and skipped
scenarios are counted apart; the line before the last gives the warnings and
skips, the last line is "N passed, N failed". Exit status: 0 when no
scenario failed (and, with --strict, none warned), 1 otherwise, 2 for bad
options.
`;

/** Parses `args` (without the program name). */
export function parseCommandLine(args: readonly string[]): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string" },
        "base-url": { type: "string" },
        "resource-id": { type: "string" },
        "required-scopes": { type: "string" },
        scopes: { type: "string" },
        tool: { type: "string" },
        "tool-scopes": { type: "string" },
        "tool-args": { type: "string" },
        "other-tool": { type: "string" },
        "other-tool-scopes": { type: "string" },
        "other-tool-args": { type: "string" },
        "resource-scopes": { type: "string" },
        "prompt-scopes": { type: "string" },
        spec: { type: "string" },
        live: { type: "boolean" },
        "token-file": { type: "string" },
        spawn: { type: "string" },
        "issuer-host": { type: "string" },
        "issuer-port": { type: "string" },
        "startup-timeout": { type: "string" },
        "request-timeout": { type: "string" },
        only: { type: "string", multiple: true },
        skip: { type: "string", multiple: true },
        strict: { type: "boolean" },
        json: { type: "string" },
        junit: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return { kind: "error", problems: [(error as Error).message] };
  }
  if (values.help) return { kind: "help" };

  const problems: string[] = [];
  const url = parseUrl(values.url, "--url", problems, true);
  const baseUrl = values["base-url"] !== undefined
    ? parseUrl(values["base-url"], "--base-url", problems, true)
    : url?.replace(/\/mcp\/?$/, "");
  const resourceId = values["resource-id"] ?? DEFAULTS.resourceId;
  if (!/^[A-Za-z0-9_.~-]+$/.test(resourceId)) {
    problems.push(
      `--resource-id "${resourceId}" must be a resource id such as res_123`,
    );
  }
  const requiredScopes = list(values["required-scopes"]);
  const tool = values.tool === "none" ? undefined : {
    name: values.tool ?? DEFAULTS.tool,
    scopes: values["tool-scopes"] !== undefined
      ? list(values["tool-scopes"])
      : values.tool === undefined
      ? DEFAULTS.toolScopes
      : [],
    args: parseJsonObject(values["tool-args"], "--tool-args", problems) ??
      (values.tool === undefined ? DEFAULTS.toolArgs : {}),
  };
  if (tool !== undefined && tool.scopes.length === 0) {
    problems.push(
      `--tool-scopes must name the scopes "${tool.name}" needs (or use --tool none)`,
    );
  }
  const otherTool = values.tool === "none" ? undefined : {
    name: values["other-tool"] ?? DEFAULTS.otherTool,
    scopes: values["other-tool-scopes"] !== undefined
      ? list(values["other-tool-scopes"])
      : values["other-tool"] === undefined
      ? DEFAULTS.otherToolScopes
      : [],
    args: parseJsonObject(
      values["other-tool-args"],
      "--other-tool-args",
      problems,
    ) ??
      DEFAULTS.otherToolArgs,
  };
  if (
    tool !== undefined && tool.scopes.length > 0 && otherTool !== undefined &&
    tool.scopes.every((scope) => otherTool.scopes.includes(scope))
  ) {
    problems.push("--other-tool must need different scopes than --tool");
  }
  const resourceScopes = list(values["resource-scopes"]);
  const promptScopes = list(values["prompt-scopes"]);
  const scopes = [
    ...new Set([
      ...(values.scopes !== undefined ? list(values.scopes) : DEFAULTS.scopes),
      ...requiredScopes,
      ...(tool?.scopes ?? []),
      ...(otherTool?.scopes ?? []),
      ...resourceScopes,
      ...promptScopes,
    ]),
  ];
  const spec = values.spec ?? LATEST_SPEC;
  if (!isSpecRevision(spec)) {
    problems.push(
      `--spec "${spec}" must be one of ${SPEC_REVISIONS.join(", ")}`,
    );
  }
  const live = values.live ?? false;
  if (values["token-file"] !== undefined && !live) {
    problems.push("--token-file is for live mode: add --live");
  }
  if (live && values.spawn !== undefined) {
    problems.push(
      "--spawn wires the server to the mock issuer; --live checks a server that trusts a real one: use one or the other",
    );
  }
  const issuerPort = integer(
    values["issuer-port"],
    "--issuer-port",
    0,
    65535,
    0,
    problems,
  );
  const startup = integer(
    values["startup-timeout"],
    "--startup-timeout",
    1,
    3600,
    DEFAULTS.startupTimeoutSeconds,
    problems,
  );
  const request = integer(
    values["request-timeout"],
    "--request-timeout",
    1,
    600,
    DEFAULTS.requestTimeoutSeconds,
    problems,
  );

  if (problems.length > 0 || url === undefined || baseUrl === undefined) {
    return { kind: "error", problems };
  }
  return {
    kind: "run",
    options: Object.freeze({
      url,
      baseUrl,
      resourceId,
      requiredScopes,
      scopes,
      tool,
      otherTool,
      resourceScopes,
      promptScopes,
      spec: spec as SpecRevision,
      live,
      tokenFile: values["token-file"],
      spawn: values.spawn,
      issuerHost: values["issuer-host"] ?? DEFAULTS.issuerHost,
      issuerPort,
      startupTimeoutMs: startup * 1000,
      requestTimeoutMs: request * 1000,
      only: values.only ?? [],
      skip: values.skip ?? [],
      strict: values.strict ?? false,
      jsonPath: values.json,
      junitPath: values.junit,
      quiet: values.quiet ?? false,
    }),
  };
}

function list(raw: string | undefined): string[] {
  return [...new Set((raw ?? "").split(/[\s,]+/).filter((s) => s !== ""))];
}

function parseUrl(
  raw: string | undefined,
  flag: string,
  problems: string[],
  required: boolean,
): string | undefined {
  if (raw === undefined) {
    if (required) {
      problems.push(
        `${flag} is required (the MCP endpoint, e.g. http://127.0.0.1:3002/mcp)`,
      );
    }
    return undefined;
  }
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      problems.push(`${flag} "${raw}" must be an http or https URL`);
      return undefined;
    }
    return raw;
  } catch {
    problems.push(`${flag} "${raw}" is not a URL`);
    return undefined;
  }
}

function parseJsonObject(
  raw: string | undefined,
  flag: string,
  problems: string[],
): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return value;
    }
  } catch { /* reported below */ }
  problems.push(`${flag} must be a JSON object, such as {"title":"x"}`);
  return undefined;
}

function integer(
  raw: string | undefined,
  flag: string,
  min: number,
  max: number,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(
      `${flag} "${raw}" must be a whole number from ${min} to ${max}`,
    );
    return fallback;
  }
  return value;
}
