import assert from "node:assert/strict";
import {
  bearerChallenge,
  challengeSyntaxProblems,
  parseChallenges,
} from "./challenge.ts";

Deno.test("parseChallenges() reads a Bearer challenge with quoted params", () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer error="invalid_token", error_description="The \\"token\\" expired", resource_metadata="https://x/.well-known/oauth-protected-resource/mcp"',
    ),
    {
      ok: true,
      challenges: [{
        scheme: "Bearer",
        params: {
          error: "invalid_token",
          error_description: 'The "token" expired',
          resource_metadata:
            "https://x/.well-known/oauth-protected-resource/mcp",
        },
      }],
    },
  );
});

Deno.test("parseChallenges() reads several challenges and token values", () => {
  const parsed = parseChallenges(
    'Basic realm="x", Bearer realm=api, scope="a b"',
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.challenges.map((c) => c.scheme), ["Basic", "Bearer"]);
  assert.deepEqual(parsed.challenges[1].params, { realm: "api", scope: "a b" });
});

Deno.test("parseChallenges() says which character broke the syntax", async (t) => {
  const rows: ReadonlyArray<readonly [string, RegExp]> = [
    [
      'Bearer error="invalid_token", error_description="The "token" expired"',
      /unescaped '"' at column 54 ends the quoted value of error_description early/,
    ],
    ['Bearer error="unterminated', /value of error that opens at column 14/],
    [
      "Bearer =x",
      /'=' \(0x3D\) at column 8 where a parameter name should start/,
    ],
    ['Bearer a="b" c="d"', /'c' \(0x63\) at column 14 where a comma/],
    ["", /the header is empty/],
    [
      "Bearer scope=",
      /the end of the header at column 14 where the value of scope should start/,
    ],
  ];
  for (const [header, problem] of rows) {
    await t.step(JSON.stringify(header), () => {
      const parsed = parseChallenges(header);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.problem, problem);
    });
  }
});

Deno.test("challengeSyntaxProblems() flags characters RFC 6750 §3 forbids, even escaped", async (t) => {
  const rows: ReadonlyArray<readonly [string, readonly RegExp[]]> = [
    ['Bearer resource_metadata="https://x/a", scope="a b"', []],
    [
      'Bearer error="invalid_token", error_description="bad \\"kid\\""',
      [/error_description contains '"' \(0x22\)/],
    ],
    [
      'Bearer error="invalid_token", error_description="caf\u00e9"',
      [/error_description contains the character U\+00E9/],
    ],
    ['Bearer scope="a\\\\b"', [/scope contains '\\' \(0x5C\)/]],
    ["Bearer", [/no auth-param, and RFC 6750 §3 wants one or more/]],
    ['Bearer realm="mcp"', []],
    // Another scheme's values are that scheme's business.
    ['Basic realm="a \\"b\\"", Bearer scope="x"', []],
    [
      'Bearer error_description="x"y"',
      [/unescaped '"' at column 28/],
    ],
  ];
  for (const [header, expected] of rows) {
    await t.step(header, () => {
      const problems = challengeSyntaxProblems(header);
      const texts = problems.map((p) => p.text);
      assert.equal(problems.length, expected.length, texts.join("; "));
      expected.forEach((pattern, i) => assert.match(texts[i], pattern));
      // A header that parses has content problems only.
      if (!/unescaped/.test(texts.join())) {
        assert.ok(problems.every((p) => p.kind === "content"));
      }
    });
  }
});

Deno.test("bearerChallenge() finds Bearer in any case, or nothing", () => {
  assert.equal(bearerChallenge('bearer scope="a"')?.params.scope, "a");
  assert.equal(bearerChallenge('Basic realm="x"'), undefined);
  assert.equal(bearerChallenge(null), undefined);
  assert.equal(bearerChallenge('Bearer error="a"b"'), undefined);
});
