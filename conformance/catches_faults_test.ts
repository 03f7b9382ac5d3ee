/**
 * The conformance suite can fail, and fails for the right reason: against
 * this server with one deliberate fault, the scenarios that judge the broken
 * rule fail (or warn, for a SHOULD); against the same server without the
 * fault they pass. Quirks (correct but unusual behaviours an earlier suite
 * misjudged) must pass. Every scenario is driven by some fault, every fault
 * drives some scenario, and levels follow the spec revision judged against.
 * A suite that passes everything proves nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Fault,
  FAULTS,
  type Quirk,
  startBrokenServer,
} from "../fixtures/broken_server.ts";
import { startMockIssuer } from "./issuer/mod.ts";
import type { MockIssuer } from "./issuer/types.ts";
import { parseCommandLine } from "./options.ts";
import { runSuite } from "./runner.ts";
import type { ScenarioResult, Status } from "./scenario.ts";
import { ALL_SCENARIOS, selectScenarios } from "./scenarios/all.ts";
import type { SpecRevision } from "./spec.ts";

const RESOURCE_ID = "res_faults";
const SCOPES: readonly string[] = ["todo:read", "todo:write", "todo:admin"];

/** How the server is set up and judged, besides the fault. */
interface Setup {
  /** Scopes every request needs. */
  readonly requiredScopes?: readonly string[];
  /** The revision judged against. Default the latest. */
  readonly spec?: SpecRevision;
  /** More command-line options. */
  readonly args?: readonly string[];
}

/** A fault (or quirk) and what each scenario it touches must come to. */
interface Row extends Setup {
  /** The fault switched on; or a quirk, which must pass. */
  readonly fault?: Fault;
  /** A correct but unusual behaviour. */
  readonly quirk?: Quirk;
  /** Scenario id → its status with the fault (each passes without it). */
  readonly expect: Readonly<Record<string, Status>>;
}

const REQUIRED = ["todo:read"] as const;

/** Every id of a group, minus some. */
function group(
  prefix: string,
  status: Status,
  except: readonly string[] = [],
): Record<string, Status> {
  return Object.fromEntries(
    ALL_SCENARIOS.map((s) => s.id)
      .filter((id) => id.startsWith(prefix) && !except.includes(id))
      .map((id) => [id, status]),
  );
}

const MODERN_HAPPY = [
  "happy.initialize_modern",
  "happy.tools_list_modern",
  "happy.tools_call_modern",
  "journey.dynamic_registration_modern",
  "journey.client_metadata_document_modern",
];

