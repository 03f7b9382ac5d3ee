import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";

Deno.test("ConfigError lists one problem per line under a count", () => {
  const error = new ConfigError([
    { variable: "PORT", message: 'PORT must be a whole number, not "x"' },
    { variable: "HOST", message: 'HOST must be a host name, not "a b"' },
  ]);
  assert.equal(
    error.message,
    [
      "The configuration is invalid (2 problems):",
      '- PORT must be a whole number, not "x"',
      '- HOST must be a host name, not "a b"',
    ].join("\n"),
  );
  assert.equal(error.code, "invalid_config");
  assert.equal(error.name, "ConfigError");
  assert.ok(error instanceof Error);
});

Deno.test("ConfigError says 1 problem in the singular", () => {
  const error = new ConfigError([{ variable: "PORT", message: "Bad" }]);
  assert.equal(
    error.message,
    "The configuration is invalid (1 problem):\n- Bad",
  );
});

Deno.test("ConfigError keeps a frozen copy of the problems", () => {
  const problems = [{ variable: "PORT", message: "Bad" }];
  const error = new ConfigError(problems);
  problems.push({ variable: "HOST", message: "Also bad" });
  assert.equal(error.problems.length, 1);
  assert.ok(Object.isFrozen(error.problems));
  assert.ok(Object.isFrozen(error.problems[0]));
});

Deno.test("ConfigError passes the cause on", () => {
  const cause = new Error("underlying");
  const error = new ConfigError([{ variable: "X", message: "Bad" }], { cause });
  assert.equal(error.cause, cause);
});
