import assert from "node:assert/strict";
import { ALL_SCENARIOS } from "./scenarios/all.ts";
import { RULES, SPEC_REVISIONS } from "./spec.ts";

const README = await Deno.readTextFile(
  new URL("../README.md", import.meta.url),
);

/** The rows of the Markdown table that follows `heading`, as cells. */
function tableAfter(heading: string): string[][] {
  const start = README.indexOf(heading);
  assert.notEqual(start, -1, `no "${heading}" in the README`);
  const lines = README.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const strip = (cell: string) => cell.replace(/`/g, "");

Deno.test("the README's scenario table lists every scenario with its rule and levels, as spec.ts says", () => {
  const rows = tableAfter("### Scenarios");
  assert.deepEqual(
    rows.map((row) => strip(row[0])),
    ALL_SCENARIOS.map((s) => s.id),
  );
  for (const [id, rule, ...levels] of rows) {
    const scenario = ALL_SCENARIOS.find((s) => s.id === strip(id))!;
    assert.equal(strip(rule), scenario.rule, id);
    assert.deepEqual(
      levels,
      SPEC_REVISIONS.map((r) => RULES[scenario.rule].clauses[r].level),
      id,
    );
  }
});

Deno.test("the README's table of rules that change level lists exactly those, with their levels", () => {
  const rows = tableAfter("The rules whose level changes between revisions");
  const changing = Object.values(RULES).filter((rule) =>
    new Set(SPEC_REVISIONS.map((r) => rule.clauses[r].level)).size > 1
  );
  assert.deepEqual(
    rows.map((row) => strip(row[0])).sort(),
    changing.map((rule) => rule.id).sort(),
  );
  for (const [rule, ...cells] of rows) {
    assert.deepEqual(
      cells.slice(0, 3),
      SPEC_REVISIONS.map((r) =>
        RULES[strip(rule) as keyof typeof RULES].clauses[r].level
      ),
      rule,
    );
  }
});
