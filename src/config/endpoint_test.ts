import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import {
  assertMessageStyle,
  JWT_ENV,
  onlyProblem,
  SCALEKIT_ENV,
  warningKeys,
} from "./_testing.ts";

Deno.test("BASE_URL and MCP_PATH combine into one endpoint URL", async (t) => {
  const cases: {
    base: string;
    path?: string;
    mcpUrl: string;
    metadata: string;
    warned?: boolean;
  }[] = [
    {
      base: "http://localhost:3002",
      mcpUrl: "http://localhost:3002/mcp",
      metadata:
        "http://localhost:3002/.well-known/oauth-protected-resource/mcp",
    },
    {
      base: "http://localhost:3002/",
      mcpUrl: "http://localhost:3002/mcp",
      metadata:
        "http://localhost:3002/.well-known/oauth-protected-resource/mcp",
    },
    {
      base: "https://x.com/api/",
      mcpUrl: "https://x.com/api/mcp",
      metadata: "https://x.com/.well-known/oauth-protected-resource/api/mcp",
    },
    {
      base: "https://x.com//api//",
      mcpUrl: "https://x.com/api/mcp",
      metadata: "https://x.com/.well-known/oauth-protected-resource/api/mcp",
    },
    {
      base: "HTTPS://X.COM:443",
      mcpUrl: "https://x.com/mcp",
      metadata: "https://x.com/.well-known/oauth-protected-resource/mcp",
    },
    {
      base: "https://x.com:8443",
      mcpUrl: "https://x.com:8443/mcp",
      metadata: "https://x.com:8443/.well-known/oauth-protected-resource/mcp",
    },
    {
      base: "http://localhost:3002/mcp",
      mcpUrl: "http://localhost:3002/mcp",
      metadata:
        "http://localhost:3002/.well-known/oauth-protected-resource/mcp",
      warned: true,
    },
    {
      base: "http://localhost:3002/mcp/",
      mcpUrl: "http://localhost:3002/mcp",
      metadata:
        "http://localhost:3002/.well-known/oauth-protected-resource/mcp",
      warned: true,
    },
    {
      base: "https://x.com/api/mcp",
      mcpUrl: "https://x.com/api/mcp",
      metadata: "https://x.com/.well-known/oauth-protected-resource/api/mcp",
      warned: true,
    },
    {
      base: "https://x.com/foo-mcp",
      mcpUrl: "https://x.com/foo-mcp/mcp",
      metadata:
        "https://x.com/.well-known/oauth-protected-resource/foo-mcp/mcp",
    },
    {
      base: "https://x.com/mcpx",
      mcpUrl: "https://x.com/mcpx/mcp",
      metadata: "https://x.com/.well-known/oauth-protected-resource/mcpx/mcp",
    },
    {
      base: "https://x.com",
      path: "/",
      mcpUrl: "https://x.com/",
      metadata: "https://x.com/.well-known/oauth-protected-resource",
    },
    {
      base: "https://x.com/mcp",
      path: "/",
      mcpUrl: "https://x.com/mcp/",
      metadata: "https://x.com/.well-known/oauth-protected-resource/mcp",
    },
    {
      base: "https://x.com/api/v1/",
      path: "/api/v1",
      mcpUrl: "https://x.com/api/v1",
      metadata: "https://x.com/.well-known/oauth-protected-resource/api/v1",
      warned: true,
    },
    {
      base: "https://x.com/mcp",
      path: "/v1/mcp",
      mcpUrl: "https://x.com/mcp/v1/mcp",
      metadata: "https://x.com/.well-known/oauth-protected-resource/mcp/v1/mcp",
    },
  ];
  for (const c of cases) {
    await t.step(`${c.base} + ${c.path ?? "(default)"}`, () => {
      const { config, warnings } = loadConfig({
        ...SCALEKIT_ENV,
        BASE_URL: c.base,
        MCP_PATH: c.path,
      });
      assert.equal(config.mcpUrl, c.mcpUrl);
      assert.equal(config.resourceMetadataUrl, c.metadata);
      assert.equal(
        config.mcpUrl,
        config.auth.kind === "scalekit" ? config.auth.audiences[1] : "",
      );
      const expected = c.warned ? ["mcp_path_in_base_url:BASE_URL"] : [];
      assert.deepEqual(
        warningKeys(warnings).filter((k) => !k.startsWith("insecure")),
        expected,
      );
      for (const w of warnings) assertMessageStyle(w.message);
    });
  }
});

Deno.test("a plain-http BASE_URL on a non-loopback host warns insecure_base_url", async (t) => {
  const cases: [string, boolean][] = [
    ["http://mcp.example.com", true],
    ["http://10.0.0.5:3002", true],
    ["http://0.0.0.0:3002", true],
    ["http://localhost:3002", false],
    ["http://127.0.0.1:3002", false],
    ["http://127.9.9.9", false],
    ["http://[::1]:3002", false],
    ["https://mcp.example.com", false],
    ["https://localhost", false],
  ];
  for (const [base, warned] of cases) {
    await t.step(`${base} → ${warned}`, () => {
      const { warnings } = loadConfig({ ...SCALEKIT_ENV, BASE_URL: base });
      assert.deepEqual(
        warningKeys(warnings),
        warned ? ["insecure_base_url:BASE_URL"] : [],
      );
      if (warned) {
        assert.match(warnings[0].message, /OAuth 2\.1 requires HTTPS/);
      }
    });
  }
  await t.step("a derived JWT base URL on a LAN address warns too", () => {
    const { BASE_URL: _, ...env } = JWT_ENV;
    const { warnings } = loadConfig({ ...env, HOST: "10.0.0.5" });
    assert.deepEqual(warningKeys(warnings), ["insecure_base_url:BASE_URL"]);
    assert.match(warnings[0].message, /^BASE_URL is not set/);
  });
});

Deno.test("an unusable BASE_URL is a problem naming the variable read", async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      "BASE_URL",
      "https://mcp.example.com/?a=1",
      /must not have a query or fragment/,
    ],
    [
      "BASE_URL",
      "https://mcp.example.com/#frag",
      /must not have a query or fragment/,
    ],
    ["BASE_URL", "ftp://mcp.example.com", /must use http or https, not "ftp"/],
    ["BASE_URL", "ws://mcp.example.com", /not "ws"/],
    ["BASE_URL", "localhost:3002", /absolute URL starting with/],
    ["BASE_URL", "https://u:p@mcp.example.com", /user name or password/],
    [
      "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_BASE_URL",
      "mcp.example.com",
      /absolute URL/,
    ],
    ["MCP_URL", "mcp.example.com", /absolute URL/],
  ];
  for (const [variable, value, pattern] of cases) {
    await t.step(`${variable}=${value}`, () => {
      const { BASE_URL: _, ...env } = SCALEKIT_ENV;
      const problem = onlyProblem({ ...env, [variable]: value });
      assert.equal(problem.variable, variable);
      assert.ok(problem.message.startsWith(`${variable} `));
      assert.match(problem.message, pattern);
    });
  }
});
