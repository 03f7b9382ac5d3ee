import assert from "node:assert/strict";
import { UriTemplate } from "@modelcontextprotocol/server";
import { QueryUriTemplate, uriTemplate } from "./_query_template.ts";

Deno.test("QueryUriTemplate matches its query parameters in any order, any of them left out", async (t) => {
  const template = new QueryUriTemplate("todo://todos{?limit,cursor}");
  const cases: [string, Record<string, string | string[]> | null][] = [
    ["todo://todos", {}],
    ["todo://todos?", {}],
    ["todo://todos?limit=5", { limit: "5" }],
    ["todo://todos?cursor=abc", { cursor: "abc" }],
    ["todo://todos?limit=5&cursor=abc", { limit: "5", cursor: "abc" }],
    ["todo://todos?cursor=abc&limit=5", { limit: "5", cursor: "abc" }],
    ["todo://todos?cursor=a%2Bb", { cursor: "a+b" }],
    ["todo://todos?limit=5&limit=6", { limit: ["5", "6"] }],
    // Named for the reader to refuse, rather than "not found".
    ["todo://todos?sort=title", { sort: "title" }],
    ["todo://todos/abc", null],
    ["todo://todosx?limit=5", null],
    ["todo://other?limit=5", null],
    ["todo://todos?limit=5#frag", null],
  ];
  for (const [uri, expected] of cases) {
    await t.step(uri, () => {
      assert.deepEqual(template.match(uri), expected);
    });
  }
  assert.equal(template.toString(), "todo://todos{?limit,cursor}");
  assert.equal(
    template.expand({ limit: "5", cursor: "c" }),
    "todo://todos?limit=5&cursor=c",
  );
});

Deno.test("uriTemplate() uses the lenient matcher only for a trailing query expression", () => {
  assert.ok(
    uriTemplate("todo://todos{?limit,cursor}") instanceof QueryUriTemplate,
  );
  const plain = uriTemplate("todo://todos/{id}");
  assert.ok(!(plain instanceof QueryUriTemplate));
  assert.ok(plain instanceof UriTemplate);
  assert.deepEqual(plain.match("todo://todos/1"), { id: "1" });
  assert.throws(() => new QueryUriTemplate("todo://todos/{id}"), TypeError);
  assert.throws(() => new QueryUriTemplate("todo://{x}{?a}"), TypeError);
});
