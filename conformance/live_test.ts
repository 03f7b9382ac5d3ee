/**
 * Live mode, proved against this server trusting an issuer the runner does
 * not control: the test starts the issuer and keeps it; the runner gets a
 * URL and, at most, one token in a file. It must still catch what a forger
 * can do, and never print the token.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Fault, startBrokenServer } from "../fixtures/broken_server.ts";
import { runMain } from "./_capture.ts";
import { startMockIssuer } from "./issuer/mod.ts";
import type { MockIssuer } from "./issuer/types.ts";

const RESOURCE_ID = "res_live";
const SCOPES: readonly string[] = ["todo:read", "todo:write", "todo:admin"];

interface LiveRun {
  readonly code: number;
  readonly out: string[];
  readonly report: {
    live: boolean;
    issuer: string | null;
    summary: Record<string, number>;
    results: Array<{ id: string; status: string; notes: string[] }>;
  };
  readonly text: string;
}

/**
 * Starts an issuer (the test's, not the runner's) and this server trusting
 * it, optionally with `faults`; writes `mintToken`'s token to a file when
 * given; runs `--live` and returns what it printed and reported.
 */
async function live(
  faults: readonly Fault[],
  mintToken?: (issuer: MockIssuer) => Promise<string>,
): Promise<LiveRun & { token?: string }> {
  const dir = await Deno.makeTempDir({ prefix: "conformance-live-" });
  const issuer = await startMockIssuer({
    resources: [{ id: RESOURCE_ID, scopes: SCOPES }],
  });
  try {
    const server = await startBrokenServer({
      faults,
      issuerUrl: issuer.url,
      resourceId: RESOURCE_ID,
    });
    try {
      issuer.setResourceUrl?.(RESOURCE_ID, server.url);
      const token = mintToken ? await mintToken(issuer) : undefined;
      if (token !== undefined) {
        await Deno.writeTextFile(`${dir}/token`, `${token}\n`);
      }
      const { code, out } = await runMain([
        "--live",
        "--url",
        server.url,
        ...(token !== undefined ? ["--token-file", `${dir}/token`] : []),
        "--json",
        `${dir}/report.json`,
      ]);
      const text = await Deno.readTextFile(`${dir}/report.json`);
      return { code, out, report: JSON.parse(text), text, token };
    } finally {
      await server.close();
    }
  } finally {
    await issuer.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function statusOf(run: LiveRun, id: string): string | undefined {
  return run.report.results.find((r) => r.id === id)?.status;
}

/** What a forger can make without any token. */
const FORGEABLE = [
  "rejection.alg_none",
  "rejection.hs256_with_public_key",
  "rejection.foreign_key",
  "rejection.unknown_kid",
  "rejection.garbage",
];

Deno.test("--live without a token: discovery, challenges, Origin, CORS and forged tokens pass on this server", async () => {
  const run = await live([]);
  assert.equal(run.code, 0, run.out.join("\n"));
  assert.equal(run.report.live, true);
  assert.equal(run.report.issuer, null);
  assert.equal(run.report.summary.failed, 0);
  assert.equal(run.report.summary.warnings, 0);
  for (
    const id of [
      "discovery.challenge",
      "discovery.metadata",
      "discovery.resource_matches",
      "discovery.authorization_servers",
      "discovery.authorization_server_metadata",
      "discovery.issuer_keys",
      "http.origin",
      "http.cors",
      "rejection.no_token",
      ...FORGEABLE,
    ]
  ) {
    assert.equal(statusOf(run, id), "pass", id);
  }
  // What needs the issuer's key is skipped, and says so.
  for (
    const id of [
      "rejection.expired",
      "happy.key_rotation",
      "journey.dynamic_registration",
    ]
  ) {
    assert.equal(statusOf(run, id), "skip", id);
    const notes = run.report.results.find((r) => r.id === id)?.notes ?? [];
    assert.match(
      notes.join(" "),
      /^live mode: needs the mock issuer to (sign|log)/,
    );
  }
  assert.equal(statusOf(run, "happy.initialize"), "skip");
  assert.match(
    run.out[0],
    /^Live mode: .* no mock issuer runs and no token was given/,
  );
});

Deno.test("--live with --token-file adds the happy path, tampered tokens and scope checks, and never shows the token", async () => {
  const run = await live(
    [],
    (issuer) => issuer.mint({ resourceId: RESOURCE_ID, scopes: ["todo:read"] }),
  );
  assert.equal(run.code, 0, run.out.join("\n"));
  for (
    const id of [
      "happy.initialize",
      "happy.tools_list",
      "happy.tools_call",
      "rejection.tampered_payload",
      "rejection.truncated",
      "rejection.query_token",
      "scopes.tool_refused",
      "scopes.other_tool_allowed",
      ...FORGEABLE,
    ]
  ) {
    assert.equal(statusOf(run, id), "pass", id);
  }
  assert.ok(run.token !== undefined);
  const [, payload, signature] = run.token.split(".");
  for (const where of [run.out.join("\n"), run.text]) {
    assert.ok(!where.includes(run.token), "the token was printed");
    assert.ok(!where.includes(signature), "the token's signature was printed");
    assert.ok(!where.includes(payload), "the token's payload was printed");
  }
});

Deno.test("--live catches what a forger gets through, against an issuer it cannot sign for", async (t) => {
  const rows: ReadonlyArray<readonly [Fault, readonly string[], boolean]> = [
    ["accept_alg_none", ["rejection.alg_none"], false],
    ["skip_signature_check", [
      "rejection.foreign_key",
      "rejection.unknown_kid",
      "rejection.hs256_with_public_key",
      "rejection.alg_none",
    ], false],
    ["skip_signature_check", ["rejection.tampered_payload"], true],
    ["accept_any_origin", ["http.origin"], true],
  ];
  for (const [fault, failing, withToken] of rows) {
    await t.step(`${fault}${withToken ? " (with a token)" : ""}`, async () => {
      const run = await live(
        [fault],
        withToken
          ? (issuer) => issuer.mint({ resourceId: RESOURCE_ID })
          : undefined,
      );
      assert.equal(run.code, 1, run.out.join("\n"));
      for (const id of failing) assert.equal(statusOf(run, id), "fail", id);
    });
  }
  await t.step("accept_any_origin without a token: not judged", async () => {
    // A 401 to a request without a token says nothing about its Origin.
    const run = await live(["accept_any_origin"]);
    assert.equal(statusOf(run, "http.origin"), "skip");
  });
});
