import assert from "node:assert/strict";
import { startMockIssuer } from "./conformance/issuer/mod.ts";
import { mcpHeaders, TOOLS_LIST } from "./fixtures/harness.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

function spawnServer(env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", MAIN],
    env: { ...env, NO_COLOR: "1" },
    clearEnv: true,
    cwd: "/tmp",
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads JSON log lines from a process stream, as far as asked each time. */
function jsonLines(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  return {
    lines,
    /** Reads until a line matches `until`, or to the end of the stream. */
    async readUntil(
      until: (line: Record<string, unknown>) => boolean = () => false,
    ): Promise<void> {
      while (true) {
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const text = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!text.startsWith("{")) {
            assert.fail(`Not a JSON log line: ${text}`);
          }
          const line = JSON.parse(text);
          lines.push(line);
          if (until(line)) return;
        }
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
      }
    },
  };
}

Deno.test("main exits 78 naming every bad variable, before serving", async () => {
  const child = spawnServer({
    FASTMCP_SERVER_AUTH: "scalekit",
    SCALEKIT_ENVIRONMENT_URL: "ftp://env.example",
    PORT: "70000",
  });
  const { code, stdout, stderr } = await child.output();
  const message = new TextDecoder().decode(stderr);
  assert.equal(code, 78);
  assert.equal(new TextDecoder().decode(stdout), "");
  for (
    const variable of [
      "SCALEKIT_ENVIRONMENT_URL",
      "SCALEKIT_RESOURCE_ID",
      "BASE_URL",
      "PORT",
    ]
  ) {
    assert.match(message, new RegExp(variable), variable);
  }
  assert.doesNotMatch(message, /\bat .*\.ts:\d+/, "no stack trace");
});

Deno.test("main warns once about deprecated settings, serves, and drains on SIGTERM", async () => {
  const issuer = await startMockIssuer({
    resources: [{ id: "res_main", scopes: ["todo:read"] }],
  });
  const child = spawnServer({
    SCALEKIT_ENVIRONMENT_URL: issuer.url,
    SCALEKIT_RESOURCE_ID: "res_main",
    SCALEKIT_CLIENT_ID: "skc_legacy",
    MCP_URL: "http://127.0.0.1:3002/",
    PORT: "0",
  });
  const stdout = jsonLines(child.stdout);
  const stderr = jsonLines(child.stderr);
  try {
    await stdout.readUntil((l) => l.event === "listening");
    const address = stdout.lines.at(-1)?.address as string;
    const base = `http://${address}`;

    // An in-flight request: its body is still arriving when SIGTERM comes.
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = controller;
      },
    });
    const token = await issuer.mint({ resourceId: "res_main" });
    const pending = fetch(`${base}/mcp`, {
      method: "POST",
      headers: mcpHeaders(token),
      body,
    });
    const json = new TextEncoder().encode(TOOLS_LIST);
    push.enqueue(json.slice(0, 10));
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    await health.body?.cancel();

    child.kill("SIGTERM");
    // Only once the server has begun draining: a request arriving now is
    // turned away, the one already in flight must still complete.
    await stdout.readUntil((l) => l.event === "shutting_down");
    const late = await fetch(`${base}/health`);
    assert.equal(late.status, 503);
    assert.equal((await late.json()).error, "shutting_down");
    push.enqueue(json.slice(10));
    push.close();
    const res = await pending;
    assert.equal(res.status, 200, "the in-flight request completed");
    assert.equal((await res.json()).result.tools.length, 9);

    await stdout.readUntil();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.ok(stdout.lines.some((l) => l.event === "stopped"));

    await stderr.readUntil();
    const codes = stderr.lines.map((w) => `${w.code}:${w.variable}`);
    assert.deepEqual(codes.sort(), [
      "deprecated_variable:MCP_URL",
      "ignored_variable:SCALEKIT_CLIENT_ID",
    ]);
    for (const line of [...stdout.lines, ...stderr.lines]) {
      assert.doesNotMatch(JSON.stringify(line), /eyJ/);
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    await issuer.close();
  }
});
