import assert from "node:assert/strict";
import { extractBearerToken } from "./bearer.ts";
import { AuthError } from "./errors.ts";

function request(authorization?: string, url = "http://localhost/mcp") {
  const headers = new Headers();
  if (authorization !== undefined) headers.set("authorization", authorization);
  return new Request(url, { method: "POST", headers });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AuthError);
    return error.code;
  }
  return "accepted";
}

Deno.test("extractBearerToken() reads the header token, scheme in any case", async (t) => {
  const cases: Array<[string, string]> = [
    ["Bearer abc.def-ghi_jk~l+/=", "abc.def-ghi_jk~l+/="],
    ["bearer abc.def-ghi_jk~l+/=", "abc.def-ghi_jk~l+/="],
    ["BEARER   abc.def-ghi_jk~l+/=  ", "abc.def-ghi_jk~l+/="],
    // A JWS compact serialisation has no padding at all (RFC 7515 §2).
    [
      "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
    ],
    ["Bearer abc==", "abc=="],
  ];
  for (const [header, token] of cases) {
    await t.step(header, () => {
      assert.equal(extractBearerToken(request(header)), token);
    });
  }
});

Deno.test("extractBearerToken() classifies what it refuses", async (t) => {
  const cases: Array<[string, string | undefined, string, string?]> = [
    ["no header", undefined, "missing_token"],
    ["empty header", "", "missing_token"],
    ["another scheme", "Basic dXNlcjpwYXNz", "missing_token"],
    [
      "another scheme, then the word Bearer",
      "Basic Bearer abc",
      "missing_token",
    ],
    ["a scheme that starts like Bearer", "Bearerx abc", "missing_token"],
    ["padding inside the token", "Bearer ab=c", "invalid_token"],
    ["scheme without token", "Bearer", "invalid_token"],
    ["scheme with blank token", "Bearer    ", "invalid_token"],
    ["two tokens", "Bearer abc def", "invalid_token"],
    ["forbidden characters", "Bearer abc$def", "invalid_token"],
    [
      "token in the query string",
      undefined,
      "invalid_token",
      "http://localhost/mcp?access_token=abc",
    ],
    [
      "empty header and a token in the query string",
      "",
      "invalid_token",
      "http://localhost/mcp?access_token=abc",
    ],
  ];
  for (const [name, header, code, url] of cases) {
    await t.step(name, () => {
      assert.equal(
        codeOf(() => extractBearerToken(request(header, url))),
        code,
      );
    });
  }
});

Deno.test("extractBearerToken() never echoes the token in its error", () => {
  try {
    extractBearerToken(request("Bearer secret$token"));
    assert.fail("should refuse");
  } catch (error) {
    assert.ok(error instanceof AuthError);
    assert.doesNotMatch(error.message, /secret/);
  }
});
