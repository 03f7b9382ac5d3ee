import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { describeConfig, type Env, loadConfig } from "./load.ts";
import { SETTINGS } from "./table.ts";
import {
  assertMessageStyle,
  JWT_ENV,
  problemsOf,
  SCALEKIT_ENV,
  warningKeys,
} from "./_testing.ts";

function assertDeepFrozen(value: unknown, path = "value"): void {
  if (typeof value !== "object" || value === null) return;
  assert.ok(Object.isFrozen(value), `${path} is not frozen`);
  for (const [key, child] of Object.entries(value)) {
    assertDeepFrozen(child, `${path}.${key}`);
  }
}

Deno.test("loadConfig() returns exactly the Config fields", () => {
  const { config } = loadConfig({
    ...SCALEKIT_ENV,
    MCP_RESOURCE_NAME: "Todos",
    MCP_RESOURCE_DOCUMENTATION: "https://docs.example.com/todos",
    DATABASE_URL: "memory:",
  });
  assert.deepEqual(Object.keys(config).sort(), [
    "allowedOrigins",
    "auth",
    "bodyTimeoutMs",
    "clockSkewSeconds",
    "dataDir",
    "databaseConnectTimeoutMs",
    "databaseMigrationTimeoutMs",
    "databasePoolSize",
    "databaseQueryTimeoutMs",
    "databaseUrl",
    "headersTimeoutMs",
    "host",
    "jwksBackoffMaxMs",
    "jwksBackoffMinMs",
    "jwksStaleIfErrorMs",
    "keepAliveTimeoutMs",
    "logLevel",
    "maxArgumentBytes",
    "maxBatchSize",
    "maxBodyBytes",
    "maxConcurrentPerCaller",
    "maxConcurrentRequests",
    "maxConnections",
    "maxHeaderBytes",
    "maxHeaderCount",
    "maxJsonDepth",
    "maxPageSize",
    "maxResourceSubscriptions",
    "maxResponseBytes",
    "maxSubscriptions",
    "maxSubscriptionsPerCaller",
    "maxSubscriptionsPerTenant",
    "maxTodosPerTenant",
    "maxTokenLifetimeSeconds",
    "mcpUrl",
    "memoryMaxTenants",
    "memoryMaxTodos",
    "port",
    "proxyAuthorizationServerMetadata",
    "rateLimitLoopback",
    "rateLimitPerAddress",
    "rateLimitPerCaller",
    "requestTimeoutMs",
    "resourceDocumentation",
    "resourceMetadataUrl",
    "resourceName",
    "responseMode",
    "scopeDenial",
    "scopeImplications",
    "sendTimeoutMs",
    "shutdownGraceMs",
    "sqliteBusyTimeoutMs",
    "tokenCacheMaxEntries",
    "tokenCacheTtlMs",
    "workers",
  ]);
});

Deno.test("loadConfig() freezes the config, every nested array and the warnings", () => {
  const loaded = loadConfig({
    ...SCALEKIT_ENV,
    BASE_URL: "http://mcp.example.com/mcp",
    SCALEKIT_REQUIRED_SCOPES: "read write",
    SCALEKIT_CLIENT_ID: "skc_1",
  });
  assert.equal(loaded.warnings.length, 3);
  assertDeepFrozen(loaded, "loaded");
  const auth = loaded.config.auth;
  assert.ok(auth.kind === "scalekit");
  assert.throws(
    () => (auth.issuers as string[]).push("https://evil.example"),
    TypeError,
  );
  assert.throws(() => {
    (loaded.config as { port: number }).port = 1;
  }, TypeError);
});

Deno.test("loadConfig() reads the environment without changing it", () => {
  const env = Object.freeze({
    ...SCALEKIT_ENV,
    MCP_URL: "https://legacy.example.com",
    SCALEKIT_REQUIRED_SCOPES: " read, write ",
    UNRELATED: "kept",
  });
  const before = structuredClone({ ...env });
  loadConfig(env);
  assert.deepEqual({ ...env }, before);
});

Deno.test("loadConfig() ignores inherited properties of the environment record", () => {
  const env = Object.create({ BASE_URL: "https://inherited.example.com" });
  Object.assign(env, {
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
    SCALEKIT_RESOURCE_ID: "res_1",
  });
  const problems = problemsOf(env);
  assert.deepEqual(problems.map((p) => p.variable), [
    "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_BASE_URL",
  ]);
});

