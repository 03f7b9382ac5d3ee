/**
 * Helpers for this folder's tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ConfigError, type ConfigProblem } from "./errors.ts";
import { loadConfig } from "./load.ts";
import type { Env } from "./settings.ts";
import type { ConfigWarning } from "./types.ts";

/** A minimal valid Scalekit environment, using the plain names. */
export const SCALEKIT_ENV: Env = Object.freeze({
  SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
  SCALEKIT_RESOURCE_ID: "res_123",
  BASE_URL: "https://mcp.example.com",
});

/** A minimal valid JWT environment. */
export const JWT_ENV: Env = Object.freeze({
  FASTMCP_SERVER_AUTH: "jwt",
  FASTMCP_SERVER_AUTH_JWT_JWKS_URI: "https://auth.example.com/jwks.json",
  FASTMCP_SERVER_AUTH_JWT_ISSUER: "https://auth.example.com",
  BASE_URL: "https://mcp.example.com",
});

/** The problems `loadConfig(env)` throws; fails the test when it does not throw a ConfigError. */
export function problemsOf(env: Env): readonly ConfigProblem[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail("loadConfig() did not throw a ConfigError");
}

/** The variables named by the problems `loadConfig(env)` throws. */
export function problemVariables(env: Env): string[] {
  return problemsOf(env).map((p) => p.variable);
}

/** The single problem `loadConfig(env)` throws; fails when there are more. */
export function onlyProblem(env: Env): ConfigProblem {
  const problems = problemsOf(env);
  assert.equal(
    problems.length,
    1,
    `expected one problem, got: ${problems.map((p) => p.message).join(" | ")}`,
  );
  return problems[0];
}

/** `code:variable` of each warning, for compact comparisons. */
export function warningKeys(warnings: readonly ConfigWarning[]): string[] {
  return warnings.map((w) => `${w.code}:${w.variable}`);
}

/** Checks the house rules for messages: sentence case, no trailing period. */
export function assertMessageStyle(message: string): void {
  assert.match(message, /^[A-Z]/, `not sentence case: ${message}`);
  assert.doesNotMatch(message, /\.$/, `trailing period: ${message}`);
  assert.doesNotMatch(message, /\n/, `more than one line: ${message}`);
}
