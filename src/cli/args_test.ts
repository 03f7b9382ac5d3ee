import assert from "node:assert/strict";
import { parseCommandLine, UsageError, type UsageErrorCode } from "./args.ts";

Deno.test("parseCommandLine() reads every accepted command line", async (t) => {
  const cases: readonly [readonly string[], unknown][] = [
    [[], { kind: "serve" }],
    [["serve"], { kind: "serve" }],
    [["--env-file", "prod.env"], { kind: "serve", envFile: "prod.env" }],
    [["serve", "--env-file=a b.env"], { kind: "serve", envFile: "a b.env" }],
    [["--check-config"], { kind: "check-config" }],
    [["--check-config", "--env-file", "/etc/mcp-scalekit/mcp-scalekit.env"], {
      kind: "check-config",
      envFile: "/etc/mcp-scalekit/mcp-scalekit.env",
    }],
    [["--help"], { kind: "help" }],
    [["-h"], { kind: "help" }],
    [["--version"], { kind: "version" }],
    [["-V"], { kind: "version" }],
  ];
  for (const [args, expected] of cases) {
    await t.step(args.join(" ") || "(nothing)", () => {
      assert.deepEqual(parseCommandLine(args), expected);
    });
  }
});

Deno.test("parseCommandLine() refuses what it does not know, with a code", async (t) => {
  const cases: readonly [readonly string[], UsageErrorCode, RegExp][] = [
    [["--bogus"], "unknown_option", /^Unknown option --bogus$/],
    [["-x"], "unknown_option", /^Unknown option -x$/],
    [["--env-file"], "missing_value", /^--env-file needs a value$/],
    [["--env-file="], "missing_value", /^--env-file needs a value$/],
    [
      ["--check-config=yes"],
      "unexpected_value",
      /^--check-config takes no value$/,
    ],
    [["--env-file", "a", "--env-file", "b"], "repeated_option", /twice/],
    [["start"], "unknown_command", /^Unknown command "start"/],
    [["serve", "now"], "unknown_command", /^Unexpected argument "now"$/],
    [["--help", "--version"], "conflicting_options", /--help and --version/],
    [
      ["serve", "--check-config"],
      "conflicting_options",
      /--check-config and serve/,
    ],
  ];
  for (const [args, code, message] of cases) {
    await t.step(args.join(" "), () => {
      assert.throws(
        () => parseCommandLine(args),
        (error: unknown) =>
          error instanceof UsageError && error.code === code &&
          message.test(error.message),
      );
    });
  }
});
