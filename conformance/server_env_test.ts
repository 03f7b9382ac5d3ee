import assert from "node:assert/strict";
import { parseCommandLine, type RunOptions } from "./options.ts";
import {
  exportLines,
  INHERITED_AUTH_VARIABLE,
  listenEnvironment,
  serverEnvironment,
} from "./server_env.ts";

const ISSUER = "http://127.0.0.1:4444";

function options(extra: readonly string[] = []): RunOptions {
  const parsed = parseCommandLine([
    "--url",
    "http://127.0.0.1:3002/mcp",
    "--resource-id",
    "res_env",
    ...extra,
  ]);
  assert.equal(parsed.kind, "run");
  return parsed.options;
}

Deno.test("serverEnvironment() gives FastMCP and plain forms the same values", () => {
  const env = serverEnvironment(
    ISSUER,
    options(["--required-scopes", "todo:read todo:write"]),
  );
  const prefix = "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_";
  assert.deepEqual(env.fastmcp, {
    FASTMCP_SERVER_AUTH:
      "fastmcp.server.auth.providers.scalekit.ScalekitProvider",
    [`${prefix}ENVIRONMENT_URL`]: ISSUER,
    [`${prefix}RESOURCE_ID`]: "res_env",
    [`${prefix}BASE_URL`]: "http://127.0.0.1:3002",
    [`${prefix}REQUIRED_SCOPES`]: "todo:read,todo:write",
  });
  assert.deepEqual(env.plain, {
    SCALEKIT_ENVIRONMENT_URL: ISSUER,
    SCALEKIT_RESOURCE_ID: "res_env",
    BASE_URL: "http://127.0.0.1:3002",
    MCP_URL: "http://127.0.0.1:3002/",
    SCALEKIT_CLIENT_ID: "skc_conformance",
    SCALEKIT_REQUIRED_SCOPES: "todo:read,todo:write",
  });
});

Deno.test("serverEnvironment() leaves required scopes out when there are none", () => {
  const env = serverEnvironment(ISSUER, options());
  assert.deepEqual(
    Object.keys(env.fastmcp).filter((name) => name.includes("SCOPES")),
    [],
  );
  assert.deepEqual(
    Object.keys(env.plain).filter((name) => name.includes("SCOPES")),
    [],
  );
});

Deno.test("serverEnvironment() gives guide-style servers MCP_URL with exactly one trailing slash", async (t) => {
  for (
    const [base, expected] of [
      ["https://public.example", "https://public.example/"],
      ["https://public.example/", "https://public.example/"],
      ["https://public.example/api", "https://public.example/api/"],
    ]
  ) {
    await t.step(base, () => {
      assert.equal(
        serverEnvironment(ISSUER, options(["--base-url", base])).plain.MCP_URL,
        expected,
      );
    });
  }
});

Deno.test("serverEnvironment() uses an explicit --base-url", () => {
  const env = serverEnvironment(
    ISSUER,
    options(["--base-url", "https://public.example"]),
  );
  assert.equal(env.plain.BASE_URL, "https://public.example");
  assert.equal(
    env.fastmcp.FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_BASE_URL,
    "https://public.example",
  );
});

Deno.test("listenEnvironment() takes PORT and HOST from the MCP URL", async (t) => {
  const rows: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["http://127.0.0.1:8000/mcp", { PORT: "8000", HOST: "127.0.0.1" }],
    ["http://localhost/mcp", { PORT: "80", HOST: "localhost" }],
    ["http://localhost:80/mcp", { PORT: "80", HOST: "localhost" }],
    ["https://x.example/mcp", { PORT: "443", HOST: "x.example" }],
    ["https://x.example:8443/mcp", { PORT: "8443", HOST: "x.example" }],
    ["http://[::1]:9000/mcp", { PORT: "9000", HOST: "::1" }],
  ];
  for (const [url, expected] of rows) {
    await t.step(url, () => {
      assert.deepEqual(listenEnvironment(url), expected);
    });
  }
});

/** Runs `script` under `sh -c` and returns its stdout, failing on a non-zero exit. */
async function sh(script: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("sh", {
    args: ["-c", script, "sh", ...args],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  return decoder.decode(stdout);
}

Deno.test("exportLines() quotes values so a POSIX shell reads them back unchanged", async (t) => {
  const values = [
    "plain",
    "it's",
    "''",
    "'; echo injected; exit 7; '",
    '$HOME `id` $(id) "double" \\ back',
    "two\nlines",
    "",
    "trailing '",
  ];
  for (const value of values) {
    await t.step(JSON.stringify(value), async () => {
      const lines = exportLines({ CONFORMANCE_VALUE: value });
      assert.equal(lines.length, 1);
      assert.ok(lines[0].startsWith("export CONFORMANCE_VALUE='"));
      const printed = await sh(
        `${lines.join("\n")}\nprintf %s "$CONFORMANCE_VALUE"`,
      );
      assert.equal(printed, value);
    });
  }
  await t.step(
    "through eval of the printed lines, as a user pastes them",
    async () => {
      const env = { A_VALUE: "it's a 'test'", B_VALUE: "$(echo no) `echo no`" };
      const file = await Deno.makeTempFile({ prefix: "conformance-env-" });
      try {
        await Deno.writeTextFile(file, exportLines(env).join("\n") + "\n");
        const printed = await sh(
          `eval "$(cat "$1")"; printf '%s|%s' "$A_VALUE" "$B_VALUE"`,
          file,
        );
        assert.equal(printed, `${env.A_VALUE}|${env.B_VALUE}`);
      } finally {
        await Deno.remove(file);
      }
    },
  );
});

Deno.test("exportLines() writes one line per variable, in order", () => {
  assert.deepEqual(exportLines({ A: "1", B: "x y" }), [
    "export A='1'",
    "export B='x y'",
  ]);
});

Deno.test("INHERITED_AUTH_VARIABLE names auth settings and listen address, nothing else", async (t) => {
  const inherited = [
    "FASTMCP_SERVER_AUTH",
    "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_RESOURCE_ID",
    "SCALEKIT_ENVIRONMENT_URL",
    "SCALEKIT_CLIENT_SECRET",
    "BASE_URL",
    "MCP_URL",
    "PORT",
    "HOST",
  ];
  const kept = [
    "PATH",
    "HOME",
    "MCP_PATH",
    "HOSTNAME",
    "PORTS",
    "MY_BASE_URL",
    "FASTMCP_LOG_LEVEL",
    "DENO_DIR",
  ];
  for (const name of inherited) {
    await t.step(`${name} is withheld`, () => {
      assert.match(name, INHERITED_AUTH_VARIABLE);
    });
  }
  for (const name of kept) {
    await t.step(`${name} is passed on`, () => {
      assert.doesNotMatch(name, INHERITED_AUTH_VARIABLE);
    });
  }
});
