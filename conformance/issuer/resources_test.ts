import assert from "node:assert/strict";
import { grantScopes } from "./_scopes.ts";
import { ResourceDirectory, resourceProblems } from "./resources.ts";

const A = { id: "res_a", url: "https://a.example/mcp", scopes: ["r", "w"] };
const B = { id: "res_b", scopes: ["n"] };

Deno.test("ResourceDirectory.accepts() takes the id, the URL modulo a slash, or any URL when none is set", async (t) => {
  const resources = new ResourceDirectory([A, B]);
  const cases: [string, string, boolean][] = [
    ["res_a", "res_a", true],
    ["res_a", "https://a.example/mcp", true],
    ["res_a", "https://a.example/mcp/", true],
    ["res_a", "HTTPS://A.EXAMPLE/mcp", true],
    ["res_a", "https://a.example/other", false],
    ["res_a", "res_b", false],
    ["res_b", "http://127.0.0.1:3002/mcp", true],
    ["res_b", "ftp://x.example/", false],
    ["res_b", "https://x.example/#f", false],
    ["res_b", "not a url", false],
  ];
  for (const [id, indicator, expected] of cases) {
    await t.step(`${id} ${indicator}`, () => {
      assert.equal(resources.accepts(id, indicator), expected);
    });
  }
});

Deno.test("ResourceDirectory.find(), audience() and setUrl()", () => {
  const resources = new ResourceDirectory([A, B]);
  assert.equal(resources.find("https://a.example/mcp/")?.id, "res_a");
  assert.equal(resources.find("res_b")?.id, "res_b");
  assert.equal(resources.find("https://nowhere.example"), undefined);
  assert.deepEqual(resources.audience("res_a"), [
    "https://a.example/mcp",
    "res_a",
  ]);
  assert.deepEqual(resources.audience("res_b"), ["res_b"]);
  resources.setUrl("res_b", "http://127.0.0.1:1/mcp");
  assert.deepEqual(resources.audience("res_b"), [
    "http://127.0.0.1:1/mcp",
    "res_b",
  ]);
  resources.setUrl("res_b", undefined);
  assert.deepEqual(resources.audience("res_b"), ["res_b"]);
  assert.throws(() => resources.setUrl("res_x", undefined), RangeError);
  assert.throws(() => resources.setUrl("res_b", "mcp"), TypeError);
});

Deno.test("resourceProblems() names each problem", () => {
  assert.deepEqual(resourceProblems([A, B]), []);
  assert.equal(resourceProblems([]).length, 1);
  assert.equal(
    resourceProblems([{ id: "a/b", scopes: [] }, { ...A, url: "x" }]).length,
    2,
  );
});

Deno.test("grantScopes() intersects with the resource's scopes", async (t) => {
  const cases: [
    string,
    string[] | undefined,
    boolean,
    string[] | "invalid_scope",
  ][] = [
    ["nothing asked: everything", undefined, true, ["r", "w"]],
    ["known subset", ["w"], true, ["w"]],
    ["unknown dropped", ["w", "x"], true, ["w"]],
    ["offline access kept", ["r", "offline_access"], true, [
      "r",
      "offline_access",
    ]],
    ["offline access alone: all plus offline", ["offline_access"], true, [
      "r",
      "w",
      "offline_access",
    ]],
    ["offline access not allowed", ["r", "offline_access"], false, ["r"]],
    ["only unknown", ["x"], true, "invalid_scope"],
  ];
  for (const [name, requested, offline, expected] of cases) {
    await t.step(name, () => {
      if (expected === "invalid_scope") {
        assert.throws(
          () => grantScopes(A, requested, offline),
          (error: { code?: string }) => error.code === "invalid_scope",
        );
      } else {
        assert.deepEqual(grantScopes(A, requested, offline), expected);
      }
    });
  }
});
