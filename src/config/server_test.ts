import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { assertMessageStyle, onlyProblem, SCALEKIT_ENV } from "./_testing.ts";
import type { Config } from "./types.ts";

function configWith(extra: Record<string, string | undefined>): Config {
  return loadConfig({ ...SCALEKIT_ENV, ...extra }).config;
}

Deno.test("server settings have documented defaults", () => {
  const config = configWith({});
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 3002);
  assert.equal(config.mcpUrl, "https://mcp.example.com/mcp");
  assert.equal(config.maxBodyBytes, 1_048_576);
  assert.equal(config.clockSkewSeconds, 30);
  assert.equal(config.logLevel, "info");
  assert.equal(config.scopeDenial, "http");
  assert.equal(config.responseMode, "json");
  assert.equal(config.proxyAuthorizationServerMetadata, false);
  assert.equal(config.shutdownGraceMs, 10_000);
  assert.ok(!("resourceName" in config));
  assert.ok(!("resourceDocumentation" in config));
});

Deno.test("valid server settings are parsed", async (t) => {
  const cases: [Record<string, string>, Partial<Config>][] = [
    [{ PORT: "0" }, { port: 0 }],
    [{ PORT: "65535" }, { port: 65535 }],
    [{ PORT: " 8080 " }, { port: 8080 }],
    [{ HOST: "0.0.0.0" }, { host: "0.0.0.0" }],
    [{ HOST: "::" }, { host: "::" }],
    [{ MCP_MAX_BODY_BYTES: "1" }, { maxBodyBytes: 1 }],
    [{ MCP_MAX_BODY_BYTES: "10485760" }, { maxBodyBytes: 10_485_760 }],
    [{ MCP_CLOCK_SKEW_SECONDS: "0" }, { clockSkewSeconds: 0 }],
    [{ MCP_CLOCK_SKEW_SECONDS: "300" }, { clockSkewSeconds: 300 }],
    [{ LOG_LEVEL: "debug" }, { logLevel: "debug" }],
    [{ LOG_LEVEL: "INFO" }, { logLevel: "info" }],
    [{ LOG_LEVEL: "Warn" }, { logLevel: "warn" }],
    [{ LOG_LEVEL: "warning" }, { logLevel: "warn" }],
    [{ LOG_LEVEL: "ERROR" }, { logLevel: "error" }],
    [{ MCP_SCOPE_DENIAL: "tool" }, { scopeDenial: "tool" }],
    [{ MCP_SCOPE_DENIAL: "HTTP" }, { scopeDenial: "http" }],
    [{ MCP_RESPONSE_MODE: "sse" }, { responseMode: "sse" }],
    [{ MCP_RESPONSE_MODE: "JSON" }, { responseMode: "json" }],
    [{ MCP_RESOURCE_NAME: "  Todo server " }, { resourceName: "Todo server" }],
    [{ MCP_RESOURCE_DOCUMENTATION: "https://docs.example.com/mcp" }, {
      resourceDocumentation: "https://docs.example.com/mcp",
    }],
    [{ MCP_PROXY_AUTH_SERVER_METADATA: "true" }, {
      proxyAuthorizationServerMetadata: true,
    }],
    [{ MCP_PROXY_AUTH_SERVER_METADATA: "YES" }, {
      proxyAuthorizationServerMetadata: true,
    }],
    [{ MCP_PROXY_AUTH_SERVER_METADATA: "1" }, {
      proxyAuthorizationServerMetadata: true,
    }],
    [{ MCP_PROXY_AUTH_SERVER_METADATA: "False" }, {
      proxyAuthorizationServerMetadata: false,
    }],
    [{ MCP_PROXY_AUTH_SERVER_METADATA: "no" }, {
      proxyAuthorizationServerMetadata: false,
    }],
    [{ MCP_PROXY_AUTH_SERVER_METADATA: "0" }, {
      proxyAuthorizationServerMetadata: false,
    }],
    [{ MCP_SHUTDOWN_GRACE_SECONDS: "3" }, { shutdownGraceMs: 3000 }],
    [{ MCP_SHUTDOWN_GRACE_SECONDS: "2.5" }, { shutdownGraceMs: 2500 }],
    [{ MCP_SHUTDOWN_GRACE_SECONDS: ".25" }, { shutdownGraceMs: 250 }],
    [{ MCP_SHUTDOWN_GRACE_SECONDS: "3600" }, { shutdownGraceMs: 3_600_000 }],
    [{ MCP_PATH: "/api/mcp" }, { mcpUrl: "https://mcp.example.com/api/mcp" }],
    [{ MCP_PATH: "/mcp/" }, { mcpUrl: "https://mcp.example.com/mcp" }],
    [{ MCP_PATH: "//api//mcp//" }, {
      mcpUrl: "https://mcp.example.com/api/mcp",
    }],
    [{ MCP_PATH: "/" }, { mcpUrl: "https://mcp.example.com/" }],
    [{ MCP_PATH: "/a%20b" }, { mcpUrl: "https://mcp.example.com/a%20b" }],
  ];
  for (const [env, expected] of cases) {
    await t.step(JSON.stringify(env), () => {
      const config = configWith(env);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(config[key as keyof Config], value, key);
      }
    });
  }
});

