import assert from "node:assert/strict";
import { hostForUrl, normalisePath, wellKnownUrl } from "./_urls.ts";

Deno.test("wellKnownUrl() inserts the segment between host and path (RFC 8414 §3.1, RFC 9728 §3.1)", async (t) => {
  const cases: [string, string, string][] = [
    [
      "https://x.com/api/mcp",
      "oauth-protected-resource",
      "https://x.com/.well-known/oauth-protected-resource/api/mcp",
    ],
    [
      "http://localhost:3002/mcp",
      "oauth-protected-resource",
      "http://localhost:3002/.well-known/oauth-protected-resource/mcp",
    ],
    [
      "https://x.com/",
      "oauth-protected-resource",
      "https://x.com/.well-known/oauth-protected-resource",
    ],
    [
      "https://x.com",
      "oauth-authorization-server",
      "https://x.com/.well-known/oauth-authorization-server",
    ],
    [
      "https://env.scalekit.dev/resources/res_1",
      "oauth-authorization-server",
      "https://env.scalekit.dev/.well-known/oauth-authorization-server/resources/res_1",
    ],
    [
      "https://auth.example.com/realms/main/",
      "oauth-authorization-server",
      "https://auth.example.com/.well-known/oauth-authorization-server/realms/main",
    ],
    [
      "https://X.com:443/a",
      "oauth-protected-resource",
      "https://x.com/.well-known/oauth-protected-resource/a",
    ],
  ];
  for (const [url, suffix, expected] of cases) {
    await t.step(`${url} + ${suffix}`, () => {
      assert.equal(wellKnownUrl(url, suffix), expected);
    });
  }
});

Deno.test("normalisePath() collapses and trims slashes", () => {
  assert.equal(normalisePath("/"), "");
  assert.equal(normalisePath(""), "");
  assert.equal(normalisePath("//a//b//"), "/a/b");
  assert.equal(normalisePath("/mcp"), "/mcp");
});

Deno.test("hostForUrl() turns wildcards into localhost and brackets IPv6", () => {
  assert.equal(hostForUrl("0.0.0.0"), "localhost");
  assert.equal(hostForUrl("::"), "localhost");
  assert.equal(hostForUrl("::1"), "[::1]");
  assert.equal(hostForUrl("[::1]"), "[::1]");
  assert.equal(hostForUrl("127.0.0.1"), "127.0.0.1");
  assert.equal(hostForUrl("example.com"), "example.com");
});
