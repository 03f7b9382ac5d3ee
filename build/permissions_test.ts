import assert from "node:assert/strict";
import { join } from "node:path";
import { startMockIssuer } from "../conformance/issuer/mod.ts";
import { mcpHeaders, toolCall } from "../fixtures/harness.ts";
import { freePort, within } from "../fixtures/net.ts";
import { namesOf } from "../src/config/settings.ts";
import { SETTINGS } from "../src/config/table.ts";
import { compileArgs, TARGETS, UNSTABLE_FLAGS } from "./compile.ts";
import { dataDir, permissionFlags } from "./permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const PROBE = new URL("./_store_probe.ts", import.meta.url).pathname;

function flagValue(name: string): string[] {
  const flag = permissionFlags().find((f) => f.startsWith(`${name}=`));
  assert.ok(flag, `${name} is granted with a list`);
  return flag.slice(name.length + 1).split(",");
}

Deno.test("the binary's permissions are narrow: no -A, every list explicit", () => {
  const flags = permissionFlags();
  for (const broad of ["-A", "--allow-all", "--allow-env", "--allow-read"]) {
    assert.ok(!flags.includes(broad), `${broad} is not granted`);
  }
  assert.ok(!flags.some((f) => /^--allow-(ffi|sys|import)/.test(f)));
  assert.deepEqual(flags.map((f) => f.split("=")[0]), [
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    "--allow-run",
  ]);
  assert.deepEqual(flagValue("--allow-write"), [dataDir()]);
  assert.deepEqual(flagValue("--allow-read"), [
    dataDir(),
    ".env",
    "/etc/mcp-scalekit",
  ]);
  assert.deepEqual(flagValue("--allow-run"), ["systemd-notify"]);
});

Deno.test("the binary may read every variable of the settings table, and NOTIFY_SOCKET", () => {
  const allowed = new Set(flagValue("--allow-env"));
  for (const spec of Object.values(SETTINGS)) {
    for (const name of namesOf(spec)) {
      assert.ok(allowed.has(name), `${name} is readable`);
    }
  }
  assert.ok(allowed.has("NOTIFY_SOCKET"));
  assert.ok(!allowed.has("HOME") && !allowed.has("PATH"));
});

Deno.test("deno task compile bakes in exactly those permissions, never an env file", () => {
  const args = compileArgs({ target: TARGETS[1], output: "out/bin" });
  assert.deepEqual(
    args.slice(1, 1 + permissionFlags().length),
    permissionFlags(),
  );
  assert.ok(args.includes("--no-prompt"));
  // MCP_WORKERS shares the port with Deno.listen({ reusePort }).
  assert.ok(args.includes("--unstable-net"));
  assert.ok(!args.some((a) => a.startsWith("--env-file")));
  assert.deepEqual(args.slice(-5), [
    "--target",
    TARGETS[1],
    "--output",
    "out/bin",
    "main.ts",
  ]);
  assert.throws(() => compileArgs({ target: "riscv64" }), /Unknown target/);
});

/** Builds the bundle once per test run, into a temporary directory. */
async function bundle(dir: string): Promise<string> {
  const output = join(dir, "mcp-scalekit.js");
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=deno",
      `--output=${output}`,
      "main.ts",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return output;
}

