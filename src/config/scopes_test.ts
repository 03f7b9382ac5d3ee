import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { parseScopeList } from "./scopes.ts";

const VAR = "SCALEKIT_REQUIRED_SCOPES";

Deno.test("parseScopeList() reads every FastMCP spelling of a list", async (t) => {
  const cases: [string | undefined, string[]][] = [
    [undefined, []],
    ["", []],
    ["   ", []],
    ["read", ["read"]],
    ["read,write", ["read", "write"]],
    ["read write", ["read", "write"]],
    ["read, write", ["read", "write"]],
    [" read ,, write , ", ["read", "write"]],
    ["read\twrite\nadmin", ["read", "write", "admin"]],
    ['["read","write"]', ["read", "write"]],
    ['  [ "read" , "write" ]  ', ["read", "write"]],
    ["[]", []],
    ['["read", "", "  "]', ["read"]],
    ["read,write,read", ["read", "write"]],
    ['["write","read","write"]', ["write", "read"]],
    ["todo:read todo:write", ["todo:read", "todo:write"]],
    ["https://api.example.com/read", ["https://api.example.com/read"]],
  ];
  for (const [raw, expected] of cases) {
    await t.step(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseScopeList(raw, VAR), expected);
    });
  }
});

Deno.test("parseScopeList() throws a ConfigError naming the variable", async (t) => {
  const cases: [string, RegExp][] = [
    ["[read, write", /not a valid JSON array/],
    ['["read",', /not a valid JSON array/],
    ['["read", 1]', /item 2 is the number 1/],
    ["[null]", /item 1 is null/],
    ['[["read"]]', /item 1 is an array/],
    ['[{"scope":"read"}]', /item 1 is an object/],
    ['["read write"]', /"read write", which is not a valid scope/],
    ['["say \\"hi\\""]', /not a valid scope/],
    ["café", /"café", which is not a valid scope/],
    ["back\\\\slash", /not a valid scope/],
  ];
  for (const [raw, pattern] of cases) {
    await t.step(raw, () => {
      assert.throws(
        () => parseScopeList(raw, VAR),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.code, "invalid_config");
          assert.equal(error.problems.length, 1);
          assert.equal(error.problems[0].variable, VAR);
          assert.ok(error.problems[0].message.startsWith(VAR));
          assert.match(error.problems[0].message, pattern);
          return true;
        },
      );
    });
  }
});

Deno.test("parseScopeList() returns a new array each call", () => {
  const first = parseScopeList("read", VAR);
  first.push("changed");
  assert.deepEqual(parseScopeList("read", VAR), ["read"]);
});
