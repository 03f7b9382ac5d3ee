import assert from "node:assert/strict";
import { assertMessageStyle, onlyProblem, SCALEKIT_ENV } from "./_testing.ts";
import { loadConfig } from "./load.ts";

Deno.test("limit and timeout settings have their documented defaults", () => {
  const { config } = loadConfig(SCALEKIT_ENV);
  assert.deepEqual({
    maxConnections: config.maxConnections,
    headersTimeoutMs: config.headersTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    sendTimeoutMs: config.sendTimeoutMs,
    maxHeaderBytes: config.maxHeaderBytes,
    maxHeaderCount: config.maxHeaderCount,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConcurrentRequests: config.maxConcurrentRequests,
    maxConcurrentPerCaller: config.maxConcurrentPerCaller,
    maxSubscriptions: config.maxSubscriptions,
    maxSubscriptionsPerTenant: config.maxSubscriptionsPerTenant,
    maxSubscriptionsPerCaller: config.maxSubscriptionsPerCaller,
    maxResourceSubscriptions: config.maxResourceSubscriptions,
    rateLimitPerAddress: config.rateLimitPerAddress,
    rateLimitPerCaller: config.rateLimitPerCaller,
    rateLimitLoopback: config.rateLimitLoopback,
    maxJsonDepth: config.maxJsonDepth,
    maxBatchSize: config.maxBatchSize,
    maxArgumentBytes: config.maxArgumentBytes,
    maxResponseBytes: config.maxResponseBytes,
    maxPageSize: config.maxPageSize,
    memoryMaxTenants: config.memoryMaxTenants,
    memoryMaxTodos: config.memoryMaxTodos,
    maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds,
    jwksBackoffMinMs: config.jwksBackoffMinMs,
    jwksBackoffMaxMs: config.jwksBackoffMaxMs,
    jwksStaleIfErrorMs: config.jwksStaleIfErrorMs,
  }, {
    maxConnections: 300,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    sendTimeoutMs: 30_000,
    maxHeaderBytes: 16_384,
    maxHeaderCount: 64,
    requestTimeoutMs: 30_000,
    maxConcurrentRequests: 100,
    maxConcurrentPerCaller: 8,
    maxSubscriptions: 256,
    maxSubscriptionsPerTenant: 128,
    maxSubscriptionsPerCaller: 16,
    maxResourceSubscriptions: 100,
    rateLimitPerAddress: 600,
    rateLimitPerCaller: 300,
    rateLimitLoopback: true,
    maxJsonDepth: 32,
    maxBatchSize: 20,
    maxArgumentBytes: 65_536,
    maxResponseBytes: 4_194_304,
    maxPageSize: 100,
    memoryMaxTenants: 10_000,
    memoryMaxTodos: 100_000,
    maxTokenLifetimeSeconds: 86_400,
    jwksBackoffMinMs: 1_000,
    jwksBackoffMaxMs: 60_000,
    jwksStaleIfErrorMs: 86_400_000,
  });
});

Deno.test("limit and timeout settings are read from their variables", () => {
  const { config } = loadConfig({
    ...SCALEKIT_ENV,
    MCP_MAX_CONNECTIONS: "500",
    MCP_HEADERS_TIMEOUT_SECONDS: "2.5",
    MCP_KEEP_ALIVE_TIMEOUT_SECONDS: "1",
    MCP_RATE_LIMIT_PER_ADDRESS: "0",
    MCP_RATE_LIMIT_LOOPBACK: "false",
    MCP_MAX_BATCH_SIZE: "100",
    MCP_JWKS_STALE_IF_ERROR_SECONDS: "0",
    MCP_MAX_TOKEN_LIFETIME_SECONDS: "3600",
    MCP_MAX_SUBSCRIPTIONS: "50",
    MCP_MAX_SUBSCRIPTIONS_PER_TENANT: "20",
    MCP_MAX_SUBSCRIPTIONS_PER_CALLER: "5",
    MCP_MAX_RESOURCE_SUBSCRIPTIONS: "7",
  });
  assert.equal(config.maxConnections, 500);
  assert.equal(config.headersTimeoutMs, 2_500);
  assert.equal(config.keepAliveTimeoutMs, 1_000);
  assert.equal(config.rateLimitPerAddress, 0);
  assert.equal(config.rateLimitLoopback, false);
  assert.equal(config.maxBatchSize, 100);
  assert.equal(config.jwksStaleIfErrorMs, 0);
  assert.equal(config.maxTokenLifetimeSeconds, 3_600);
  assert.equal(config.maxSubscriptions, 50);
  assert.equal(config.maxSubscriptionsPerTenant, 20);
  assert.equal(config.maxSubscriptionsPerCaller, 5);
  assert.equal(config.maxResourceSubscriptions, 7);
});