Deno.test("loadConfig() collects every problem before throwing", () => {
  const env = {
    FASTMCP_SERVER_AUTH: "scalekit",
    SCALEKIT_ENVIRONMENT_URL: "ftp://acme.scalekit.dev",
    SCALEKIT_RESOURCE_ID: " ",
    BASE_URL: "https://mcp.example.com/?x=1",
    SCALEKIT_REQUIRED_SCOPES: "[read",
    PORT: "99999",
    HOST: "http://0.0.0.0",
    MCP_PATH: "mcp",
    MCP_ALLOWED_ORIGINS: "*",
    MCP_MAX_BODY_BYTES: "0",
    MCP_CLOCK_SKEW_SECONDS: "9000",
    LOG_LEVEL: "loud",
    MCP_SCOPE_DENIAL: "maybe",
    MCP_RESPONSE_MODE: "xml",
    MCP_RESOURCE_DOCUMENTATION: "docs",
    MCP_PROXY_AUTH_SERVER_METADATA: "perhaps",
    MCP_SHUTDOWN_GRACE_SECONDS: "never",
  };
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, "invalid_config");
      assert.deepEqual(
        error.problems.map((p) => p.variable).sort(),
        [
          "BASE_URL",
          "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_RESOURCE_ID",
          "HOST",
          "LOG_LEVEL",
          "MCP_ALLOWED_ORIGINS",
          "MCP_CLOCK_SKEW_SECONDS",
          "MCP_MAX_BODY_BYTES",
          "MCP_PATH",
          "MCP_PROXY_AUTH_SERVER_METADATA",
          "MCP_RESOURCE_DOCUMENTATION",
          "MCP_RESPONSE_MODE",
          "MCP_SCOPE_DENIAL",
          "MCP_SHUTDOWN_GRACE_SECONDS",
          "PORT",
          "SCALEKIT_ENVIRONMENT_URL",
          "SCALEKIT_REQUIRED_SCOPES",
        ],
      );
      const lines = error.message.split("\n");
      assert.equal(lines[0], "The configuration is invalid (16 problems):");
      assert.equal(lines.length, 17);
      error.problems.forEach((problem, i) => {
        assert.equal(lines[i + 1], `- ${problem.message}`);
        assert.ok(
          problem.message.includes(problem.variable),
          `${problem.message} does not name ${problem.variable}`,
        );
        assertMessageStyle(problem.message);
      });
      return true;
    },
  );
});

Deno.test("an unknown provider still reports the other problems", () => {
  const problems = problemsOf({
    FASTMCP_SERVER_AUTH: "github",
    BASE_URL: "ftp://x",
    PORT: "x",
  });
  assert.deepEqual(problems.map((p) => p.variable), [
    "FASTMCP_SERVER_AUTH",
    "BASE_URL",
    "PORT",
  ]);
});

Deno.test("loadConfig() returns each warning at most once", () => {
  const { warnings } = loadConfig({
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
    SCALEKIT_RESOURCE_ID: "res_1",
    FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_MCP_URL: "http://mcp.example.com/mcp",
    MCP_URL: "http://mcp.example.com/mcp",
    FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_CLIENT_ID: "skc_1",
    SCALEKIT_CLIENT_ID: "skc_1",
  });
  const P = "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_";
  assert.deepEqual(warningKeys(warnings), [
    `deprecated_variable:${P}MCP_URL`,
    `ignored_variable:${P}CLIENT_ID`,
    `mcp_path_in_base_url:${P}MCP_URL`,
    `insecure_base_url:${P}MCP_URL`,
  ]);
  for (const w of warnings) {
    assert.ok(w.message.includes(w.variable), w.message);
    assertMessageStyle(w.message);
  }
});

Deno.test("loadConfig() matches its documented example", () => {
  const { config, warnings } = loadConfig({
    SCALEKIT_ENVIRONMENT_URL: "https://your-env.scalekit.com",
    SCALEKIT_RESOURCE_ID: "res_123",
    BASE_URL: "https://mcp.example.com",
  });
  assert.equal(config.mcpUrl, "https://mcp.example.com/mcp");
  assert.equal(warnings.length, 0);
});