const ROWS: readonly Row[] = [
  // Discovery.
  {
    fault: "no_challenge_header",
    expect: {
      "discovery.challenge": "fail",
      ...group("rejection.", "fail", ["rejection.jwks_flood"]),
    },
  },
  {
    fault: "challenge_without_scope",
    requiredScopes: REQUIRED,
    expect: { "discovery.challenge_scope": "warn" },
  },
  {
    fault: "unescaped_quote_in_challenge",
    expect: {
      "rejection.expired": "fail",
      "rejection.garbage": "fail",
      "rejection.no_token": "pass",
    },
  },
  // The MCP SDK's helper: it parses, but RFC 6750 §3 forbids the quote.
  {
    fault: "escaped_quote_in_challenge",
    expect: { "rejection.wrong_issuer": "fail", "rejection.garbage": "fail" },
  },
  // resource_metadata in the challenge: a MUST in 2025-06-18, one of two
  // mechanisms after (the well-known URL still works).
  {
    fault: "no_resource_metadata",
    requiredScopes: REQUIRED,
    spec: "2025-06-18",
    expect: {
      "discovery.challenge": "fail",
      "rejection.no_token": "fail",
      "rejection.expired": "fail",
    },
  },
  {
    fault: "no_resource_metadata",
    requiredScopes: REQUIRED,
    spec: "2026-07-28",
    expect: {
      "discovery.challenge": "pass",
      "discovery.metadata": "pass",
      "rejection.no_token": "pass",
      "rejection.expired": "pass",
    },
  },
  // A broken link is reported once; the good document behind it is judged.
  {
    fault: "challenge_metadata_404",
    expect: {
      "discovery.metadata_from_challenge": "fail",
      "discovery.metadata": "pass",
      "discovery.resource_matches": "pass",
      "discovery.authorization_servers": "pass",
      "discovery.authorization_server_metadata": "pass",
      "discovery.scopes_supported": "pass",
    },
  },
  {
    fault: "no_path_suffixed_metadata",
    spec: "2025-06-18",
    expect: { "discovery.metadata_path_suffixed": "fail" },
  },
  {
    fault: "no_path_suffixed_metadata",
    spec: "2025-11-25",
    expect: {
      "discovery.metadata_path_suffixed": "pass",
      "discovery.metadata": "pass",
    },
  },
  {
    fault: "no_metadata",
    expect: {
      "discovery.metadata": "fail",
      "discovery.metadata_from_challenge": "fail",
      "discovery.resource_matches": "skip",
    },
  },
  {
    quirk: "no_root_metadata",
    expect: {
      "discovery.metadata": "pass",
      "discovery.resource_matches": "pass",
    },
  },
  {
    fault: "resource_trailing_slash",
    expect: {
      "discovery.resource_matches": "fail",
      "journey.dynamic_registration": "fail",
    },
  },
  {
    fault: "authorization_servers_empty",
    expect: {
      "discovery.authorization_servers": "fail",
      "discovery.authorization_server_metadata": "skip",
    },
  },
  {
    fault: "authorization_servers_environment",
    expect: { "discovery.authorization_servers": "warn" },
  },
  {
    fault: "authorization_servers_unreachable",
    expect: {
      "discovery.authorization_servers": "fail",
      "discovery.authorization_server_metadata": "fail",
    },
  },
  {
    fault: "authorization_server_without_keys",
    expect: { "discovery.issuer_keys": "fail" },
  },
  {
    fault: "scopes_supported_empty",
    expect: { "discovery.scopes_supported": "fail" },
  },
  {
    fault: "scopes_supported_missing",
    expect: { "discovery.scopes_supported": "warn" },
  },
  {
    fault: "offline_access_advertised",
    spec: "2026-07-28",
    expect: { "discovery.no_offline_access": "warn" },
  },
  {
    fault: "offline_access_advertised",
    spec: "2025-11-25",
    expect: { "discovery.no_offline_access": "pass" },
  },
  {
    fault: "as_metadata_mismatch",
    expect: { "discovery.authorization_server_proxy": "fail" },
  },
  {
    quirk: "proxy_authorization_server_metadata",
    expect: { "discovery.authorization_server_proxy": "pass" },
  },
  // Origin and CORS.
  { fault: "accept_any_origin", expect: { "http.origin": "fail" } },
  { fault: "preflight_401", expect: { "http.cors": "warn" } },
  { fault: "hidden_challenge_from_browsers", expect: { "http.cors": "warn" } },
  // Rejection.
  { fault: "accept_expired", expect: { "rejection.expired": "fail" } },
  {
    fault: "no_audience_check",
    expect: {
      "rejection.wrong_audience": "fail",
      "rejection.other_resource_audience": "fail",
    },
  },
  { fault: "accept_no_exp", expect: { "rejection.no_exp": "fail" } },
  { fault: "ignore_nbf", expect: { "rejection.not_yet_valid": "fail" } },
  {
    fault: "accept_wrong_issuer",
    expect: { "rejection.wrong_issuer": "fail" },
  },
  { fault: "accept_alg_none", expect: { "rejection.alg_none": "fail" } },
  {
    fault: "skip_signature_check",
    expect: {
      "rejection.foreign_key": "fail",
      "rejection.unknown_kid": "fail",
      "rejection.alg_none": "fail",
      "rejection.hs256_with_public_key": "fail",
      "rejection.tampered_payload": "fail",
      "rejection.truncated": "fail",
      "rejection.garbage": "pass",
    },
  },
  {
    fault: "error_code_without_credentials",
    expect: { "rejection.no_token": "warn", "rejection.basic_scheme": "warn" },
  },
  { fault: "accept_query_token", expect: { "rejection.query_token": "fail" } },
  // A server that never reads the query sees no credentials: a bare challenge.
  { quirk: "ignore_query_token", expect: { "rejection.query_token": "pass" } },
  {
    fault: "scope_before_expiry",
    requiredScopes: REQUIRED,
    expect: { "rejection.expired_and_unscoped": "fail" },
  },
  { fault: "jwks_refetch_per_kid", expect: { "rejection.jwks_flood": "warn" } },
  // Scopes: judged by effect first, then by the form of the refusal.
  {
    fault: "ignore_scopes",
    requiredScopes: REQUIRED,
    expect: {
      "scopes.tool_refused": "fail",
      "scopes.required_missing": "fail",
    },
  },
  {
    fault: "insufficient_scope_as_401",
    requiredScopes: REQUIRED,
    spec: "2026-07-28",
    expect: {
      "scopes.tool_refused": "warn",
      "scopes.required_missing": "warn",
    },
  },
  {
    fault: "insufficient_scope_as_401",
    requiredScopes: REQUIRED,
    spec: "2025-06-18",
    expect: {
      "scopes.tool_refused": "fail",
      "scopes.required_missing": "fail",
    },
  },
  {
    fault: "forbidden_without_resource_metadata",
    spec: "2026-07-28",
    expect: { "scopes.tool_refused": "warn" },
  },
  {
    fault: "forbidden_without_resource_metadata",
    spec: "2025-06-18",
    expect: { "scopes.tool_refused": "pass" },
  },
  {
    fault: "forbidden_without_scope",
    expect: { "scopes.tool_refused": "warn" },
  },
  { fault: "hide_unscoped_tools", expect: { "scopes.tool_refused": "warn" } },
  { fault: "refuse_in_band", expect: { "scopes.tool_refused": "warn" } },
  { fault: "fake_success", expect: { "scopes.tool_refused": "warn" } },
  {
    fault: "scopes_all_or_nothing",
    expect: { "scopes.other_tool_allowed": "fail" },
  },
  {
    fault: "unscoped_resources",
    args: ["--resource-scopes", "todo:read"],
    expect: { "scopes.resource_refused": "fail" },
  },
  {
    fault: "unscoped_prompts",
    args: ["--prompt-scopes", "todo:read"],
    expect: { "scopes.prompt_refused": "fail" },
  },
  // The happy path and journeys, in both eras.
  {
    fault: "expect_other_audience",
    expect: {
      "happy.initialize": "fail",
      "happy.tools_list": "fail",
      "happy.tools_call": "fail",
      "happy.issuer_environment": "fail",
      "scopes.other_tool_allowed": "fail",
      "journey.dynamic_registration": "fail",
      "journey.client_metadata_document": "fail",
      ...Object.fromEntries(MODERN_HAPPY.map((id) => [id, "fail"])),
    },
  },
  { fault: "stale_keys", expect: { "happy.key_rotation": "fail" } },
  {
    fault: "resource_issuer_only",
    expect: { "happy.issuer_environment": "fail" },
  },
  {
    fault: "environment_issuer_only",
    expect: { "happy.issuer_resource": "warn" },
  },
  {
    fault: "url_audience_only",
    expect: { "happy.audience_resource_id": "warn" },
  },
];

