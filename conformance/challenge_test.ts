import assert from "node:assert/strict";
import { bearerChallenge, parseChallenges } from "./challenge.ts";

Deno.test("parseChallenges() reads a Bearer challenge with quoted params", () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer error="invalid_token", error_description="The \\"token\\" expired", resource_metadata="https://x/.well-known/oauth-protected-resource/mcp"',
    ),
    [{
      scheme: "Bearer",
      params: {
        error: "invalid_token",
        error_description: 'The "token" expired',
        resource_metadata: "https://x/.well-known/oauth-protected-resource/mcp",
      },
    }],
  );
});

Deno.test("parseChallenges() reads several challenges and token values", () => {
  const parsed = parseChallenges(
    'Basic realm="x", Bearer realm=api, scope="a b"',
  );
  assert.deepEqual(parsed?.map((c) => c.scheme), ["Basic", "Bearer"]);
  assert.deepEqual(parsed?.[1].params, { realm: "api", scope: "a b" });
});

Deno.test("parseChallenges() rejects broken syntax", async (t) => {
  for (
    const header of [
      'Bearer error="unterminated',
      "Bearer =x",
      'Bearer a="b" c="d"',
      "",
    ]
  ) {
    await t.step(JSON.stringify(header), () => {
      const parsed = parseChallenges(header);
      assert.ok(parsed === undefined || parsed.length === 0);
    });
  }
});

Deno.test("bearerChallenge() finds Bearer in any case, or nothing", () => {
  assert.equal(bearerChallenge('bearer scope="a"')?.params.scope, "a");
  assert.equal(bearerChallenge('Basic realm="x"'), undefined);
  assert.equal(bearerChallenge(null), undefined);
});
