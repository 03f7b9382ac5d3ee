/**
 * The modern-era variants judge a server that speaks 2026-07-28, and are
 * skipped, with the reason, for one that does not, or under an older
 * revision: the suite judges authorization, not which revision a server
 * speaks.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startBrokenServer } from "../fixtures/broken_server.ts";
import { startMockIssuer } from "./issuer/mod.ts";
import { parseCommandLine } from "./options.ts";
import { runSuite } from "./runner.ts";
import type { ScenarioResult } from "./scenario.ts";
import { ALL_SCENARIOS } from "./scenarios/all.ts";

const MODERN = ALL_SCENARIOS.filter((s) => s.id.endsWith("_modern"));

async function modernResults(
  modern: boolean,
  spec: string,
): Promise<ScenarioResult[]> {
  const issuer = await startMockIssuer({
    resources: [{ id: "res_era", scopes: ["todo:read", "todo:write"] }],
  });
  try {
    const server = await startBrokenServer({
      ...(modern ? {} : { quirks: ["legacy_only"] }),
      issuerUrl: issuer.url,
      resourceId: "res_era",
    });
    try {
      issuer.setResourceUrl?.("res_era", server.url);
      const parsed = parseCommandLine([
        "--url",
        server.url,
        "--resource-id",
        "res_era",
        "--spec",
        spec,
      ]);
      assert.equal(parsed.kind, "run");
      const report = await runSuite({
        options: parsed.options,
        issuer,
        scenarios: MODERN,
      });
      return [...report.results];
    } finally {
      await server.close();
    }
  } finally {
    await issuer.close();
  }
}

Deno.test("the modern variants pass a server that speaks 2026-07-28 and skip one that does not, saying why", async (t) => {
  assert.ok(MODERN.length >= 5);
  await t.step("a server that speaks 2026-07-28", async () => {
    for (const result of await modernResults(true, "2026-07-28")) {
      assert.equal(result.status, "pass", `${result.id}: ${result.notes}`);
    }
  });
  await t.step("a server that speaks only the 2025 era", async () => {
    for (const result of await modernResults(false, "2026-07-28")) {
      assert.equal(result.status, "skip", result.id);
      assert.match(result.notes.join(), /does not speak the 2026-07-28 era/);
    }
  });
  await t.step("judged against 2025-11-25", async () => {
    for (const result of await modernResults(true, "2025-11-25")) {
      assert.equal(result.status, "skip", result.id);
      assert.match(
        result.notes.join(),
        /the 2026-07-28 era is not part of 2025-11-25/,
      );
    }
  });
});
