/**
 * `deno task conformance`: starts the mock Scalekit issuer, wires the server
 * under test to it (printing its environment, or spawning it), runs the
 * scenarios and reports. In live mode (`--live`) no issuer starts: the
 * server trusts a real one, and only what needs no signing key is checked.
 * Talks to the server over HTTP only.
 *
 * @module
 */

import { startMockIssuer } from "./issuer/mod.ts";
import type { MockIssuer } from "./issuer/types.ts";
import { HELP, parseCommandLine, type RunOptions } from "./options.ts";
import { formatJsonReport } from "./report/json.ts";
import { formatJunitReport } from "./report/junit.ts";
import { createConsoleReporter } from "./report/console.ts";
import { exitStatus, runSuite } from "./runner.ts";
import { ALL_SCENARIOS, selectScenarios } from "./scenarios/all.ts";
import {
  exportLines,
  listenEnvironment,
  serverEnvironment,
} from "./server_env.ts";
import {
  type SpawnedServer,
  spawnServer,
  waitUntilAnswering,
} from "./spawn.ts";

/** Exit status for bad options. */
const EXIT_USAGE = 2;

/** Runs the command line; returns the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(args);
  if (parsed.kind === "help") {
    console.log(HELP);
    return 0;
  }
  if (parsed.kind === "error") {
    for (const problem of parsed.problems) console.error(`error: ${problem}`);
    console.error("Run with --help for the options.");
    return EXIT_USAGE;
  }
  return await run(parsed.options);
}

/** Reads the live token; `undefined` with a message printed when unusable. */
async function readTokenFile(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    console.error(
      `error: --token-file "${path}" cannot be read (${
        error instanceof Error ? error.name : "error"
      })`,
    );
    return undefined;
  }
  const token = text.trim().replace(/^Bearer\s+/i, "");
  if (token === "" || /\s/.test(token)) {
    // The token itself is never echoed, even when it is malformed.
    console.error(
      `error: --token-file "${path}" must hold one access token and nothing else`,
    );
    return undefined;
  }
  return token;
}

async function run(options: RunOptions): Promise<number> {
  const scenarios = selectScenarios(ALL_SCENARIOS, options.only, options.skip);
  if (scenarios.length === 0) {
    console.error("error: --only/--skip leave no scenario to run");
    return EXIT_USAGE;
  }
  let liveToken: string | undefined;
  if (options.tokenFile !== undefined) {
    liveToken = await readTokenFile(options.tokenFile);
    if (liveToken === undefined) return EXIT_USAGE;
  }
  let issuer: MockIssuer | undefined;
  let server: SpawnedServer | undefined;
  try {
    let nextKid: string | undefined;
    if (options.live) {
      console.log(
        `Live mode: ${options.url} trusts a real issuer; no mock issuer runs${
          liveToken === undefined ? " and no token was given" : ""
        }.`,
      );
      console.log(`Waiting for ${options.url} …`);
    } else {
      issuer = await startMockIssuer({
        hostname: options.issuerHost,
        port: options.issuerPort,
        resources: [{
          id: options.resourceId,
          url: options.url,
          scopes: options.scopes,
        }],
      });
      // Published before the server can cache the JWKS; signs nothing until
      // the rotation scenario.
      nextKid = await issuer.publishKey?.();
      const env = serverEnvironment(issuer.url, options);
      console.log(`Mock Scalekit environment: ${issuer.url}`);
      console.log(
        `Resource: ${options.resourceId}  (scopes: ${
          options.scopes.join(" ")
        })`,
      );
      if (options.spawn !== undefined) {
        server = spawnServer(options.spawn, {
          ...env.fastmcp,
          ...env.plain,
          ...listenEnvironment(options.url),
        });
        console.log(`Started: ${options.spawn}`);
      } else {
        console.log(
          "\nStart the server under test with this environment (FastMCP 2.x form):\n",
        );
        for (const line of exportLines(env.fastmcp)) console.log(`  ${line}`);
        console.log(
          "\nor, for servers that follow the Scalekit guides (plain form):\n",
        );
        for (const line of exportLines(env.plain)) console.log(`  ${line}`);
        console.log(`\nWaiting for ${options.url} …`);
      }
    }
    const notReady = await waitUntilAnswering(
      options.url,
      options.startupTimeoutMs,
      server?.exited,
    );
    if (notReady !== undefined) {
      console.error(`error: ${notReady}`);
      const tail = server?.tail() ?? [];
      if (tail.length > 0) {
        console.error("Last lines from the server:");
        for (const line of tail) console.error(`  | ${line}`);
      }
      console.log("0 passed, 1 failed");
      return 1;
    }
    console.log(`Checking ${options.url} against MCP ${options.spec}\n`);

    const reporter = createConsoleReporter({
      quiet: options.quiet,
      spec: options.spec,
    });
    const report = await runSuite({
      options,
      issuer,
      liveToken,
      scenarios,
      nextKid,
      onResult: (result) => {
        for (const line of reporter.result(result)) console.log(line);
      },
    });
    if (options.jsonPath) {
      await Deno.writeTextFile(options.jsonPath, formatJsonReport(report));
    }
    if (options.junitPath) {
      await Deno.writeTextFile(options.junitPath, formatJunitReport(report));
    }
    for (const line of reporter.end(report)) console.log(line);
    return exitStatus(report.summary);
  } finally {
    await server?.stop();
    await issuer?.close();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
