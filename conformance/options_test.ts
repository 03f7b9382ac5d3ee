import assert from "node:assert/strict";
import { parseCommandLine, type RunOptions } from "./options.ts";

const URL_FLAG = ["--url", "http://127.0.0.1:3002/mcp"];

/** Parses `args` and returns the options, failing the test on anything but a run. */
function run(args: readonly string[]): RunOptions {
  const parsed = parseCommandLine(args);
  assert.equal(
    parsed.kind,
    "run",
    `expected options, got ${JSON.stringify(parsed)}`,
  );
  return (parsed as { options: RunOptions }).options;
}

/** Parses `args` and returns the problems, failing the test unless it is an error. */
function problems(args: readonly string[]): readonly string[] {
  const parsed = parseCommandLine(args);
  assert.equal(
    parsed.kind,
    "error",
    `expected an error, got ${JSON.stringify(parsed)}`,
  );
  return (parsed as { problems: readonly string[] }).problems;
}

Deno.test("parseCommandLine() fills in the todo server's defaults", () => {
  const options = run(URL_FLAG);
  assert.equal(options.url, "http://127.0.0.1:3002/mcp");
  assert.equal(options.baseUrl, "http://127.0.0.1:3002");
  assert.equal(options.resourceId, "res_conformance");
  assert.deepEqual(options.requiredScopes, []);
  assert.deepEqual(options.scopes, ["todo:read", "todo:write", "todo:admin"]);
  assert.deepEqual(options.tool, {
    name: "create_todo",
    scopes: ["todo:write"],
    args: { title: "conformance probe {marker}" },
  });
  assert.deepEqual(options.otherTool, {
    name: "list_todos",
    scopes: ["todo:read"],
    args: {},
  });
  assert.equal(options.spawn, undefined);
  assert.equal(options.issuerHost, "127.0.0.1");
  assert.equal(options.issuerPort, 0);
  assert.equal(options.startupTimeoutMs, 60_000);
  assert.equal(options.requestTimeoutMs, 10_000);
  assert.deepEqual(options.only, []);
  assert.deepEqual(options.skip, []);
  assert.equal(options.strict, false);
  assert.equal(options.quiet, false);
  assert.equal(options.jsonPath, undefined);
  assert.equal(options.junitPath, undefined);
  assert.deepEqual(options.resourceScopes, []);
  assert.deepEqual(options.promptScopes, []);
  assert.equal(options.spec, "2026-07-28");
  assert.equal(options.live, false);
  assert.equal(options.tokenFile, undefined);
  assert.ok(Object.isFrozen(options));
});

Deno.test("parseCommandLine() takes --spec among the three revisions, and names the others", async (t) => {
  for (const spec of ["2025-06-18", "2025-11-25", "2026-07-28"]) {
    await t.step(spec, () => {
      assert.equal(run([...URL_FLAG, "--spec", spec]).spec, spec);
    });
  }
  await t.step("an unknown revision", () => {
    assert.deepEqual(problems([...URL_FLAG, "--spec", "2025-03-26"]), [
      '--spec "2025-03-26" must be one of 2025-06-18, 2025-11-25, 2026-07-28',
    ]);
  });
});

Deno.test("parseCommandLine() reads live mode, and refuses a token file without it or spawn with it", async (t) => {
  await t.step("--live --token-file", () => {
    const options = run([...URL_FLAG, "--live", "--token-file", "t.txt"]);
    assert.equal(options.live, true);
    assert.equal(options.tokenFile, "t.txt");
  });
  await t.step("--token-file alone", () => {
    assert.deepEqual(problems([...URL_FLAG, "--token-file", "t.txt"]), [
      "--token-file is for live mode: add --live",
    ]);
  });
  await t.step("--live with --spawn", () => {
    assert.match(
      problems([...URL_FLAG, "--live", "--spawn", "x"])[0],
      /use one or the other/,
    );
  });
});

