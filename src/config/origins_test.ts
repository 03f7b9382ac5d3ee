import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { onlyProblem, problemsOf, SCALEKIT_ENV } from "./_testing.ts";

Deno.test("allowed origins default to the base URL's origin", async (t) => {
  const cases: [string | undefined, string[]][] = [
    ["https://mcp.example.com/api/", ["https://mcp.example.com"]],
    ["http://localhost:3002/mcp", ["http://localhost:3002"]],
    ["https://MCP.example.com:443", ["https://mcp.example.com"]],
  ];
  for (const [base, expected] of cases) {
    await t.step(String(base), () => {
      const { config } = loadConfig({ ...SCALEKIT_ENV, BASE_URL: base });
      assert.deepEqual(config.allowedOrigins, expected);
    });
  }
  await t.step("derived base URL", () => {
    const { config } = loadConfig({
      FASTMCP_SERVER_AUTH: "none",
      PORT: "4000",
    });
    assert.deepEqual(config.allowedOrigins, ["http://127.0.0.1:4000"]);
  });
});

Deno.test("MCP_ALLOWED_ORIGINS lists exact origins, normalised", async (t) => {
  const cases: [string, string[]][] = [
    ["https://app.example.com", ["https://app.example.com"]],
    ["https://a.example.com, https://b.example.com:8443", [
      "https://a.example.com",
      "https://b.example.com:8443",
    ]],
    ["https://a.example.com https://a.example.com/", ["https://a.example.com"]],
    ['["https://a.example.com","http://localhost:5173"]', [
      "https://a.example.com",
      "http://localhost:5173",
    ]],
    ["HTTPS://App.Example.com:443/", ["https://app.example.com"]],
    ["http://app.example.com:80", ["http://app.example.com"]],
    ["vscode-webview://abc123", ["vscode-webview://abc123"]],
    ["chrome-extension://abcdefghijklmnop", [
      "chrome-extension://abcdefghijklmnop",
    ]],
  ];
  for (const [raw, expected] of cases) {
    await t.step(raw, () => {
      const { config } = loadConfig({
        ...SCALEKIT_ENV,
        MCP_ALLOWED_ORIGINS: raw,
      });
      assert.deepEqual(config.allowedOrigins, expected);
    });
  }
});

Deno.test("wildcards, null and non-origins are problems", async (t) => {
  const cases: [string, RegExp][] = [
    ["*", /"\*" would let any web page/],
    ["null", /must not contain "null"/],
    [
      "https://app.example.com/path",
      /scheme:\/\/host\[:port\].* not "https:\/\/app.example.com\/path"/,
    ],
    ["https://app.example.com/?x", /scheme:\/\/host/],
    ["https://app.example.com#x", /scheme:\/\/host/],
    ["https://u@app.example.com", /scheme:\/\/host/],
    ["app.example.com", /scheme:\/\/host/],
    ["[broken", /not a valid JSON array/],
  ];
  for (const [raw, pattern] of cases) {
    await t.step(raw, () => {
      const problem = onlyProblem({
        ...SCALEKIT_ENV,
        MCP_ALLOWED_ORIGINS: raw,
      });
      assert.equal(problem.variable, "MCP_ALLOWED_ORIGINS");
      assert.match(problem.message, pattern);
    });
  }
  await t.step("each bad origin is reported", () => {
    const problems = problemsOf({
      ...SCALEKIT_ENV,
      MCP_ALLOWED_ORIGINS: "*, https://ok.example.com, null",
    });
    assert.equal(problems.length, 2);
  });
});
