/**
 * `deno task conformance`: starts the mock Scalekit issuer, wires the server
 * under test to it (printing its environment, or spawning it), runs the
 * scenarios and reports. Talks to the server over HTTP only.
 *
 * @module
 */

import { startMockIssuer } from "./issuer/mod.ts";
import { HELP, parseCommandLine, type RunOptions } from "./options.ts";
import { formatJsonReport } from "./report/json.ts";
import { formatJunitReport } from "./report/junit.ts";
import { formatResult, formatSummary } from "./report/console.ts";
import { runSuite } from "./runner.ts";
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

async function run(options: RunOptions): Promise<number> {
  const scenarios = selectScenarios(ALL_SCENARIOS, options.only, options.skip);
  if (scenarios.length === 0) {
    console.error("error: --only/--skip leave no scenario to run");
    return EXIT_USAGE;
  }
  const issuer = await startMockIssuer({
    hostname: options.issuerHost,
    port: options.issuerPort,
    resources: [{
      id: options.resourceId,
      url: options.url,
      scopes: options.scopes,
    }],
  });
  let server: SpawnedServer | undefined;
  try {
    // Published before the server can cache the JWKS; signs nothing until
    // the rotation scenario.
    const nextKid = await issuer.publishKey?.();
    const env = serverEnvironment(issuer.url, options);
    console.log(`Mock Scalekit environment: ${issuer.url}`);
    console.log(
      `Resource: ${options.resourceId}  (scopes: ${options.scopes.join(" ")})`,
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
        "\nStart the server under test with this environment (FastMCP form):\n",
      );
      for (const line of exportLines(env.fastmcp)) console.log(`  ${line}`);
      console.log(
        "\nor, for servers that follow the Scalekit guides (plain form):\n",
      );
      for (const line of exportLines(env.plain)) console.log(`  ${line}`);
      console.log(`\nWaiting for ${options.url} …`);
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
    console.log(`Checking ${options.url}\n`);

    const report = await runSuite({
      options,
      issuer,
      scenarios,
      nextKid,
      onResult: (result) => {
        for (const line of formatResult(result, options.quiet)) {
          console.log(line);
        }
      },
    });
    if (options.jsonPath) {
      await Deno.writeTextFile(options.jsonPath, formatJsonReport(report));
    }
    if (options.junitPath) {
      await Deno.writeTextFile(options.junitPath, formatJunitReport(report));
    }
    console.log("");
    for (const line of formatSummary(report.summary)) console.log(line);
    return report.summary.failed > 0 ? 1 : 0;
  } finally {
    await server?.stop();
    await issuer.close();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