Deno.test("parseCommandLine() adds resource and prompt scopes to the scopes a full token carries", () => {
  const options = run([
    ...URL_FLAG,
    "--resource-scopes",
    "files:read",
    "--prompt-scopes",
    "todo:read prompts:use",
  ]);
  assert.deepEqual(options.resourceScopes, ["files:read"]);
  assert.deepEqual(options.promptScopes, ["todo:read", "prompts:use"]);
  assert.ok(options.scopes.includes("files:read"));
  assert.ok(options.scopes.includes("prompts:use"));
});

Deno.test("parseCommandLine() derives --base-url by stripping a trailing /mcp from --url", async (t) => {
  const rows: ReadonlyArray<readonly [string, string]> = [
    ["http://127.0.0.1:3002/mcp", "http://127.0.0.1:3002"],
    ["http://127.0.0.1:3002/mcp/", "http://127.0.0.1:3002"],
    ["https://x.example/api/mcp", "https://x.example/api"],
    ["http://127.0.0.1:3002/rpc", "http://127.0.0.1:3002/rpc"],
    ["http://127.0.0.1:3002/mcpx", "http://127.0.0.1:3002/mcpx"],
    ["http://127.0.0.1:3002/mcp/v2", "http://127.0.0.1:3002/mcp/v2"],
  ];
  for (const [url, baseUrl] of rows) {
    await t.step(`${url} → ${baseUrl}`, () => {
      assert.equal(run(["--url", url]).baseUrl, baseUrl);
    });
  }
});

Deno.test("parseCommandLine() keeps an explicit --base-url as given", () => {
  const options = run([
    ...URL_FLAG,
    "--base-url",
    "https://public.example/base/",
  ]);
  assert.equal(options.url, "http://127.0.0.1:3002/mcp");
  assert.equal(options.baseUrl, "https://public.example/base/");
});

Deno.test("parseCommandLine() splits lists on commas and spaces and drops duplicates", async (t) => {
  const rows: ReadonlyArray<readonly [string, readonly string[]]> = [
    ["a,b", ["a", "b"]],
    ["a b", ["a", "b"]],
    [" a, b ,,c  ", ["a", "b", "c"]],
    ["a,b b a", ["a", "b"]],
    ["", []],
  ];
  for (const [raw, expected] of rows) {
    await t.step(JSON.stringify(raw), () => {
      assert.deepEqual(
        run([...URL_FLAG, "--required-scopes", raw]).requiredScopes,
        expected,
      );
    });
  }
});

Deno.test("parseCommandLine() adds required and tool scopes to --scopes, once each", () => {
  const options = run([
    ...URL_FLAG,
    "--scopes",
    "x:read x:read",
    "--required-scopes",
    "base:use",
    "--tool",
    "write_x",
    "--tool-scopes",
    "x:write,x:read",
    "--other-tool",
    "read_x",
    "--other-tool-scopes",
    "x:read",
  ]);
  assert.deepEqual(options.scopes, ["x:read", "base:use", "x:write"]);
  assert.deepEqual(options.tool?.scopes, ["x:write", "x:read"]);
  assert.deepEqual(options.otherTool?.scopes, ["x:read"]);
});

Deno.test("parseCommandLine() keeps the default scopes when only required scopes are given", () => {
  assert.deepEqual(
    run([...URL_FLAG, "--required-scopes", "todo:read,extra"]).scopes,
    ["todo:read", "todo:write", "todo:admin", "extra"],
  );
});

Deno.test("parseCommandLine() with --tool none turns off both tool probes", () => {
  const options = run([...URL_FLAG, "--tool", "none"]);
  assert.equal(options.tool, undefined);
  assert.equal(options.otherTool, undefined);
});

