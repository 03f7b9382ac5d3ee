/**
 * The connection layer turns Nagle's algorithm off on both of its sockets,
 * as `Deno.serve` does on the sockets it accepts. Deno offers no
 * `getsockopt`, and what Nagle changes is only time, which no test here
 * asserts; so the server runs under `strace`, and the test reads the
 * socket options it set.
 *
 * @module
 */

import assert from "node:assert/strict";

const BOUND_MS = 60_000;

// One connection through the layer, one request, then exit.
const SCRIPT = `
import { serveGuarded } from ${
  JSON.stringify(
    new URL("./guarded_server.ts", import.meta.url).href,
  )
};
const server = serveGuarded({ hostname: "127.0.0.1", port: 0 }, () => new Response("ok"));
const response = await fetch(\`http://127.0.0.1:\${server.addr.port}/\`);
await response.text();
await server.shutdown(Date.now() + 1000);
`;

Deno.test("serveGuarded() turns Nagle's algorithm off on the client's socket and the loopback hop", async () => {
  const strace = ["/usr/bin/strace", "/bin/strace"].find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  assert.ok(strace, "strace is needed: apt-get install strace");
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/serve.ts`;
    const trace = `${dir}/trace`;
    await Deno.writeTextFile(script, SCRIPT);
    const child = new Deno.Command(strace, {
      args: [
        "-f",
        "-e",
        "trace=setsockopt",
        "-o",
        trace,
        Deno.execPath(),
        "run",
        "--quiet",
        "--allow-net=127.0.0.1",
        "--allow-read",
        script,
      ],
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(BOUND_MS),
    });
    const { code, stderr } = await child.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const lines = (await Deno.readTextFile(trace)).split("\n");
    const on = lines.filter((line) => /TCP_NODELAY, \[1\]/.test(line));
    // The client's socket and our end of the loopback hop, plus the one
    // `Deno.serve` sets on the internal side of the hop (`fetch` turns it
    // off on its own socket).
    assert.ok(on.length >= 3, `TCP_NODELAY set ${on.length} times:\n${on}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
