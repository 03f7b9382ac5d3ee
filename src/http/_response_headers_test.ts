import assert from "node:assert/strict";
import { withHeader } from "./_response_headers.ts";

Deno.test("withHeader() sets a header in place on a response whose headers can change", () => {
  const response = Response.json({}, { headers: { "X-Request-Id": "old" } });
  const answer = withHeader(response, "X-Request-Id", "new");
  assert.equal(answer, response);
  assert.equal(answer.headers.get("x-request-id"), "new");
});

Deno.test("withHeader() appends to a header's values when asked", () => {
  const response = new Response("ok", { headers: { Vary: "Accept" } });
  const answer = withHeader(response, "Vary", "Origin", { append: true });
  assert.equal(answer, response);
  assert.equal(answer.headers.get("vary"), "Accept, Origin");
});

Deno.test("withHeader() copies a response whose headers are immutable, body and status kept", async (t) => {
  for (const append of [false, true]) {
    await t.step(append ? "append" : "set", async () => {
      const response = Response.redirect("http://127.0.0.1/next", 307);
      assert.throws(() => response.headers.set("x", "y"), TypeError);
      const answer = withHeader(response, "Vary", "Origin", { append });
      assert.notEqual(answer, response);
      assert.equal(answer.status, 307);
      assert.equal(answer.headers.get("location"), "http://127.0.0.1/next");
      assert.equal(answer.headers.get("vary"), "Origin");
      assert.equal(await answer.text(), "");
    });
  }
});
