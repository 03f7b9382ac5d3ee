// The systemd unit as systemd itself reads it: `systemd-analyze verify`
// must say nothing, and `systemd-analyze security --offline=yes` must rate
// its exposure at 2.0 or below. Neither needs a running systemd; .ci/run
// installs Debian's systemd package when systemd-analyze is missing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "dotenv";
import { dataDir } from "../../build/permissions.ts";
import { checkConfig } from "../../src/cli/check_config.ts";
import { SERVER_SETTINGS } from "../../src/config/table.ts";
import { CONNECTION_DEFAULTS } from "../../src/http/guarded_server.ts";

const UNIT = new URL("./mcp-scalekit.service", import.meta.url).pathname;
const ENV_EXAMPLE = new URL("./mcp-scalekit.env", import.meta.url).pathname;
const MAX_EXPOSURE = 2.0;
const linux = Deno.build.os === "linux";

async function analyze(args: string[]) {
  const out = await new Deno.Command("systemd-analyze", {
    args,
    env: { SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output().catch((error) => {
    if (error instanceof Deno.errors.NotFound) {
      assert.fail(
        "systemd-analyze is missing: apt-get install systemd (.ci/run does)",
      );
    }
    throw error;
  });
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

/** The unit's `Key=value` lines (comments and sections dropped), in order. */
async function directives(): Promise<[string, string][]> {
  const text = await Deno.readTextFile(UNIT);
  return text.split("\n")
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

async function directive(key: string): Promise<string | undefined> {
  return (await directives()).find(([k]) => k === key)?.[1];
}

Deno.test({
  name: "systemd-analyze verify finds nothing to say about the unit",
  ignore: !linux,
  async fn() {
    // A root holding the unit, the binary it runs (a stub) and the system's
    // own units (sysinit.target and the rest it depends on).
    const root = await Deno.makeTempDir({ prefix: "mcp-unit-" });
    try {
      const systemUnits = ["/usr/lib/systemd/system", "/lib/systemd/system"]
        .find((dir) => {
          try {
            return Deno.statSync(join(dir, "sysinit.target")).isFile;
          } catch {
            return false;
          }
        });
      assert.ok(
        systemUnits,
        "the system's units (systemd package) are missing",
      );
      await Deno.mkdir(join(root, "usr/lib/systemd"), { recursive: true });
      const copied = await new Deno.Command("cp", {
        args: ["-r", systemUnits, join(root, "usr/lib/systemd/system")],
      }).output();
      assert.equal(copied.code, 0, "copying the system's units");
      await Deno.mkdir(join(root, "usr/local/bin"), { recursive: true });
      const binary = join(root, "usr/local/bin/mcp-scalekit");
      await Deno.writeTextFile(binary, "#!/bin/sh\n");
      await Deno.chmod(binary, 0o755);
      await Deno.mkdir(join(root, "etc/systemd/system"), { recursive: true });
      await Deno.copyFile(
        UNIT,
        join(root, "etc/systemd/system/mcp-scalekit.service"),
      );
      const { code, stdout, stderr } = await analyze([
        "verify",
        `--root=${root}`,
        "/etc/systemd/system/mcp-scalekit.service",
      ]);
      assert.equal(stdout + stderr, "", "verify prints nothing");
      assert.equal(code, 0);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: `systemd-analyze security rates the unit's exposure at ${
    MAX_EXPOSURE.toFixed(1)
  } or below`,
  ignore: !linux,
  async fn() {
    const { code, stdout, stderr } = await analyze([
      "security",
      "--offline=yes",
      UNIT,
    ]);
    assert.equal(code, 0, stderr);
    const level = stdout.match(/Overall exposure level for \S+: ([\d.]+)/)
      ?.[1];
    assert.ok(level, stdout);
    assert.ok(
      Number(level) <= MAX_EXPOSURE,
      `exposure ${level} is above ${MAX_EXPOSURE}:\n${stdout}`,
    );
  },
});

Deno.test("the unit agrees with the server: descriptors, stop timeout, data directory, readiness", async () => {
  const limit = Number(await directive("LimitNOFILE"));
  // src/http/guarded_server.ts: three descriptors per connection.
  assert.ok(limit >= 3 * CONNECTION_DEFAULTS.maxConnections + 64, `${limit}`);
  const stop = Number((await directive("TimeoutStopSec"))?.replace(/s$/, ""));
  const grace = Number(SERVER_SETTINGS.shutdownGraceMs.default);
  assert.ok(
    stop > grace,
    `TimeoutStopSec=${stop}s must exceed the ${grace} s grace`,
  );
  assert.equal(await directive("Environment"), `DATA_DIR=${dataDir()}`);
  assert.equal(await directive("StateDirectory"), "mcp-scalekit");
  assert.equal(await directive("WorkingDirectory"), "%S/mcp-scalekit");
  assert.equal(await directive("DynamicUser"), "yes");
  assert.equal(await directive("Type"), "notify");
  // systemd-notify is a child process, not the main one.
  assert.equal(await directive("NotifyAccess"), "all");
  assert.equal(await directive("Restart"), "on-failure");
  // V8's JIT needs writable, executable memory.
  assert.equal(await directive("MemoryDenyWriteExecute"), undefined);
  assert.equal(
    await directive("EnvironmentFile"),
    "/etc/mcp-scalekit/mcp-scalekit.env",
  );
});

Deno.test("the example environment file is valid, and reads the same for systemd and dotenv", async () => {
  const text = await Deno.readTextFile(ENV_EXAMPLE);
  // systemd takes NAME=value lines whole; a trailing comment would become
  // part of the value, so none may be there.
  const systemd = Object.fromEntries(
    text.split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        assert.match(line, /^[A-Z_]+=[^#\s"']*$/, line);
        const at = line.indexOf("=");
        return [line.slice(0, at), line.slice(at + 1)];
      }),
  );
  assert.deepEqual(parse(text), systemd);
  const { valid, text: report } = checkConfig(systemd);
  assert.ok(valid, report);
});