Deno.test("describeConfig() gives each setting's source and effective value", () => {
  const { provider, settings, problems, warnings } = describeConfig({
    ...SCALEKIT_ENV,
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev/",
    PORT: " 8080 ",
    LOG_LEVEL: "",
    SCALEKIT_CLIENT_ID: "skc_1",
  });
  assert.equal(provider, "scalekit");
  assert.deepEqual(problems, []);
  assert.deepEqual(warningKeys(warnings), [
    "ignored_variable:SCALEKIT_CLIENT_ID",
  ]);
  const byKey = new Map(settings.map((s) => [s.key, s]));
  assert.deepEqual(byKey.get("provider"), {
    key: "provider",
    variables: ["FASTMCP_SERVER_AUTH"],
    source: "derived",
    value: '"scalekit"',
  });
  assert.deepEqual(byKey.get("environmentUrl"), {
    key: "environmentUrl",
    variables: [
      "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_ENVIRONMENT_URL",
      "SCALEKIT_ENVIRONMENT_URL",
    ],
    variable: "SCALEKIT_ENVIRONMENT_URL",
    source: "environment",
    value: '"https://acme.scalekit.dev"',
  });
  assert.equal(byKey.get("port")?.value, "8080");
  assert.equal(byKey.get("port")?.variable, "PORT");
  assert.deepEqual(
    [byKey.get("logLevel")?.source, byKey.get("logLevel")?.value],
    ["default", '"info"'],
  );
  assert.deepEqual(
    [byKey.get("allowedOrigins")?.source, byKey.get("allowedOrigins")?.value],
    ["derived", '["https://mcp.example.com"]'],
  );
  assert.equal(byKey.get("clientId")?.source, "ignored");
  assert.equal(byKey.get("clientId")?.value, undefined);
  assert.equal(byKey.get("resourceName")?.source, "unset");
  assert.ok(!byKey.has("jwksUri"), "JWT settings do not apply");
  assert.ok(!JSON.stringify(settings).includes("skc_"));
});

Deno.test("describeConfig() names the values the JWT provider derives", () => {
  const { BASE_URL: _, ...env } = JWT_ENV;
  const { settings, problems } = describeConfig({ ...env, PORT: "4000" });
  assert.deepEqual(problems, []);
  const derived = Object.fromEntries(
    settings.filter((s) => s.source === "derived").map((s) => [s.key, s.value]),
  );
  assert.deepEqual(derived, {
    jwtBaseUrl: '"http://127.0.0.1:4000/"',
    audiences: '["http://127.0.0.1:4000/mcp"]',
    authorizationServers: '["https://auth.example.com"]',
    allowedOrigins: '["http://127.0.0.1:4000"]',
  });
});

Deno.test("describeConfig() returns what loadConfig() would throw or warn, without throwing", async (t) => {
  const envs: Record<string, Env> = {
    valid: { ...SCALEKIT_ENV, MCP_URL: "http://legacy.example.com/mcp" },
    invalid: { ...SCALEKIT_ENV, PORT: "x", SCALEKIT_RESOURCE_ID: "res 1" },
    "no provider": {
      BASE_URL: "ftp://x",
      FASTMCP_SERVER_AUTH_JWT_ALGORITHM: "HS256",
    },
    "none on a public host": { FASTMCP_SERVER_AUTH: "none", HOST: "0.0.0.0" },
  };
  for (const [name, env] of Object.entries(envs)) {
    await t.step(name, () => {
      const description = describeConfig(env);
      let thrown: readonly unknown[] = [];
      let warned: readonly unknown[] = [];
      try {
        warned = loadConfig(env).warnings;
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        thrown = error.problems;
      }
      assert.deepEqual(description.problems, thrown);
      if (thrown.length === 0) assert.deepEqual(description.warnings, warned);
      assert.equal(description.problems.length > 0, name !== "valid");
    });
  }
  await t.step("an unknown provider lists every setting", () => {
    const { provider, settings } = describeConfig({ FASTMCP_SERVER_AUTH: "x" });
    assert.equal(provider, undefined);
    assert.equal(settings.length, Object.keys(SETTINGS).length);
  });
});
