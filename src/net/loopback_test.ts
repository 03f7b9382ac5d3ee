import assert from "node:assert/strict";
import { isLoopbackHost } from "./loopback.ts";

Deno.test("isLoopbackHost() knows 127.0.0.0/8, ::1 and localhost only", async (t) => {
  const cases: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["127.255.255.255", true],
    ["localhost", true],
    ["LocalHost", true],
    ["::1", true],
    ["[::1]", true],
    ["0:0:0:0:0:0:0:1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["[::]", false],
    ["127.0.0.256", false],
    ["127.0.0", false],
    ["128.0.0.1", false],
    ["10.0.0.1", false],
    ["localhost.example.com", false],
    ["mylocalhost", false],
    ["::2", false],
    ["127.0.0.1.evil.example", false],
    ["localhost.", false],
    ["evil.example.127.0.0.1", false],
    ["example.com", false],
    ["", false],
  ];
  for (const [host, expected] of cases) {
    await t.step(`${JSON.stringify(host)} → ${expected}`, () => {
      assert.equal(isLoopbackHost(host), expected);
    });
  }
});
