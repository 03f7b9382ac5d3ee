import assert from "node:assert/strict";
import { join } from "node:path";
import { permissionFlags } from "../../build/permissions.ts";
import { freePort, within } from "../../fixtures/net.ts";
import { notifyReady } from "./sd_notify.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A stand-in `systemd-notify` that writes its arguments to $NOTIFY_SOCKET (a file here). */
async function fakeNotify(dir: string, body = 'echo "$@" > "$NOTIFY_SOCKET"') {
  const path = join(dir, "systemd-notify");
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("notifyReady() does nothing outside systemd", async () => {
  for (const socket of [undefined, ""]) {
    assert.deepEqual(
      await notifyReady(socket, { program: "/nonexistent/systemd-notify" }),
      { kind: "not_under_systemd" },
    );
  }
});

Deno.test("notifyReady() runs systemd-notify --ready, and reports its failure without throwing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sd-notify-" });
  try {
    const socket = join(dir, "notify");
    const ok = await notifyReady(socket, { program: await fakeNotify(dir) });
    assert.deepEqual(ok, { kind: "notified" });
    assert.equal(await Deno.readTextFile(socket), "--ready\n");

    const failing = await fakeNotify(
      dir,
      'echo "Failed to notify init system: Connection refused" >&2; exit 1',
    );
    const failed = await notifyReady(socket, { program: failing });
    assert.equal(failed.kind, "failed");
    assert.match(
      (failed as { reason: string }).reason,
      /exited with 1: Failed to notify init system: Connection refused/,
    );

    const missing = await notifyReady(socket, {
      program: join(dir, "absent"),
    });
    assert.equal(missing.kind, "failed");
    assert.match((missing as { reason: string }).reason, /NotFound/);

    const hanging = await fakeNotify(dir, "exec sleep 30");
    const slow = await notifyReady(socket, {
      program: hanging,
      timeoutMs: 200,
    });
    assert.equal(slow.kind, "failed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("under the binary's permissions, the server runs systemd-notify --ready once it serves", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sd-ready-" });
  const port = freePort();
  await fakeNotify(dir);
  const socket = join(dir, "notify");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissionFlags(), "--no-prompt", MAIN],
    cwd: dir,
    clearEnv: true,
    env: {
      // The stand-in comes first, as systemd-notify would be found on PATH.
      PATH: `${dir}:${Deno.env.get("PATH") ?? ""}`,
      NOTIFY_SOCKET: socket,
      FASTMCP_SERVER_AUTH: "none",
      PORT: String(port),
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    await within(
      60_000,
      (async () => {
        while (!(await Deno.stat(socket).then(() => true, () => false))) {
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
    );
    assert.equal(await Deno.readTextFile(socket), "--ready\n");
    // Ready means serving.
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    const { code } = await within(30_000, child.status);
    const log = new TextDecoder().decode(
      await new Response(child.stdout).arrayBuffer(),
    );
    await Deno.remove(dir, { recursive: true });
    assert.equal(code, 0);
    const events = log.trim().split("\n").map((l) => JSON.parse(l).event);
    assert.ok(
      events.indexOf("listening") < events.indexOf("systemd_ready"),
      events.join(","),
    );
  }
});