Deno.test("a bad limit is refused at start, naming its variable", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ["MCP_MAX_CONNECTIONS", "0", /whole number from 1 to 100000/],
    ["MCP_BODY_TIMEOUT_SECONDS", "0", /above 0/],
    ["MCP_SEND_TIMEOUT_SECONDS", "forever", /number of seconds/],
    ["MCP_MAX_HEADER_BYTES", "100", /from 1024/],
    ["MCP_MAX_BATCH_SIZE", "101", /from 1 to 100/],
    ["MCP_MAX_JSON_DEPTH", "2", /from 4/],
    ["MCP_MAX_PAGE_SIZE", "5000", /from 1 to 1000/],
    ["MCP_RATE_LIMIT_PER_CALLER", "-1", /whole number/],
    ["MCP_RATE_LIMIT_LOOPBACK", "maybe", /"true", "false"/],
    ["MCP_JWKS_STALE_IF_ERROR_SECONDS", "-1", /0 or more/],
    ["MCP_MAX_TOKEN_LIFETIME_SECONDS", "1e400", /whole number/],
    ["MCP_MAX_SUBSCRIPTIONS", "0", /whole number from 1 to 100000/],
    ["MCP_MAX_SUBSCRIPTIONS_PER_TENANT", "lots", /whole number/],
    ["MCP_MAX_SUBSCRIPTIONS_PER_CALLER", "-3", /whole number/],
    ["MCP_MAX_RESOURCE_SUBSCRIPTIONS", "10001", /from 1 to 10000/],
  ];
  for (const [variable, value, pattern] of cases) {
    await t.step(`${variable}=${value}`, () => {
      const problem = onlyProblem({ ...SCALEKIT_ENV, [variable]: value });
      assert.equal(problem.variable, variable);
      assert.match(problem.message, pattern);
      assertMessageStyle(problem.message);
    });
  }
});

Deno.test("the JWKS backoff ceiling cannot be below its floor", () => {
  const problem = onlyProblem({
    ...SCALEKIT_ENV,
    MCP_JWKS_BACKOFF_MIN_SECONDS: "30",
    MCP_JWKS_BACKOFF_MAX_SECONDS: "10",
  });
  assert.equal(problem.variable, "MCP_JWKS_BACKOFF_MAX_SECONDS");
  assert.match(problem.message, /at least MCP_JWKS_BACKOFF_MIN_SECONDS/);
  assertMessageStyle(problem.message);
});

Deno.test("each subscription cap must fit inside the next, naming the variable", async (t) => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [
      { MCP_MAX_SUBSCRIPTIONS: "100", MCP_MAX_SUBSCRIPTIONS_PER_TENANT: "101" },
      "MCP_MAX_SUBSCRIPTIONS_PER_TENANT",
      /\(101\) must be at most MCP_MAX_SUBSCRIPTIONS \(100\)/,
    ],
    [
      { MCP_MAX_SUBSCRIPTIONS_PER_CALLER: "129" },
      "MCP_MAX_SUBSCRIPTIONS_PER_CALLER",
      /\(129\) must be at most MCP_MAX_SUBSCRIPTIONS_PER_TENANT \(128\)/,
    ],
  ];
  for (const [env, variable, pattern] of cases) {
    await t.step(variable, () => {
      const problem = onlyProblem({ ...SCALEKIT_ENV, ...env });
      assert.equal(problem.variable, variable);
      assert.match(problem.message, pattern);
      assertMessageStyle(problem.message);
    });
  }
  // Equal caps are allowed: one tenant, or one caller, may be given all.
  const { config } = loadConfig({
    ...SCALEKIT_ENV,
    MCP_MAX_SUBSCRIPTIONS: "16",
    MCP_MAX_SUBSCRIPTIONS_PER_TENANT: "16",
  });
  assert.equal(config?.maxSubscriptionsPerTenant, 16);
});
