import assert from "node:assert/strict";
import { describeConfig, loadConfig } from "./load.ts";
import {
  assertMessageStyle,
  onlyProblem,
  problemsOf,
  SCALEKIT_ENV,
} from "./_testing.ts";
import type { Config } from "./types.ts";

function configWith(extra: Record<string, string | undefined>): Config {
  return loadConfig({ ...SCALEKIT_ENV, ...extra }).config;
}

Deno.test("storage settings have documented defaults: SQLite under ./data", () => {
  const config = configWith({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, "./data");
  assert.equal(config.maxTodosPerTenant, 10_000);
  assert.equal(config.databasePoolSize, 10);
  assert.equal(config.databaseConnectTimeoutMs, 5_000);
  assert.equal(config.databaseQueryTimeoutMs, 5_000);
  assert.equal(config.databaseMigrationTimeoutMs, 60_000);
  assert.equal(config.sqliteBusyTimeoutMs, 5_000);
});

Deno.test("valid storage settings are parsed", async (t) => {
  const cases: [Record<string, string>, Partial<Config>][] = [
    [{ DATABASE_URL: "memory:" }, { databaseUrl: "memory:" }],
    [{ DATABASE_URL: " sqlite:/var/lib/mcp/todos.db " }, {
      databaseUrl: "sqlite:/var/lib/mcp/todos.db",
    }],
    [{ DATABASE_URL: "postgres://app:pw@db:5432/todos?sslmode=verify-full" }, {
      databaseUrl: "postgres://app:pw@db:5432/todos?sslmode=verify-full",
    }],
    [{ DATABASE_URL: "postgresql://db/todos" }, {
      databaseUrl: "postgresql://db/todos",
    }],
    [{ DATA_DIR: "/var/lib/mcp" }, { dataDir: "/var/lib/mcp" }],
    [{ MAX_TODOS_PER_TENANT: "1" }, { maxTodosPerTenant: 1 }],
    [{ DATABASE_POOL_SIZE: "50" }, { databasePoolSize: 50 }],
    [{ DATABASE_CONNECT_TIMEOUT_SECONDS: "0.5" }, {
      databaseConnectTimeoutMs: 500,
    }],
    [{ DATABASE_QUERY_TIMEOUT_SECONDS: "30" }, {
      databaseQueryTimeoutMs: 30_000,
    }],
    [{ DATABASE_MIGRATION_TIMEOUT_SECONDS: "600" }, {
      databaseMigrationTimeoutMs: 600_000,
    }],
    [{ SQLITE_BUSY_TIMEOUT_SECONDS: "0.25" }, { sqliteBusyTimeoutMs: 250 }],
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

Deno.test("a bad DATABASE_URL is refused at start, naming the variable but never the value", async (t) => {
  const secret = "hunter2-s3cret";
  const cases: [string, RegExp][] = [
    [`mysql://app:${secret}@db/todos`, /unsupported scheme/],
    [`app:${secret}@db/todos`, /unsupported scheme/],
    [`${secret}`, /has no scheme/],
    [`postgres://app:${secret}@/todos`, /not a valid postgres:\/\/ URL/],
    [`postgres:///todos`, /needs a host/],
    [`postgres://app:${secret}@db/todos?sslmode=${secret}`, /sslmode/],
    ["sqlite:", /needs a file path/],
    ["memory:x", /takes nothing after the colon/],
  ];
  for (const [value, reason] of cases) {
    await t.step(value.replaceAll(secret, "…"), () => {
      const problem = onlyProblem({ ...SCALEKIT_ENV, DATABASE_URL: value });
      assert.equal(problem.variable, "DATABASE_URL");
      assert.match(problem.message, /^DATABASE_URL /);
      assert.match(problem.message, reason);
      assertMessageStyle(problem.message);
      assert.ok(!problem.message.includes(secret), problem.message);
    });
  }
});

Deno.test("DATABASE_URL is a secret: described as hidden, even when valid", () => {
  const url = "postgres://app:hunter2@db:5432/todos";
  const { settings, problems } = describeConfig({
    ...SCALEKIT_ENV,
    DATABASE_URL: url,
  });
  assert.deepEqual(problems, []);
  const described = settings.find((s) => s.key === "databaseUrl");
  assert.deepEqual(described, {
    key: "databaseUrl",
    variables: ["DATABASE_URL"],
    variable: "DATABASE_URL",
    source: "environment",
    value: "<hidden>",
  });
  assert.ok(!JSON.stringify(settings).includes("hunter2"));
});

Deno.test("out-of-range storage numbers are refused, each naming its variable", () => {
  const problems = problemsOf({
    ...SCALEKIT_ENV,
    MAX_TODOS_PER_TENANT: "0",
    DATABASE_POOL_SIZE: "none",
    DATABASE_CONNECT_TIMEOUT_SECONDS: "0",
    DATABASE_QUERY_TIMEOUT_SECONDS: "-1",
    DATABASE_MIGRATION_TIMEOUT_SECONDS: "1e9",
    SQLITE_BUSY_TIMEOUT_SECONDS: "61",
  });
  assert.deepEqual(problems.map((p) => p.variable).sort(), [
    "DATABASE_CONNECT_TIMEOUT_SECONDS",
    "DATABASE_MIGRATION_TIMEOUT_SECONDS",
    "DATABASE_POOL_SIZE",
    "DATABASE_QUERY_TIMEOUT_SECONDS",
    "MAX_TODOS_PER_TENANT",
    "SQLITE_BUSY_TIMEOUT_SECONDS",
  ]);
  for (const problem of problems) assertMessageStyle(problem.message);
});
