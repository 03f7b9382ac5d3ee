import assert from "node:assert/strict";
import { assertMessageStyle, onlyProblem, SCALEKIT_ENV } from "./_testing.ts";
import { loadConfig } from "./load.ts";

Deno.test("the token cache settings have their documented defaults", () => {
  const { config } = loadConfig(SCALEKIT_ENV);
  assert.equal(config.tokenCacheMaxEntries, 10_000);
  assert.equal(config.tokenCacheTtlMs, 300_000);
});

Deno.test("the token cache settings are read from their variables, 0 entries included", () => {
  const { config } = loadConfig({
    ...SCALEKIT_ENV,
    MCP_TOKEN_CACHE_MAX_ENTRIES: "0",
    MCP_TOKEN_CACHE_TTL_SECONDS: "90.5",
  });
  assert.equal(config.tokenCacheMaxEntries, 0);
  assert.equal(config.tokenCacheTtlMs, 90_500);
});

Deno.test("a bad token cache setting is refused at start, naming its variable", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ["MCP_TOKEN_CACHE_MAX_ENTRIES", "-1", /whole number from 0 to 1000000/],
    ["MCP_TOKEN_CACHE_MAX_ENTRIES", "1000001", /from 0 to 1000000/],
    ["MCP_TOKEN_CACHE_MAX_ENTRIES", "lots", /whole number/],
    ["MCP_TOKEN_CACHE_TTL_SECONDS", "0", /above 0 and at most 3600/],
    ["MCP_TOKEN_CACHE_TTL_SECONDS", "3601", /at most 3600/],
    ["MCP_TOKEN_CACHE_TTL_SECONDS", "5m", /number of seconds/],
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
