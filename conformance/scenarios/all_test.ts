import assert from "node:assert/strict";
import { BAD_TOKEN_KINDS } from "../issuer/mod.ts";
import type { Scenario } from "../scenario.ts";
import { RULES } from "../spec.ts";
import { ALL_SCENARIOS, selectScenarios } from "./all.ts";

const ids = (scenarios: readonly Scenario[]) => scenarios.map((s) => s.id);

Deno.test("ALL_SCENARIOS have unique ids of the form group.name", () => {
  const all = ids(ALL_SCENARIOS);
  assert.equal(new Set(all).size, all.length, "duplicate ids");
  for (const id of all) assert.match(id, /^[a-z]+\.[a-z0-9_]+$/);
});

Deno.test("ALL_SCENARIOS each check a known rule, with a title", () => {
  for (const scenario of ALL_SCENARIOS) {
    assert.ok(scenario.title.trim() !== "", `${scenario.id} has no title`);
    assert.ok(scenario.rule in RULES, `${scenario.id} checks ${scenario.rule}`);
    assert.equal(typeof scenario.run, "function");
  }
});

Deno.test("ALL_SCENARIOS keep the ids of the first suite, so --skip lists still work", () => {
  const all = new Set(ids(ALL_SCENARIOS));
  for (
    const id of [
      "discovery.challenge",
      "discovery.challenge_scope",
      "discovery.metadata_from_challenge",
      "discovery.metadata_path_suffixed",
      "discovery.resource_matches",
      "discovery.authorization_servers",
      "discovery.authorization_server_metadata",
      "discovery.scopes_supported",
      "rejection.no_token",
      "rejection.query_token",
      "scopes.required_missing",
      "scopes.tool_refused",
      "scopes.other_tool_allowed",
      "happy.initialize",
      "happy.tools_list",
      "happy.tools_call",
      "journey.dynamic_registration",
      "journey.client_metadata_document",
    ]
  ) {
    assert.ok(all.has(id), `${id} is gone`);
  }
});

Deno.test("ALL_SCENARIOS run the happy path and journeys with a legacy and a modern client", () => {
  const all = new Set(ids(ALL_SCENARIOS));
  const legacy = ids(ALL_SCENARIOS).filter((id) =>
    /^(happy\.(initialize|tools_list|tools_call)|journey\.[a-z_]+)$/.test(id) &&
    !id.endsWith("_modern")
  );
  assert.ok(legacy.length >= 5, legacy.join());
  for (const id of legacy) assert.ok(all.has(`${id}_modern`), id);
});

Deno.test("ALL_SCENARIOS run each group together, discovery first", () => {
  const groups = ALL_SCENARIOS.map((s) => s.id.split(".")[0]);
  const order = groups.filter((group, i) => group !== groups[i - 1]);
  assert.equal(new Set(order).size, order.length, `groups split: ${order}`);
  assert.equal(order[0], "discovery");
});

Deno.test("ALL_SCENARIOS have a rejection scenario for every bad token the issuer mints", () => {
  const all = new Set(ids(ALL_SCENARIOS));
  assert.ok(BAD_TOKEN_KINDS.length > 0);
  for (const kind of BAD_TOKEN_KINDS) {
    assert.ok(all.has(`rejection.${kind}`), `no scenario for ${kind}`);
  }
});

function fake(id: string): Scenario {
  return {
    id,
    title: id,
    rule: "refuse_with_401",
    run: () => Promise.resolve(),
  };
}

const FAKES: readonly Scenario[] = [
  "discovery.challenge",
  "discovery.challenge_scope",
  "rejection.expired",
  "rejection.empty_bearer",
  "rejection.no_token",
  "scopes.tool_refused",
].map(fake);

Deno.test("selectScenarios() matches whole ids and whole groups, never part of a name", async (t) => {
  const rows: ReadonlyArray<
    readonly [string, readonly string[], readonly string[], readonly string[]]
  > = [
    ["nothing given: everything", [], [], ids(FAKES)],
    ["a group", ["discovery"], [], [
      "discovery.challenge",
      "discovery.challenge_scope",
    ]],
    ["a group with its dot", ["rejection."], [], [
      "rejection.expired",
      "rejection.empty_bearer",
      "rejection.no_token",
    ]],
    ["an exact id, not its longer sibling", ["discovery.challenge"], [], [
      "discovery.challenge",
    ]],
    ["part of a name selects nothing", ["rejection.e"], [], []],
    ["part of a group selects nothing", ["disc"], [], []],
    ["several --only", ["scopes", "rejection.expired"], [], [
      "rejection.expired",
      "scopes.tool_refused",
    ]],
    ["skip a group", [], ["rejection"], [
      "discovery.challenge",
      "discovery.challenge_scope",
      "scopes.tool_refused",
    ]],
    ["skip part of a name skips nothing", [], ["rejection.e"], ids(FAKES)],
    ["skip wins over only", ["rejection"], ["rejection.expired"], [
      "rejection.empty_bearer",
      "rejection.no_token",
    ]],
    ["skip the only group", ["scopes"], ["scopes"], []],
  ];
  for (const [name, only, skip, expected] of rows) {
    await t.step(name, () => {
      assert.deepEqual(ids(selectScenarios(FAKES, only, skip)), expected);
    });
  }
});

Deno.test("selectScenarios() with --only discovery picks the discovery group of the real suite", () => {
  const selected = selectScenarios(ALL_SCENARIOS, ["discovery"], []);
  assert.ok(selected.length > 0);
  assert.deepEqual(
    ids(selected),
    ids(ALL_SCENARIOS).filter((id) => id.startsWith("discovery.")),
  );
});

Deno.test("selectScenarios() leaves the scenario list it was given alone", () => {
  const before = ids(FAKES);
  selectScenarios(FAKES, ["rejection"], ["rejection.expired"]);
  assert.deepEqual(ids(FAKES), before);
});