/** Runs `script` with exactly the binary's permissions, in `cwd`, with only `env`. */
function underBinaryPermissions(
  script: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
  flags: readonly string[] = [],
) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...permissionFlags(),
      ...flags,
      "--no-prompt",
      script,
      ...args,
    ],
    cwd,
    clearEnv: true,
    env: { ...env, NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("the bundle is self-contained and serves under the binary's permissions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bundle-" });
  const port = freePort();
  const issuer = await startMockIssuer({
    resources: [{
      id: "res_bundle",
      url: `http://127.0.0.1:${port}/mcp`,
      scopes: ["todo:read", "todo:write"],
    }],
  });
  let child: Deno.ChildProcess | undefined;
  try {
    const output = await bundle(dir);
    // Run from a directory holding nothing but the bundle: no node_modules.
    const env = {
      SCALEKIT_ENVIRONMENT_URL: issuer.url,
      SCALEKIT_RESOURCE_ID: "res_bundle",
      BASE_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
    };
    const check = await underBinaryPermissions(
      output,
      ["--check-config"],
      dir,
      env,
    ).output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
    assert.match(
      new TextDecoder().decode(check.stdout),
      /The configuration is valid/,
    );

    child = underBinaryPermissions(output, [], dir, env).spawn();
    const mcpUrl = `http://127.0.0.1:${port}/mcp`;
    await within(60_000, waitForHealth(port));
    const token = await issuer.mint({ scopes: ["todo:read", "todo:write"] });
    const created = await fetch(mcpUrl, {
      method: "POST",
      headers: mcpHeaders(token),
      body: toolCall("create_todo", { title: "from the bundle" }),
    });
    assert.equal(created.status, 200);
    const body = await created.json();
    assert.equal(body.result.structuredContent.todo.title, "from the bundle");
    const refused = await fetch(mcpUrl, {
      method: "POST",
      headers: mcpHeaders(),
      body: toolCall("whoami"),
    });
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    child.kill("SIGTERM");
    const status = await within(30_000, child.status);
    assert.equal(status.code, 0);
    child = undefined;
  } finally {
    if (child) {
      child.kill("SIGKILL");
      await child.status;
    }
    await issuer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the bundle serves with MCP_WORKERS=2 under the binary's permissions, the unstable flags and read access to itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bundle-workers-" });
  const port = freePort();
  let child: Deno.ChildProcess | undefined;
  try {
    const output = await bundle(dir);
    // Each worker loads the bundle again, and Deno checks a worker's
    // module against --allow-read (the main module it does not).
    const refused = await underBinaryPermissions(output, [], dir, {
      FASTMCP_SERVER_AUTH: "none",
      PORT: String(port),
      MCP_WORKERS: "2",
    }, UNSTABLE_FLAGS).output();
    assert.equal(refused.code, 70);
    assert.match(
      new TextDecoder().decode(refused.stderr),
      /"event":"worker_failed".*Requires read access/,
    );
    const readSelf = `--allow-read=${
      flagValue("--allow-read").join(",")
    },${output}`;
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...permissionFlags().map((f) =>
          f.startsWith("--allow-read=") ? readSelf : f
        ),
        ...UNSTABLE_FLAGS,
        "--no-prompt",
        output,
      ],
      cwd: dir,
      clearEnv: true,
      env: {
        FASTMCP_SERVER_AUTH: "none",
        PORT: String(port),
        MCP_WORKERS: "2",
        NO_COLOR: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await within(60_000, waitForHealth(port));
    const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: "POST",
      headers: mcpHeaders(),
      body: toolCall("create_todo", { title: "from a bundle worker" }),
    });
    assert.equal(response.status, 200);
    assert.equal(
      (await response.json()).result.structuredContent.todo.title,
      "from a bundle worker",
    );
    child.kill("SIGTERM");
    const { code, stdout } = await within(30_000, child.output());
    child = undefined;
    assert.equal(code, 0);
    const text = new TextDecoder().decode(stdout);
    // Both isolates ran from the one file.
    assert.match(text, /"event":"listening","worker":1/);
    assert.match(text, /"event":"listening","worker":2/);
    assert.match(text, /"event":"workers_stopped","status":0/);
  } finally {
    if (child) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

async function waitForHealth(port: number): Promise<void> {
  while (true) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("the binary's permissions let the default SQLite store write its data directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-data-" });
  try {
    const { code, stdout, stderr } = await underBinaryPermissions(
      PROBE,
      [],
      dir,
      {},
    ).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
      location: `sqlite:${dataDir()}/todos.db`,
      count: 1,
    });
    assert.ok((await Deno.stat(join(dir, dataDir(), "todos.db"))).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the binary's permissions refuse an env file outside ./.env and /etc/mcp-scalekit, saying why", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-envfile-" });
  const outside = await Deno.makeTempFile({ prefix: "mcp-outside-" });
  try {
    const { code, stderr } = await underBinaryPermissions(
      join(ROOT, "main.ts"),
      ["--check-config", "--env-file", outside],
      dir,
      {},
    ).output();
    assert.equal(code, 78);
    const text = new TextDecoder().decode(stderr);
    assert.match(text, /^Cannot read --env-file ".*": not permitted\./m);
    assert.match(
      text,
      /may read only \.\/\.env, \.\/data and \/etc\/mcp-scalekit/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside);
  }
});
