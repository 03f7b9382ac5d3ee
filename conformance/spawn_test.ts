import assert from "node:assert/strict";
import { freePort, within } from "../fixtures/net.ts";
import { spawnServer, waitUntilAnswering } from "./spawn.ts";

/** Polls `condition` every 20 ms until it holds, or fails after `ms`. */
async function eventually(
  ms: number,
  what: string,
  condition: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) assert.fail(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `pid` is a live process (a zombie awaiting its reaper counts as gone). */
async function alive(pid: number): Promise<boolean> {
  // `ps` rather than /proc: the test task runs without read access there.
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const state = new TextDecoder().decode(stdout).trim();
  return state !== "" && !state.startsWith("Z") && !state.startsWith("X");
}

/** Restores the named environment variables however the test ends. */
async function withEnv(
  values: Readonly<Record<string, string>>,
  run: () => Promise<void>,
): Promise<void> {
  const saved = Object.keys(values).map((name) =>
    [name, Deno.env.get(name)] as const
  );
  try {
    for (const [name, value] of Object.entries(values)) {
      Deno.env.set(name, value);
    }
    await run();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

Deno.test("waitUntilAnswering() returns once a server comes up, counting a 401 as an answer", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const controller = new AbortController();
  let server: Deno.HttpServer | undefined;
  const started = new Promise<void>((resolve) =>
    setTimeout(() => {
      server = Deno.serve(
        {
          hostname: "127.0.0.1",
          port,
          signal: controller.signal,
          onListen() {},
        },
        () => new Response("no", { status: 401 }),
      );
      resolve();
    }, 300)
  );
  try {
    assert.equal(
      await within(10_000, waitUntilAnswering(url, 8_000)),
      undefined,
    );
  } finally {
    await started;
    controller.abort();
    await server?.finished;
  }
});

Deno.test("waitUntilAnswering() gives up on a closed port after the timeout", async () => {
  const url = `http://127.0.0.1:${freePort()}/mcp`;
  const started = performance.now();
  const outcome = await within(10_000, waitUntilAnswering(url, 1_000));
  const elapsed = performance.now() - started;
  assert.equal(outcome, `no answer at ${url} within 1 s`);
  assert.ok(elapsed >= 900, `gave up after ${elapsed} ms`);
});

Deno.test("waitUntilAnswering() reports a server that exited before answering", async () => {
  const url = `http://127.0.0.1:${freePort()}/mcp`;
  const started = performance.now();
  const outcome = await within(
    10_000,
    waitUntilAnswering(url, 30_000, Promise.resolve(3)),
  );
  assert.equal(outcome, "the server exited with status 3 before answering");
  assert.ok(
    performance.now() - started < 5_000,
    "it did not wait for the timeout",
  );
});

Deno.test("spawnServer() keeps the last lines of stdout and stderr and the exit code", async () => {
  const server = spawnServer(
    "echo out1; echo err1 >&2; echo out2; printf partial; exit 3",
    {},
  );
  try {
    assert.equal(await within(10_000, server.exited), 3);
  } finally {
    await within(10_000, server.stop(1_000));
  }
  // The streams interleave in any order; each keeps its own, and a last
  // line without a newline is kept too.
  const tail = server.tail();
  assert.deepEqual(tail.filter((line) => line !== "err1"), [
    "out1",
    "out2",
    "partial",
  ]);
  assert.equal(tail.length, 4, tail.join("\n"));
  assert.ok(tail.includes("err1"), tail.join("\n"));
});

Deno.test("spawnServer() keeps only the last 60 lines", async () => {
  const server = spawnServer(
    "i=1; while [ $i -le 100 ]; do echo line$i; i=$((i+1)); done",
    {},
  );
  try {
    assert.equal(await within(10_000, server.exited), 0);
  } finally {
    await within(10_000, server.stop(1_000));
  }
  assert.deepEqual(
    server.tail(),
    Array.from({ length: 60 }, (_, i) => `line${i + 41}`),
  );
});

Deno.test("spawnServer() applies the given environment and withholds auth variables of ours", async () => {
  await withEnv({
    SCALEKIT_RESOURCE_ID: "res_from_the_runner_shell",
    FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_BASE_URL: "http://inherited",
    PORT: "1",
    CONFORMANCE_SPAWN_TEST_KEPT: "kept",
  }, async () => {
    const server = spawnServer(
      [
        `printf '%s|%s|%s|%s|%s\\n'`,
        `"\${SCALEKIT_RESOURCE_ID-unset}"`,
        `"\${FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_BASE_URL-unset}"`,
        `"\${PORT-unset}"`,
        `"$CONFORMANCE_SPAWN_TEST_KEPT"`,
        `"$SCALEKIT_ENVIRONMENT_URL"`,
      ].join(" "),
      { SCALEKIT_ENVIRONMENT_URL: "http://127.0.0.1:4444" },
    );
    try {
      assert.equal(await within(10_000, server.exited), 0);
    } finally {
      await within(10_000, server.stop(1_000));
    }
    assert.deepEqual(server.tail(), [
      "unset|unset|unset|kept|http://127.0.0.1:4444",
    ]);
  });
});

Deno.test("spawnServer().stop() ends the whole process group, not only the shell", async () => {
  const dir = await Deno.makeTempDir({ prefix: "conformance-spawn-" });
  const pidFile = `${dir}/grandchild.pid`;
  const server = spawnServer(
    `sleep 300 & echo $! > "$PID_FILE"; echo started; wait`,
    { PID_FILE: pidFile },
  );
  let grandchild = 0;
  try {
    await eventually(10_000, "the grandchild's pid was written", async () => {
      const text = await Deno.readTextFile(pidFile).catch(() => "");
      grandchild = Number.parseInt(text, 10);
      return text.endsWith("\n") && grandchild > 0;
    });
    assert.equal(await alive(grandchild), true, "the grandchild runs");
    await within(10_000, server.stop(5_000));
    await eventually(
      5_000,
      "the grandchild ended",
      async () => !(await alive(grandchild)),
    );
    assert.deepEqual(server.tail(), ["started"]);
  } finally {
    if (grandchild > 0 && await alive(grandchild)) {
      Deno.kill(grandchild, "SIGKILL");
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spawnServer().stop() kills a group that ignores SIGTERM once the grace period ends", async () => {
  const dir = await Deno.makeTempDir({ prefix: "conformance-spawn-" });
  const pidFile = `${dir}/grandchild.pid`;
  // An ignored signal stays ignored in the children: only SIGKILL ends them.
  const server = spawnServer(
    `trap '' TERM; sleep 300 & echo $! > "$PID_FILE"; wait`,
    { PID_FILE: pidFile },
  );
  let grandchild = 0;
  try {
    await eventually(10_000, "the grandchild's pid was written", async () => {
      const text = await Deno.readTextFile(pidFile).catch(() => "");
      grandchild = Number.parseInt(text, 10);
      return text.endsWith("\n") && grandchild > 0;
    });
    const started = performance.now();
    await within(10_000, server.stop(300));
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250, `stopped after ${elapsed} ms, before the grace`);
    assert.notEqual(await server.exited, 0);
    await eventually(
      5_000,
      "the grandchild ended",
      async () => !(await alive(grandchild)),
    );
  } finally {
    if (grandchild > 0 && await alive(grandchild)) {
      Deno.kill(grandchild, "SIGKILL");
    }
    await Deno.remove(dir, { recursive: true });
  }
});
