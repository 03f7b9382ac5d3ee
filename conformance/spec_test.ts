import assert from "node:assert/strict";
import {
  clauseOf,
  isSpecRevision,
  LATEST_SPEC,
  type RuleId,
  RULES,
  SPEC_REVISIONS,
  type SpecRevision,
} from "./spec.ts";

const RULE_IDS = Object.keys(RULES) as RuleId[];

Deno.test("RULES: every rule says what it wants in every revision, and why when no sentence says it", async (t) => {
  for (const id of RULE_IDS) {
    await t.step(id, () => {
      const rule = RULES[id];
      assert.equal(rule.id, id);
      assert.ok(rule.summary.trim() !== "");
      for (const revision of SPEC_REVISIONS) {
        const clause = rule.clauses[revision];
        assert.ok(clause.cite.trim() !== "", `${id} ${revision} cites nothing`);
        if (rule.basis === "spec" && clause.level !== "INFO") {
          assert.ok(clause.quote, `${id} ${revision} quotes no sentence`);
        }
      }
      if (rule.basis === "practice") {
        assert.ok(rule.why, `${id} rests on practice but says not why`);
      }
    });
  }
});

Deno.test("RULES: the levels the issue names come out of each revision's text", async (t) => {
  const rows: ReadonlyArray<readonly [RuleId, SpecRevision, string]> = [
    // resource_metadata in a 401: MUST in 2025-06-18, "one of" after.
    ["challenge_resource_metadata", "2025-06-18", "MUST"],
    ["challenge_resource_metadata", "2025-11-25", "INFO"],
    ["metadata_discoverable", "2025-11-25", "MUST"],
    // offline_access and the one-challenge rule are 2026-07-28's.
    ["no_offline_access", "2025-11-25", "INFO"],
    ["no_offline_access", "2026-07-28", "SHOULD"],
    ["insufficient_scope_names_scopes", "2025-06-18", "INFO"],
    ["insufficient_scope_names_scopes", "2026-07-28", "SHOULD"],
    // The root well-known URL is one option among others, never a rule.
    ["metadata_path_suffixed", "2025-06-18", "MUST"],
    ["metadata_path_suffixed", "2026-07-28", "INFO"],
    // Origin: 403 is named from 2025-11-25 on.
    ["origin_validated", "2025-11-25", "MUST"],
  ];
  for (const [rule, revision, level] of rows) {
    await t.step(`${rule} in ${revision}: ${level}`, () => {
      assert.equal(clauseOf(rule, revision).level, level);
    });
  }
  await t.step(
    "a token without exp is judged by RFC 9068, not RFC 8725 §3.10",
    () => {
      const { cite } = clauseOf("token_exp_required", LATEST_SPEC);
      assert.match(cite, /RFC 9068 §2\.2/);
      assert.doesNotMatch(cite, /8725/);
    },
  );
});

Deno.test("isSpecRevision() knows exactly the three revisions", () => {
  for (const revision of SPEC_REVISIONS) assert.ok(isSpecRevision(revision));
  for (const other of ["2025-03-26", "draft", "", "2026-07-28 "]) {
    assert.equal(isSpecRevision(other), false, other);
  }
  assert.equal(LATEST_SPEC, SPEC_REVISIONS.at(-1));
});

// The spec repository's text, when a checkout is at hand (it is not in CI):
// every sentence quoted from an MCP revision must be in that revision.
const MIRROR = Deno.env.get("MCP_SPEC_REPO") ??
  "/work/.mirror/modelcontextprotocol+modelcontextprotocol/repo";
const mirrored = await Deno.stat(MIRROR).then(() => true, () => false);

/** The markdown of a revision's authorization and transport pages, reduced to plain words. */
async function revisionText(revision: SpecRevision): Promise<string> {
  const { stdout } = await new Deno.Command("git", {
    args: [
      "-C",
      MIRROR,
      "ls-tree",
      "-r",
      "--name-only",
      "HEAD",
      `docs/specification/${revision}/basic`,
    ],
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(stdout).split("\n").filter((f) =>
    /authorization|transports/.test(f) && f.endsWith(".mdx")
  );
  let text = "";
  for (const file of files) {
    const shown = await new Deno.Command("git", {
      args: ["-C", MIRROR, "show", `HEAD:${file}`],
      stdout: "piped",
    }).output();
    text += new TextDecoder().decode(shown.stdout) + "\n";
  }
  return plain(text);
}

function plain(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // links → their text
    .replace(/\*\*|`/g, "") // bold, code
    .replace(/(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])/g, "$1") // italics
    .replace(/\n\s*(?:[-*]|\d+\.)\s+/g, " ") // list markers
    .replace(/\s+/g, " ");
}

Deno.test({
  name:
    "RULES: every sentence quoted from an MCP revision is in that revision's text",
  ignore: !mirrored,
  async fn(t) {
    for (const revision of SPEC_REVISIONS) {
      const text = await revisionText(revision);
      assert.ok(text.length > 10_000, `no text for ${revision}`);
      for (const id of RULE_IDS) {
        const clause = RULES[id].clauses[revision];
        if (!clause.cite.startsWith(`MCP ${revision}`)) continue;
        if (clause.quote === undefined) continue;
        await t.step(`${revision} ${id}`, () => {
          // "…" marks words left out; each piece must be there as written.
          for (const piece of clause.quote!.split("…")) {
            const words = plain(piece).trim().replace(/^[:,.] */, "");
            if (words === "") continue;
            assert.ok(
              text.includes(words),
              `not in ${revision}: ${JSON.stringify(words)}`,
            );
          }
        });
      }
    }
  },
});
