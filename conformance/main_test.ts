import assert from "node:assert/strict";
import { freePort } from "../fixtures/net.ts";
import { runMain } from "./_capture.ts";

const SERVER = new URL("../main.ts", import.meta.url).pathname;

Deno.test("conformance --spawn passes this project's server with no failure and no warning", async () => {
  const dir = await Deno.makeTempDir({ prefix: "conformance-" });
  try {
    const url = `http://127.0.0.1:${freePort()}/mcp`;
    const { code, out } = await runMain([
      "--url",
      url,
      "--spawn",
      `DATABASE_URL=memory: "${Deno.execPath()}" run --allow-net --allow-env --allow-read "${SERVER}"`,
      "--required-scopes",
      "todo:read",
      "--strict",
      "--json",
      `${dir}/report.json`,
      "--junit",
      `${dir}/report.xml`,
    ]);
    assert.equal(code, 0, out.join("\n"));
    assert.equal(
      out.at(-1),
      `${out.at(-1)?.match(/^\d+/)?.[0]} passed, 0 failed`,
    );
    assert.match(
      out.at(-2) ?? "",
      /^0 warnings, \d+ skipped \(judged against MCP 2026-07-28\)$/,
    );

    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    assert.equal(report.url, url);
    assert.equal(report.summary.failed, 0);
    assert.equal(report.summary.warnings, 0);
    assert.ok(report.results.length >= 50);
    // Skips are scenarios that do not apply (an era or a surface the
    // server does not offer), each saying why; nothing failed or warned.
    for (const result of report.results) {
      assert.ok(
        result.status === "pass" || result.status === "skip",
        `${result.id}: ${result.status}`,
      );
      if (result.status === "skip") assert.ok(result.notes.length > 0);
    }
    assert.ok(
      report.results.filter((r: { status: string }) => r.status === "pass")
        .length >= 40,
    );
    for (const result of report.results) {
      for (const exchange of result.exchanges) {
        assert.doesNotMatch(
          JSON.stringify(exchange),
          /eyJ[\w-]+\.[\w-]+\./,
          `a token leaked into ${result.id}`,
        );
      }
    }

    const junit = await Deno.readTextFile(`${dir}/report.xml`);
    assert.match(junit, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
    assert.equal(
      (junit.match(/<testcase /g) ?? []).length,
      report.results.length,
    );
    assert.match(junit, /failures="0"/);
    assert.doesNotMatch(junit, /<failure/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("conformance reports a server that never comes up, with its output", async () => {
  const url = `http://127.0.0.1:${freePort()}/mcp`;
  const { code, out } = await runMain([
    "--url",
    url,
    "--spawn",
    "echo 'listening soon'; echo 'bad config' >&2; exit 3",
    "--startup-timeout",
    "10",
  ]);
  assert.equal(code, 1);
  const text = out.join("\n");
  assert.match(text, /exited with status 3 before answering/);
  assert.match(text, /\| bad config/);
  assert.equal(out.at(-1), "0 passed, 1 failed");
});

Deno.test("conformance exits 2 naming bad options, and 0 for --help", async () => {
  const bad = await runMain(["--url", "ftp://x", "--tool-args", "[1]"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.out.join("\n"),
    /--url "ftp:\/\/x" must be an http or https URL/,
  );
  assert.match(bad.out.join("\n"), /--tool-args must be a JSON object/);
  const help = await runMain(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out.join("\n"), /--spawn "<command>"/);
});

const ROOT = new URL("..", import.meta.url).pathname;
const BROKEN = new URL("../fixtures/broken_server.ts", import.meta.url)
  .pathname;

/**
 * Runs `deno task conformance` as CI does, in its own process, against the
 * broken server (spawned) with `faults`; returns the exit code and output.
 */
async function conformanceProcess(
  faults: string,
  args: readonly string[],
): Promise<{ code: number; lines: string[] }> {
  const url = `http://127.0.0.1:${freePort()}/mcp`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "conformance/main.ts",
      "--url",
      url,
      "--spawn",
      `BROKEN_FAULTS=${faults} "${Deno.execPath()}" run --allow-net --allow-env --allow-read "${BROKEN}"`,
      "--quiet",
      ...args,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  return { code, lines: text.trimEnd().split("\n") };
}

Deno.test("the conformance process's exit status follows the verdict (CI relies on it)", async (t) => {
  const rows: ReadonlyArray<
    readonly [string, string, readonly string[], number, string]
  > = [
    [
      "a MUST failure",
      "accept_expired",
      ["--only", "rejection.expired"],
      1,
      "0 passed, 1 failed",
    ],
    [
      "the same scenario passing",
      "",
      ["--only", "rejection.expired"],
      0,
      "1 passed, 0 failed",
    ],
    [
      "a warning",
      "error_code_without_credentials",
      ["--only", "rejection.no_token"],
      0,
      "0 passed, 0 failed",
    ],
    [
      "a warning under --strict",
      "error_code_without_credentials",
      ["--only", "rejection.no_token", "--strict"],
      1,
      "0 passed, 0 failed",
    ],
  ];
  for (const [name, faults, args, code, last] of rows) {
    await t.step(name, async () => {
      const outcome = await conformanceProcess(faults, args);
      const output = outcome.lines.join("\n");
      assert.equal(outcome.code, code, output);
      assert.equal(outcome.lines.at(-1), last, output);
      if (faults === "error_code_without_credentials") {
        assert.match(outcome.lines.at(-2) ?? "", /^1 warning/, output);
      }
    });
  }
});

Deno.test("conformance --spawn gives a server written from the Scalekit guides the variables it reads (MCP_URL, SCALEKIT_CLIENT_ID)", async () => {
  const url = `http://127.0.0.1:${freePort()}/mcp`;
  const { code, out } = await runMain([
    "--url",
    url,
    "--spawn",
    `BROKEN_GUIDE_STYLE=1 "${Deno.execPath()}" run --allow-net --allow-env --allow-read "${BROKEN}"`,
    "--only",
    "discovery.challenge",
  ]);
  assert.equal(code, 0, out.join("\n"));
  assert.equal(out.at(-1), "1 passed, 0 failed");
});
