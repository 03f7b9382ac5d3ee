import assert from "node:assert/strict";
import { join } from "node:path";
import { readEnv, type ReadEnvOptions } from "../config/env_file.ts";
import type { Env } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import type { ServeOptions } from "../serve.ts";
import { USAGE } from "./args.ts";
import { type CliDependencies, runCli } from "./run.ts";
import type { NotifyOutcome } from "./sd_notify.ts";

const VALID = {
  SCALEKIT_ENVIRONMENT_URL: "https://env.scalekit.example",
  SCALEKIT_RESOURCE_ID: "res_123",
  BASE_URL: "https://mcp.example.com",
};

/** Runs the CLI with captured output and a serve() that must not be reached. */
async function run(args: string[], deps: CliDependencies = {}) {
  let stdout = "";
  let stderr = "";
  const status = await runCli(args, {
    serve: () => Promise.reject(new Error("serve() must not run")),
    readEnv: () => ({}),
    ...deps,
    stdout: (text) => stdout += text,
    stderr: (text) => stderr += text,
  });
  return { status, stdout, stderr };
}

Deno.test("--help prints the usage; --version the name and version", async () => {
  const help = await run(["--help"]);
  assert.equal(help.status, 0);
  assert.equal(help.stdout, `${USAGE}\n`);
  const version = await run(["--version"]);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^mcp-scalekit \d+\.\d+\.\d+\n$/);
});

Deno.test("an unknown flag is an error followed by the usage, status 64, nothing served", async () => {
  const { status, stdout, stderr } = await run(["--port", "80"]);
  assert.equal(status, 64);
  assert.equal(stdout, "");
  assert.ok(
    stderr.startsWith("error: Unknown option --port\n\nUsage:"),
    stderr,
  );
});

Deno.test("--check-config exits 0 for a valid configuration and 78 for a refused one, never serving", async () => {
  const good = await run(["--check-config"], { readEnv: () => VALID });
  assert.equal(good.status, 0);
  assert.match(good.stdout, /The configuration is valid/);
  const bad = await run(["--check-config"], {
    readEnv: () => ({ ...VALID, PORT: "-1" }),
  });
  assert.equal(bad.status, 78);
  assert.match(bad.stdout, /PORT must be/);
});

Deno.test("--env-file is read under the real environment and over ./.env", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cli-env-" });
  try {
    await Deno.writeTextFile(
      join(dir, ".env"),
      "SCALEKIT_RESOURCE_ID=res_dotenv\nPORT=1111\nLOG_LEVEL=debug\n",
    );
    const file = join(dir, "prod.env");
    await Deno.writeTextFile(
      file,
      "SCALEKIT_RESOURCE_ID=res_file\nPORT=2222\n",
    );
    const seen: ReadEnvOptions[] = [];
    const { status, stdout } = await run(
      ["--check-config", "--env-file", file],
      {
        readEnv: (options) => {
          seen.push(options);
          return readEnv({
            ...options,
            cwd: dir,
            env: { ...VALID, SCALEKIT_RESOURCE_ID: undefined, PORT: "3333" },
          });
        },
      },
    );
    assert.equal(status, 0, stdout);
    assert.equal(seen[0].envFile, file);
    assert.ok(seen[0].names?.includes("SCALEKIT_RESOURCE_ID"));
    assert.match(stdout, /SCALEKIT_RESOURCE_ID +"res_file"/);
    assert.match(stdout, /PORT +3333/);
    assert.match(stdout, /LOG_LEVEL +"debug"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing --env-file is refused with status 78, nothing served", async () => {
  const { status, stderr } = await run(
    ["--env-file", "/nonexistent/mcp.env"],
    { readEnv: (options) => readEnv({ ...options, env: {} }) },
  );
  assert.equal(status, 78);
  assert.equal(
    stderr,
    'Cannot read --env-file "/nonexistent/mcp.env": no such file\n',
  );
});

Deno.test("serve tells systemd it is ready only from onReady, with NOTIFY_SOCKET", async () => {
  const notified: (string | undefined)[] = [];
  let ready: ((config: Config) => void) | undefined;
  const served: Env[] = [];
  const { status } = await run([], {
    readEnv: () => ({ ...VALID, NOTIFY_SOCKET: "/run/systemd/notify" }),
    notifyReady: (socket): Promise<NotifyOutcome> => {
      notified.push(socket);
      return Promise.resolve({ kind: "notified" });
    },
    serve: (env, options: ServeOptions) => {
      served.push(env);
      ready = options.onReady;
      assert.deepEqual(notified, [], "not before the server is ready");
      options.onReady?.({ logLevel: "error" } as Config);
      return Promise.resolve(0);
    },
  });
  assert.equal(status, 0);
  assert.ok(ready);
  assert.equal(served[0].SCALEKIT_RESOURCE_ID, "res_123");
  assert.deepEqual(notified, ["/run/systemd/notify"]);
});
