import assert from "node:assert/strict";
import { toolCallsIn } from "./mcp_route.ts";

Deno.test("toolCallsIn() names the tools a message or batch calls", () => {
  const call = (name: unknown) => ({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name },
  });
  assert.deepEqual(toolCallsIn(call("whoami")), ["whoami"]);
  assert.deepEqual(
    toolCallsIn([call("a"), { method: "tools/list" }, call(7), null, 42]),
    ["a"],
  );
  assert.deepEqual(toolCallsIn({ method: "tools/call", params: null }), []);
});

Deno.test("toolCallsIn() bounds what a client can make a log line hold", () => {
  const batch = Array.from({ length: 100 }, (_, i) => ({
    method: "tools/call",
    params: { name: `${i}${"x".repeat(10_000)}\n\u0000` },
  }));
  const names = toolCallsIn(batch);
  assert.equal(names.length, 20);
  for (const name of names) {
    assert.ok(name.length <= 100, `${name.length}`);
    assert.match(name, /^[\x20-\x7E]*$/);
  }
  assert.equal(
    toolCallsIn({ method: "tools/call", params: { name: "a\nb" } })[0],
    "a?b",
  );
});