function setupKey(setup: Setup): string {
  return JSON.stringify([
    setup.requiredScopes ?? [],
    setup.spec ?? "",
    setup.args ?? [],
  ]);
}

/** The issuer every run shares (its keys are the slow part to make). */
interface SharedIssuer {
  readonly issuer: MockIssuer;
  /** Published before any server read the keys, as the runner does. */
  readonly nextKid?: string;
}

/** Runs `ids` against a fresh server with `faults`, trusting `shared`. */
async function runAgainst(
  shared: SharedIssuer,
  setup: Setup,
  ids: readonly string[],
  broken: { faults?: readonly Fault[]; quirks?: readonly Quirk[] },
): Promise<ReadonlyMap<string, ScenarioResult>> {
  const { issuer, nextKid } = shared;
  const server = await startBrokenServer({
    ...broken,
    issuerUrl: issuer.url,
    resourceId: RESOURCE_ID,
    requiredScopes: setup.requiredScopes,
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
      "10",
      ...(setup.requiredScopes
        ? ["--required-scopes", setup.requiredScopes.join(",")]
        : []),
      ...(setup.spec ? ["--spec", setup.spec] : []),
      ...(setup.args ?? []),
    ]);
    assert.equal(parsed.kind, "run", JSON.stringify(parsed));
    const report = await runSuite({
      options: parsed.options,
      issuer,
      nextKid,
      scenarios: selectScenarios(ALL_SCENARIOS, ids, []),
    });
    return new Map(report.results.map((r) => [r.id, r]));
  } finally {
    await server.close();
  }
}