Deno.test("parseCommandLine() takes a named tool with its scopes and arguments", () => {
  const options = run([
    ...URL_FLAG,
    "--tool",
    "delete_all",
    "--tool-scopes",
    "todo:admin",
    "--tool-args",
    '{"confirm":true}',
    "--other-tool-args",
    '{"limit":1}',
  ]);
  assert.deepEqual(options.tool, {
    name: "delete_all",
    scopes: ["todo:admin"],
    args: { confirm: true },
  });
  assert.deepEqual(options.otherTool, {
    name: "list_todos",
    scopes: ["todo:read"],
    args: { limit: 1 },
  });
});

Deno.test("parseCommandLine() gives a named tool no default arguments", () => {
  const options = run([
    ...URL_FLAG,
    "--tool",
    "delete_all",
    "--tool-scopes",
    "todo:admin",
  ]);
  assert.deepEqual(options.tool?.args, {});
});

Deno.test("parseCommandLine() refuses --tool without --tool-scopes", () => {
  assert.deepEqual(problems([...URL_FLAG, "--tool", "delete_all"]), [
    '--tool-scopes must name the scopes "delete_all" needs (or use --tool none)',
  ]);
});

Deno.test("parseCommandLine() refuses an --other-tool that needs the scopes of --tool", async (t) => {
  const rows: ReadonlyArray<readonly [string, readonly string[]]> = [
    ["same scopes", ["--tool-scopes", "todo:read"]],
    ["a superset", [
      "--tool-scopes",
      "todo:write",
      "--other-tool-scopes",
      "todo:write todo:read",
    ]],
  ];
  for (const [name, extra] of rows) {
    await t.step(name, () => {
      assert.deepEqual(
        problems([...URL_FLAG, "--tool", "t", ...extra]),
        ["--other-tool must need different scopes than --tool"],
      );
    });
  }
});

Deno.test("parseCommandLine() names a missing or unusable --url", async (t) => {
  const rows: ReadonlyArray<readonly [string, readonly string[], string]> = [
    [
      "missing",
      [],
      "--url is required (the MCP endpoint, e.g. http://127.0.0.1:3002/mcp)",
    ],
    [
      "not a URL",
      ["--url", "127.0.0.1:3002"],
      '--url "127.0.0.1:3002" is not a URL',
    ],
    [
      "ftp",
      ["--url", "ftp://x.example/mcp"],
      '--url "ftp://x.example/mcp" must be an http or https URL',
    ],
    [
      "bad --base-url",
      [...URL_FLAG, "--base-url", "nope"],
      '--base-url "nope" is not a URL',
    ],
  ];
  for (const [name, args, expected] of rows) {
    await t.step(name, () => {
      const found = problems(args);
      assert.equal(found.length, 1, found.join("\n"));
      assert.ok(
        found[0].startsWith(expected),
        `${JSON.stringify(found[0])} does not start with ${
          JSON.stringify(expected)
        }`,
      );
    });
  }
});

Deno.test("parseCommandLine() refuses tool arguments that are not a JSON object", async (t) => {
  for (const raw of ["{title:", "[1]", "null", '"text"', "3"]) {
    await t.step(raw, () => {
      assert.deepEqual(problems([...URL_FLAG, "--tool-args", raw]), [
        '--tool-args must be a JSON object, such as {"title":"x"}',
      ]);
    });
  }
  await t.step("--other-tool-args", () => {
    assert.deepEqual(problems([...URL_FLAG, "--other-tool-args", "[]"]), [
      '--other-tool-args must be a JSON object, such as {"title":"x"}',
    ]);
  });
});

Deno.test("parseCommandLine() refuses numbers out of range or not whole", async (t) => {
  const rows: ReadonlyArray<readonly [string, string, string]> = [
    ["--issuer-port", "70000", "from 0 to 65535"],
    ["--issuer-port", "65536", "from 0 to 65535"],
    ["--startup-timeout", "0", "from 1 to 3600"],
    ["--startup-timeout", "1.5", "from 1 to 3600"],
    ["--request-timeout", "x", "from 1 to 600"],
    ["--request-timeout", "601", "from 1 to 600"],
  ];
  for (const [flag, raw, range] of rows) {
    await t.step(`${flag} ${raw}`, () => {
      assert.deepEqual(problems([...URL_FLAG, flag, raw]), [
        `${flag} "${raw}" must be a whole number ${range}`,
      ]);
    });
  }
});

