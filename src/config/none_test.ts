import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { assertMessageStyle, onlyProblem, warningKeys } from "./_testing.ts";

Deno.test("FASTMCP_SERVER_AUTH=none on loopback works with a loud warning", async (t) => {
  for (
    const host of [undefined, "127.0.0.1", "127.0.0.2", "localhost", "::1"]
  ) {
    await t.step(`HOST=${host}`, () => {
      const { config, warnings } = loadConfig({
        FASTMCP_SERVER_AUTH: "none",
        HOST: host,
      });
      assert.deepEqual(config.auth, { kind: "none", requiredScopes: [] });
      assert.deepEqual(warningKeys(warnings), [
        "no_authentication:FASTMCP_SERVER_AUTH",
      ]);
      assert.match(warnings[0].message, /^AUTHENTICATION IS OFF/);
      assert.ok(warnings[0].message.includes(config.mcpUrl));
      assertMessageStyle(warnings[0].message);
    });
  }
});

Deno.test("FASTMCP_SERVER_AUTH=none is refused unless HOST is loopback", async (t) => {
  for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) {
    await t.step(host, () => {
      const problem = onlyProblem({ FASTMCP_SERVER_AUTH: "none", HOST: host });
      assert.equal(problem.variable, "FASTMCP_SERVER_AUTH");
      assert.ok(problem.message.includes(JSON.stringify(host)));
      assert.match(problem.message, /set HOST to "127.0.0.1"/);
    });
  }
});

Deno.test("FASTMCP_SERVER_AUTH=none takes an optional BASE_URL", async (t) => {
  await t.step("derived", () => {
    const { config } = loadConfig({
      FASTMCP_SERVER_AUTH: "none",
      PORT: "4000",
    });
    assert.equal(config.mcpUrl, "http://127.0.0.1:4000/mcp");
  });
  await t.step("derived with PORT 0", () => {
    const { config } = loadConfig({ FASTMCP_SERVER_AUTH: "none", PORT: "0" });
    assert.equal(config.port, 0);
  });
  await t.step("given", () => {
    const { config, warnings } = loadConfig({
      FASTMCP_SERVER_AUTH: "none",
      BASE_URL: "http://dev.internal:3002",
    });
    assert.equal(config.mcpUrl, "http://dev.internal:3002/mcp");
    // No OAuth, so no insecure_base_url warning.
    assert.deepEqual(warningKeys(warnings), [
      "no_authentication:FASTMCP_SERVER_AUTH",
    ]);
  });
});

Deno.test("FASTMCP_SERVER_AUTH=none ignores Scalekit variables", () => {
  const { config } = loadConfig({
    FASTMCP_SERVER_AUTH: "none",
    SCALEKIT_ENVIRONMENT_URL: "not a url",
    SCALEKIT_REQUIRED_SCOPES: "[broken",
  });
  assert.deepEqual(config.auth.requiredScopes, []);
});

Deno.test("forwarding authorization server metadata needs a provider", () => {
  const problem = onlyProblem({
    FASTMCP_SERVER_AUTH: "none",
    MCP_PROXY_AUTH_SERVER_METADATA: "true",
  });
  assert.equal(problem.variable, "MCP_PROXY_AUTH_SERVER_METADATA");
});