Deno.test("invalid server settings are problems naming the variable and value", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["PORT", "-1", /whole number from 0 to 65535/],
    ["PORT", "65536", /whole number from 0 to 65535/],
    ["PORT", "3002.5", /whole number/],
    ["PORT", "0x10", /whole number/],
    ["PORT", "1e3", /whole number/],
    ["PORT", "http", /whole number/],
    ["HOST", "http://0.0.0.0", /must be a host name or IP address/],
    ["HOST", "example.com/x", /must be a host name or IP address/],
    ["HOST", "a b", /must be a host name or IP address/],
    ["MCP_MAX_BODY_BYTES", "0", /whole number of at least 1/],
    ["MCP_MAX_BODY_BYTES", "1MB", /whole number of at least 1/],
    [
      "MCP_MAX_BODY_BYTES",
      "99999999999999999999",
      /whole number of at least 1/,
    ],
    ["MCP_CLOCK_SKEW_SECONDS", "301", /whole number from 0 to 300/],
    ["MCP_CLOCK_SKEW_SECONDS", "-5", /whole number from 0 to 300/],
    ["LOG_LEVEL", "trace", /"debug", "info", "warn", "warning" or "error"/],
    ["MCP_SCOPE_DENIAL", "403", /"http" or "tool"/],
    ["MCP_RESPONSE_MODE", "stream", /"json" or "sse"/],
    [
      "MCP_PROXY_AUTH_SERVER_METADATA",
      "on",
      /"true", "false", "1", "0", "yes" or "no"/,
    ],
    ["MCP_SHUTDOWN_GRACE_SECONDS", "0", /above 0/],
    ["MCP_SHUTDOWN_GRACE_SECONDS", "-1", /above 0/],
    ["MCP_SHUTDOWN_GRACE_SECONDS", "3601", /at most 3600/],
    ["MCP_SHUTDOWN_GRACE_SECONDS", "10s", /number of seconds/],
    ["MCP_RESOURCE_DOCUMENTATION", "docs.example.com", /absolute URL/],
    ["MCP_RESOURCE_DOCUMENTATION", "ftp://docs.example.com", /not "ftp"/],
    ["MCP_PATH", "mcp", /must start with "\/"/],
    ["MCP_PATH", "/mcp?x=1", /plain URL path/],
    ["MCP_PATH", "/mcp#x", /plain URL path/],
    ["MCP_PATH", "/a/../mcp", /plain URL path/],
    ["MCP_PATH", "/a b", /plain URL path/],
    ["MCP_PATH", "/café", /plain URL path/],
  ];
  for (const [variable, value, pattern] of cases) {
    await t.step(`${variable}=${value}`, () => {
      const problem = onlyProblem({ ...SCALEKIT_ENV, [variable]: value });
      assert.equal(problem.variable, variable);
      assert.ok(problem.message.startsWith(`${variable} `), problem.message);
      assert.match(problem.message, pattern);
      assert.ok(
        problem.message.includes(JSON.stringify(value)),
        problem.message,
      );
      assertMessageStyle(problem.message);
    });
  }
});

Deno.test("blank server settings take their defaults", () => {
  const config = configWith({
    PORT: "",
    HOST: "  ",
    LOG_LEVEL: "",
    MCP_PATH: " ",
  });
  assert.equal(config.port, 3002);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.logLevel, "info");
  assert.equal(config.mcpUrl, "https://mcp.example.com/mcp");
});