Deno.test("parseCommandLine() refuses a resource id with characters outside the id alphabet", () => {
  assert.deepEqual(problems([...URL_FLAG, "--resource-id", "res 1/x"]), [
    '--resource-id "res 1/x" must be a resource id such as res_123',
  ]);
});

Deno.test("parseCommandLine() refuses an unknown flag or a positional argument", async (t) => {
  for (const args of [["--frobnicate"], ["extra"], ["--url"]]) {
    await t.step(args.join(" "), () => {
      const found = problems([...URL_FLAG, ...args]);
      assert.equal(found.length, 1);
      assert.ok(found[0].length > 0);
    });
  }
  await t.step("the unknown flag is named", () => {
    assert.match(problems([...URL_FLAG, "--frobnicate"])[0], /--frobnicate/);
  });
});

Deno.test("parseCommandLine() reports every problem at once", () => {
  const found = problems([
    "--url",
    "ftp://x",
    "--tool-args",
    "[1]",
    "--issuer-port",
    "70000",
    "--startup-timeout",
    "0",
    "--request-timeout",
    "x",
  ]);
  assert.equal(found.length, 5, found.join("\n"));
  for (
    const flag of [
      "--url",
      "--tool-args",
      "--issuer-port",
      "--startup-timeout",
      "--request-timeout",
    ]
  ) {
    assert.ok(
      found.some((problem) => problem.startsWith(flag)),
      `no problem names ${flag}: ${found.join("\n")}`,
    );
  }
});

Deno.test("parseCommandLine() answers --help and -h with help, whatever else is wrong", async (t) => {
  for (const args of [["--help"], ["-h"], ["--url", "ftp://x", "-h"]]) {
    await t.step(args.join(" "), () => {
      assert.deepEqual(parseCommandLine(args), { kind: "help" });
    });
  }
});

Deno.test("parseCommandLine() collects repeated --only and --skip in order", () => {
  const options = run([
    ...URL_FLAG,
    "--only",
    "discovery",
    "--skip",
    "rejection.expired",
    "--only",
    "rejection",
    "--skip",
    "journey",
  ]);
  assert.deepEqual(options.only, ["discovery", "rejection"]);
  assert.deepEqual(options.skip, ["rejection.expired", "journey"]);
});

Deno.test("parseCommandLine() reads the output and mode switches", () => {
  const options = run([
    ...URL_FLAG,
    "--strict",
    "--quiet",
    "--json",
    "out/report.json",
    "--junit",
    "out/report.xml",
    "--spawn",
    "deno task start",
    "--issuer-host",
    "0.0.0.0",
    "--issuer-port",
    "65535",
  ]);
  assert.equal(options.strict, true);
  assert.equal(options.quiet, true);
  assert.equal(options.jsonPath, "out/report.json");
  assert.equal(options.junitPath, "out/report.xml");
  assert.equal(options.spawn, "deno task start");
  assert.equal(options.issuerHost, "0.0.0.0");
  assert.equal(options.issuerPort, 65535);
});

Deno.test("parseCommandLine() converts timeouts from seconds to milliseconds", () => {
  const options = run([
    ...URL_FLAG,
    "--startup-timeout",
    "3600",
    "--request-timeout",
    "1",
  ]);
  assert.equal(options.startupTimeoutMs, 3_600_000);
  assert.equal(options.requestTimeoutMs, 1_000);
});

Deno.test("parseCommandLine() does not change the caller's argument array", () => {
  const args = Object.freeze([...URL_FLAG, "--only", "discovery"]);
  run(args);
  assert.deepEqual(args, [...URL_FLAG, "--only", "discovery"]);
});
