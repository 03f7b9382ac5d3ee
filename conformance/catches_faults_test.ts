/**
 * The conformance suite can fail: against this server with one deliberate
 * fault, the scenarios that check the broken rule fail; against the same
 * server without the fault, they pass. A suite that passes everything
 * proves nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Fault, startBrokenServer } from "../fixtures/broken_server.ts";
import { startMockIssuer } from "./issuer/mod.ts";
import { parseCommandLine } from "./options.ts";
import { runSuite } from "./runner.ts";
import type { ScenarioResult } from "./scenario.ts";
import { ALL_SCENARIOS, selectScenarios } from "./scenarios/all.ts";

const RESOURCE_ID = "res_faults";
const SCOPES: readonly string[] = ["todo:read", "todo:write", "todo:admin"];

/** A fault and the scenarios that must catch it. */
interface Row {
  /** The fault switched on in the broken variant. */
  readonly fault: Fault;
  /** Scenario ids (or id prefixes): each fails with the fault and passes without it. */
  readonly caughtBy: readonly string[];
  /** Scopes the server demands of every request. Default none. */
  readonly requiredScopes?: readonly string[];
  /** Ids among `caughtBy` that do not judge this fault. */
  readonly except?: readonly string[];
}

const ROWS: readonly Row[] = [
  {
    fault: "no_audience_check",
    caughtBy: ["rejection.wrong_audience", "rejection.other_resource_audience"],
  },
  { fault: "accept_expired", caughtBy: ["rejection.expired"] },
  // Every refusal is a 401, so every rejection scenario must fail too.
  {
    fault: "no_challenge_header",
    caughtBy: ["discovery.challenge", "rejection"],
    // It counts key fetches, not challenges.
    except: ["rejection.jwks_flood"],
  },
  {
    fault: "ignore_scopes",
    caughtBy: ["scopes.tool_refused", "scopes.required_missing"],
    requiredScopes: ["todo:read"],
  },
  {
    fault: "resource_trailing_slash",
    caughtBy: ["discovery.resource_matches"],
  },
  { fault: "accept_alg_none", caughtBy: ["rejection.alg_none"] },
];

/** Runs the row's scenarios against the server with `faults`; closes everything. */
async function runAgainst(
  faults: readonly Fault[],
  row: Row,
): Promise<readonly ScenarioResult[]> {
  const issuer = await startMockIssuer({
    resources: [{ id: RESOURCE_ID, scopes: SCOPES }],
  });
  try {
    const server = await startBrokenServer({
      faults,
      issuerUrl: issuer.url,
      resourceId: RESOURCE_ID,
      requiredScopes: row.requiredScopes,
    });
    try {
      // Tokens name the server's URL in `aud`, known only once it listens.
      assert.ok(issuer.setResourceUrl, "The issuer cannot set a resource URL");
      issuer.setResourceUrl(RESOURCE_ID, server.url);
      const parsed = parseCommandLine([
        "--url",
        server.url,
        "--resource-id",
        RESOURCE_ID,
        "--request-timeout",
        "5",
        ...(row.requiredScopes
          ? ["--required-scopes", row.requiredScopes.join(",")]
          : []),
      ]);
      assert.equal(parsed.kind, "run", JSON.stringify(parsed));
      const report = await runSuite({
        options: parsed.options,
        issuer,
        scenarios: selectScenarios(
          ALL_SCENARIOS,
          row.caughtBy,
          row.except ?? [],
        ),
      });
      return report.results;
    } finally {
      await server.close();
    }
  } finally {
    await issuer.close();
  }
}

function explain(result: ScenarioResult, expected: string): string {
  return `${result.id} should ${expected}, but its status is "${result.status}"; findings: ${
    JSON.stringify(result.findings, null, 2)
  }; notes: ${JSON.stringify(result.notes)}`;
}

Deno.test("the conformance suite fails a server with a fault, and passes it without", async (t) => {
  for (const row of ROWS) {
    await t.step(
      `${row.fault} is caught by ${row.caughtBy.join(", ")}`,
      async (t) => {
        for (const id of row.caughtBy) {
          assert.notEqual(
            selectScenarios(ALL_SCENARIOS, [id], []).length,
            0,
            `No scenario has the id (or prefix) "${id}"`,
          );
        }
        const broken = await runAgainst([row.fault], row);
        const sound = await runAgainst([], row);
        for (const result of broken) {
          await t.step(`${result.id} fails with the fault`, () => {
            assert.equal(
              result.status,
              "fail",
              explain(result, `fail against a server with "${row.fault}"`),
            );
          });
        }
        for (const result of sound) {
          await t.step({
            name: `${result.id} passes without it`,
            fn() {
              assert.equal(
                result.status,
                "pass",
                explain(result, "pass against the server without faults"),
              );
            },
          });
        }
      },
    );
  }
});