function explain(result: ScenarioResult | undefined, expected: string): string {
  return `${result?.id} should ${expected}, but its status is "${result?.status}"; findings: ${
    JSON.stringify(result?.findings, null, 2)
  }; notes: ${JSON.stringify(result?.notes)}`;
}

Deno.test("every scenario is driven by some fault, every fault drives some scenario, and some only warn", () => {
  const driven = new Set(
    ROWS.flatMap((row) =>
      Object.entries(row.expect)
        .filter(([, status]) => status === "fail" || status === "warn")
        .map(([id]) => id)
    ),
  );
  for (const scenario of ALL_SCENARIOS) {
    assert.ok(driven.has(scenario.id), `no fault drives ${scenario.id}`);
  }
  const used = new Set(ROWS.map((row) => row.fault).filter(Boolean));
  for (const fault of FAULTS) assert.ok(used.has(fault), `${fault} is unused`);
  assert.ok(
    ROWS.some((row) => Object.values(row.expect).includes("warn")),
    "no fixture expects a warning",
  );
  for (const row of ROWS) {
    for (const id of Object.keys(row.expect)) {
      assert.ok(
        ALL_SCENARIOS.some((s) => s.id === id),
        `no scenario has the id "${id}"`,
      );
    }
  }
});

Deno.test("the conformance suite fails a server with a fault, and passes it without", async (t) => {
  const issuer = await startMockIssuer({
    resources: [{ id: RESOURCE_ID, scopes: SCOPES }],
  });
  try {
    await judgeEveryRow(t, { issuer, nextKid: await issuer.publishKey?.() });
  } finally {
    await issuer.close();
  }
});

async function judgeEveryRow(
  t: Deno.TestContext,
  shared: SharedIssuer,
): Promise<void> {
  // One sound run per setup covers every row that shares it; runs are one
  // after another, since they share the issuer's resource URL.
  const sound = new Map<string, Promise<ReadonlyMap<string, ScenarioResult>>>();
  const soundFor = (row: Row) => {
    const key = setupKey(row);
    let run = sound.get(key);
    if (run === undefined) {
      const ids = [
        ...new Set(
          ROWS.filter((r) => setupKey(r) === key).flatMap((r) =>
            Object.keys(r.expect)
          ),
        ),
      ];
      run = runAgainst(shared, row, ids, {});
      sound.set(key, run);
    }
    return run;
  };
  for (const row of ROWS) {
    const what = row.fault ?? `quirk ${row.quirk}`;
    const name = `${what}${row.spec ? ` (${row.spec})` : ""}`;
    await t.step(name, async (t) => {
      const ids = Object.keys(row.expect);
      const broken = await runAgainst(shared, row, ids, {
        ...(row.fault ? { faults: [row.fault] } : {}),
        ...(row.quirk ? { quirks: [row.quirk] } : {}),
      });
      const without = await soundFor(row);
      for (const [id, status] of Object.entries(row.expect)) {
        await t.step(`${id}: ${status} with it, pass without`, () => {
          assert.equal(
            broken.get(id)?.status,
            status,
            explain(broken.get(id), `${status} against a server with ${what}`),
          );
          assert.equal(
            without.get(id)?.status,
            "pass",
            explain(without.get(id), "pass against the server without faults"),
          );
        });
      }
    });
  }
}
