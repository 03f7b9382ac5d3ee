import assert from "node:assert/strict";
import { isAllowedOrigin } from "./origin.ts";

Deno.test("isAllowedOrigin() allows configured and loopback origins only", async (t) => {
  const allowed = ["https://app.example.com"];
  const cases: Array<[string, boolean]> = [
    ["https://app.example.com", true],
    ["http://localhost:6274", true],
    ["http://127.0.0.1:3000", true],
    ["https://127.5.6.7", true],
    ["http://[::1]:8080", true],
    ["https://evil.example.com", false],
    ["http://localhost.evil.com", false],
    ["https://app.example.com.evil.com", false],
    ["null", false],
    ["file://", false],
    ["http://localhost:6274/path", false],
  ];
  for (const [origin, expected] of cases) {
    await t.step(origin, () => {
      assert.equal(isAllowedOrigin(origin, allowed), expected);
    });
  }
});
