import assert from "node:assert/strict";
import { createFindings } from "./_findings.ts";
import {
  httpUrl,
  type Parser,
  requiredScopes,
  scopeImplications,
  scopes,
} from "./parsers.ts";
import { parseValue } from "./settings.ts";

const VAR = "SOME_VARIABLE";

/** Runs `parser` on `raw` as read from {@link VAR}: its value, or its problem messages. */
function run<T>(
  parser: Parser<T>,
  raw: string,
  secret = false,
): { value?: T; messages: string[] } {
  const findings = createFindings();
  const result = parseValue({ parse: parser, secret }, VAR, raw, findings);
  const messages = findings.problems.map((p) => {
    assert.equal(p.variable, VAR);
    return p.message;
  });
  return result.ok ? { value: result.value, messages } : { messages };
}

Deno.test("scopes() reads every FastMCP spelling of a list", async (t) => {
  const cases: [string, string[]][] = [
    ["read", ["read"]],
    ["read,write", ["read", "write"]],
    ["read write", ["read", "write"]],
    ["read, write", ["read", "write"]],
    [" read ,, write , ", ["read", "write"]],
    ["read\twrite\nadmin", ["read", "write", "admin"]],
    [",", []],
    ['["read","write"]', ["read", "write"]],
    ['[ "read" , "write" ]', ["read", "write"]],
    ["[]", []],
    ['["read", "", "  "]', ["read"]],
    ["read,write,read", ["read", "write"]],
    ['["write","read","write"]', ["write", "read"]],
    ["todo:read todo:write", ["todo:read", "todo:write"]],
    ["https://api.example.com/read", ["https://api.example.com/read"]],
  ];
  for (const [raw, expected] of cases) {
    await t.step(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(run(scopes(), raw), { value: expected, messages: [] });
    });
  }
});

Deno.test("scopes() names the variable for malformed JSON and invalid scopes", async (t) => {
  const cases: [string, RegExp][] = [
    ["[read, write", /starts with "\[" but is not a valid JSON array/],
    ['["read",', /not a valid JSON array; write it as \["a","b"\]/],
    ['["a" "b"]', /not a valid JSON array \(error at character 6\)/],
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
      const { value, messages } = run(scopes(), raw);
      assert.equal(value, undefined);
      assert.equal(messages.length, 1);
      assert.ok(messages[0].startsWith(`${VAR} `), messages[0]);
      assert.match(messages[0], pattern);
    });
  }
  await t.step("each invalid scope is a problem of its own", () => {
    assert.equal(run(scopes(), "café ok naïve").messages.length, 2);
  });
});

Deno.test("httpUrl() accepts http(s) and names the variable otherwise", async (t) => {
  const cases: [string, { bare?: boolean }, RegExp | null][] = [
    ["https://a.com", {}, null],
    ["http://127.0.0.1:3002/x", {}, null],
    ["https://a.com/keys?v=1", {}, null],
    ["https://a.com/?x", { bare: true }, /must not have a query or fragment/],
    ["https://a.com/?", { bare: true }, /must not have a query or fragment/],
    ["https://a.com/#top", { bare: true }, /must not have a query or fragment/],
    ["ftp://a.com", {}, /must use http or https, not "ftp"/],
    ["file:///etc/passwd", {}, /must use http or https, not "file"/],
    ["localhost:3002", {}, /must be an absolute URL starting with/],
    ["a.scalekit.com", {}, /must be an absolute URL starting with/],
    ["https://", {}, /must be an absolute URL/],
    ["https://user:pw@a.com", {}, /must not contain a user name or password/],
  ];
  for (const [raw, options, problem] of cases) {
    await t.step(raw, () => {
      const { value, messages } = run(httpUrl(options), raw);
      if (problem === null) {
        assert.equal(value?.href, new URL(raw).href);
        assert.deepEqual(messages, []);
      } else {
        assert.equal(messages.length, 1);
        assert.ok(messages[0].startsWith(`${VAR} `));
        assert.match(messages[0], problem);
      }
    });
  }
});

Deno.test("a secret's value never appears in its problems", async (t) => {
  const secret = "s3cr3t-Value";
  const cases: [string, Parser<unknown>, string][] = [
    ["quoted by the parser", httpUrl(), `ftp://${secret}`],
    ["in a list item", scopes(), `ok ${secret}é`],
    ["in a JSON error", scopes(), `[${secret}`],
  ];
  for (const [name, parser, raw] of cases) {
    await t.step(name, () => {
      const { messages } = run(parser, raw, true);
      assert.ok(messages.length > 0);
      for (const message of messages) {
        assert.ok(!message.includes(secret), message);
        assert.ok(message.startsWith(`${VAR} `), message);
      }
      const shown = run(parser, raw, false).messages.join("\n");
      assert.ok(
        name === "in a JSON error" || shown.includes(secret),
        "the same value is shown when not secret",
      );
    });
  }
});

Deno.test("requiredScopes() refuses offline_access, which no resource requires", () => {
  assert.deepEqual(run(requiredScopes(), "todo:read, mcp").value, [
    "todo:read",
    "mcp",
  ]);
  const { messages } = run(requiredScopes(), "todo:read offline_access");
  assert.equal(messages.length, 1);
  assert.match(messages[0], /must not contain "offline_access"/);
});

Deno.test("scopeImplications() reads a hierarchy in either spelling", async (t) => {
  const expected = {
    "todo:admin": ["todo:write", "todo:read"],
    "todo:write": ["todo:read"],
  };
  for (
    const raw of [
      "todo:admin=todo:write todo:read; todo:write=todo:read",
      " todo:admin = todo:write  todo:read ;todo:write=todo:read; ",
      '{"todo:admin":["todo:write","todo:read"],"todo:write":["todo:read"]}',
    ]
  ) {
    await t.step(raw, () => {
      assert.deepEqual(run(scopeImplications(), raw), {
        value: expected,
        messages: [],
      });
    });
  }
  for (
    const raw of [
      "todo:admin",
      "=todo:read",
      'todo:admin=todo read"quoted',
      '{"todo:admin":"todo:read"}',
      "[1]",
      "{not json",
    ]
  ) {
    await t.step(`refuses ${raw}`, () => {
      assert.equal(run(scopeImplications(), raw).messages.length, 1);
    });
  }
});
