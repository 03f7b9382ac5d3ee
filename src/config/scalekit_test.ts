import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import {
  assertMessageStyle,
  onlyProblem,
  problemsOf,
  SCALEKIT_ENV,
  warningKeys,
} from "./_testing.ts";
import type { TokenAuthConfig } from "./types.ts";

const P = "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_";

function scalekitAuth(
  env: Record<string, string | undefined>,
): TokenAuthConfig {
  const { config } = loadConfig(env);
  assert.equal(config.auth.kind, "scalekit");
  return config.auth as TokenAuthConfig;
}

Deno.test("Scalekit settings derive keys, issuers, audiences and metadata URLs", () => {
  const { config, warnings } = loadConfig({
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev/",
    SCALEKIT_RESOURCE_ID: "res_92015146095",
    BASE_URL: "https://mcp.example.com/",
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.auth, {
    kind: "scalekit",
    jwksUri: "https://acme.scalekit.dev/keys",
    issuers: [
      "https://acme.scalekit.dev",
      "https://acme.scalekit.dev/resources/res_92015146095",
    ],
    audiences: ["res_92015146095", "https://mcp.example.com/mcp"],
    algorithms: ["RS256"],
    requiredScopes: [],
    authorizationServers: [
      "https://acme.scalekit.dev/resources/res_92015146095",
    ],
    authorizationServerMetadataUrl:
      "https://acme.scalekit.dev/.well-known/oauth-authorization-server/resources/res_92015146095",
  });
  assert.equal(config.mcpUrl, "https://mcp.example.com/mcp");
  assert.equal(
    config.resourceMetadataUrl,
    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
  );
});

Deno.test("the environment URL is normalised without a trailing slash", async (t) => {
  const cases: [string, string][] = [
    ["https://acme.scalekit.dev", "https://acme.scalekit.dev"],
    ["https://acme.scalekit.dev/", "https://acme.scalekit.dev"],
    ["https://acme.scalekit.dev//", "https://acme.scalekit.dev"],
    ["HTTPS://Acme.Scalekit.DEV", "https://acme.scalekit.dev"],
    ["https://acme.scalekit.dev:443/", "https://acme.scalekit.dev"],
    ["http://127.0.0.1:4455/", "http://127.0.0.1:4455"],
    ["https://auth.example.com/sk/", "https://auth.example.com/sk"],
  ];
  for (const [raw, expected] of cases) {
    await t.step(raw, () => {
      const auth = scalekitAuth({
        ...SCALEKIT_ENV,
        SCALEKIT_ENVIRONMENT_URL: raw,
      });
      assert.equal(auth.jwksUri, `${expected}/keys`);
      assert.equal(auth.issuers[0], expected);
    });
  }
});

Deno.test("FastMCP's prefixed Scalekit names win over the plain names", async (t) => {
  const env = {
    [`${P}ENVIRONMENT_URL`]: "https://prefixed.scalekit.dev",
    SCALEKIT_ENVIRONMENT_URL: "https://plain.scalekit.dev",
    [`${P}RESOURCE_ID`]: "res_prefixed",
    SCALEKIT_RESOURCE_ID: "res_plain",
    [`${P}BASE_URL`]: "https://prefixed.example.com",
    BASE_URL: "https://plain.example.com",
    [`${P}REQUIRED_SCOPES`]: "prefixed",
    SCALEKIT_REQUIRED_SCOPES: "plain",
  };
  await t.step("all prefixed set", () => {
    const { config } = loadConfig(env);
    const auth = config.auth as TokenAuthConfig;
    assert.equal(auth.issuers[0], "https://prefixed.scalekit.dev");
    assert.equal(auth.audiences[0], "res_prefixed");
    assert.equal(config.mcpUrl, "https://prefixed.example.com/mcp");
    assert.deepEqual(auth.requiredScopes, ["prefixed"]);
  });
  await t.step("empty prefixed values fall back to the plain names", () => {
    const { config } = loadConfig({
      ...env,
      [`${P}ENVIRONMENT_URL`]: "",
      [`${P}RESOURCE_ID`]: "  ",
      [`${P}BASE_URL`]: "",
      [`${P}REQUIRED_SCOPES`]: "",
    });
    const auth = config.auth as TokenAuthConfig;
    assert.equal(auth.issuers[0], "https://plain.scalekit.dev");
    assert.equal(auth.audiences[0], "res_plain");
    assert.equal(config.mcpUrl, "https://plain.example.com/mcp");
    assert.deepEqual(auth.requiredScopes, ["plain"]);
  });
});

Deno.test("FastMCP's documented Scalekit .env works as is", () => {
  const { config, warnings } = loadConfig({
    FASTMCP_SERVER_AUTH:
      "fastmcp.server.auth.providers.scalekit.ScalekitProvider",
    [`${P}ENVIRONMENT_URL`]: "https://your-env.scalekit.com",
    [`${P}RESOURCE_ID`]: "res_456",
    [`${P}BASE_URL`]: "https://your-server.com/",
    [`${P}REQUIRED_SCOPES`]: "read,write",
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.mcpUrl, "https://your-server.com/mcp");
  assert.deepEqual(config.auth.requiredScopes, ["read", "write"]);
});

Deno.test("required scopes accept FastMCP's list spellings", async (t) => {
  for (
    const raw of ["read,write", "read write", "read, write", '["read","write"]']
  ) {
    await t.step(raw, () => {
      const auth = scalekitAuth({
        ...SCALEKIT_ENV,
        SCALEKIT_REQUIRED_SCOPES: raw,
      });
      assert.deepEqual(auth.requiredScopes, ["read", "write"]);
    });
  }
});

Deno.test("malformed required scopes are a problem naming the variable read", async (t) => {
  for (const variable of [`${P}REQUIRED_SCOPES`, "SCALEKIT_REQUIRED_SCOPES"]) {
    await t.step(variable, () => {
      const problem = onlyProblem({ ...SCALEKIT_ENV, [variable]: '["read",' });
      assert.equal(problem.variable, variable);
      assert.ok(problem.message.startsWith(`${variable} starts with "["`));
    });
  }
});

Deno.test("MCP_URL is a deprecated alias of BASE_URL with one warning", async (t) => {
  const base = {
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
    SCALEKIT_RESOURCE_ID: "res_1",
  };
  const cases: {
    name: string;
    env: Record<string, string>;
    baseUrl: string;
    warning: string;
    replacement: RegExp;
  }[] = [
    {
      name: "plain MCP_URL alone is used",
      env: { MCP_URL: "https://legacy.example.com" },
      baseUrl: "https://legacy.example.com",
      warning: "deprecated_variable:MCP_URL",
      replacement: /rename it to BASE_URL$/,
    },
    {
      name: "prefixed MCP_URL alone is used",
      env: { [`${P}MCP_URL`]: "https://legacy.example.com" },
      baseUrl: "https://legacy.example.com",
      warning: `deprecated_variable:${P}MCP_URL`,
      replacement: new RegExp(`rename it to ${P}BASE_URL$`),
    },
    {
      name: "both MCP_URLs: the prefixed one is used and named",
      env: {
        [`${P}MCP_URL`]: "https://prefixed.example.com",
        MCP_URL: "https://plain.example.com",
      },
      baseUrl: "https://prefixed.example.com",
      warning: `deprecated_variable:${P}MCP_URL`,
      replacement: new RegExp(`rename it to ${P}BASE_URL$`),
    },
    {
      name: "BASE_URL wins over MCP_URL",
      env: {
        BASE_URL: "https://new.example.com",
        MCP_URL: "https://legacy.example.com",
      },
      baseUrl: "https://new.example.com",
      warning: "deprecated_variable:MCP_URL",
      replacement: /ignored because BASE_URL is set; remove it$/,
    },
    {
      name: "plain BASE_URL wins over prefixed MCP_URL",
      env: {
        BASE_URL: "https://new.example.com",
        [`${P}MCP_URL`]: "https://legacy.example.com",
      },
      baseUrl: "https://new.example.com",
      warning: `deprecated_variable:${P}MCP_URL`,
      replacement: /ignored because BASE_URL is set/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const { config, warnings } = loadConfig({ ...base, ...c.env });
      assert.equal(config.mcpUrl, `${c.baseUrl}/mcp`);
      assert.deepEqual(warningKeys(warnings), [c.warning]);
      assert.match(warnings[0].message, c.replacement);
      assertMessageStyle(warnings[0].message);
    });
  }
});

Deno.test("an MCP_URL ending in /mcp is not doubled", () => {
  const { config, warnings } = loadConfig({
    SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
    SCALEKIT_RESOURCE_ID: "res_1",
    MCP_URL: "http://localhost:3002/mcp",
  });
  assert.equal(config.mcpUrl, "http://localhost:3002/mcp");
  assert.deepEqual(warningKeys(warnings), [
    "deprecated_variable:MCP_URL",
    "mcp_path_in_base_url:MCP_URL",
  ]);
});

Deno.test("a Scalekit client id is accepted, ignored and warned about once", async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ SCALEKIT_CLIENT_ID: "skc_1" }, "SCALEKIT_CLIENT_ID"],
    [{ [`${P}CLIENT_ID`]: "skc_1" }, `${P}CLIENT_ID`],
    [
      { [`${P}CLIENT_ID`]: "skc_1", SCALEKIT_CLIENT_ID: "skc_2" },
      `${P}CLIENT_ID`,
    ],
  ];
  for (const [extra, variable] of cases) {
    await t.step(Object.keys(extra).join(" + "), () => {
      const { config, warnings } = loadConfig({ ...SCALEKIT_ENV, ...extra });
      assert.deepEqual(warningKeys(warnings), [`ignored_variable:${variable}`]);
      assert.doesNotMatch(warnings[0].message, /skc_/);
      assert.ok(!JSON.stringify(config).includes("skc_"));
    });
  }
});

Deno.test("missing Scalekit settings are all reported, each naming both variables", () => {
  const problems = problemsOf({ FASTMCP_SERVER_AUTH: "scalekit" });
  assert.deepEqual(problems.map((p) => p.variable), [
    `${P}ENVIRONMENT_URL`,
    `${P}RESOURCE_ID`,
    `${P}BASE_URL`,
  ]);
  assert.match(
    problems[2].message,
    new RegExp(`^Set ${P}BASE_URL or BASE_URL `),
  );
  assert.match(
    problems[0].message,
    new RegExp(`^Set ${P}ENVIRONMENT_URL or SCALEKIT_ENVIRONMENT_URL `),
  );
  assert.match(
    problems[1].message,
    new RegExp(
      `^Set ${P}RESOURCE_ID or SCALEKIT_RESOURCE_ID to your resource id \\(res_…\\)`,
    ),
  );
  for (const p of problems) assertMessageStyle(p.message);
});

Deno.test("a blank or malformed resource id is a problem", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["", `${P}RESOURCE_ID`, /^Set .* to your resource id/],
    ["   ", `${P}RESOURCE_ID`, /^Set .* to your resource id/],
    ["\t\n", `${P}RESOURCE_ID`, /^Set .* to your resource id/],
    [
      "res 1",
      "SCALEKIT_RESOURCE_ID",
      /must be a Scalekit resource id .* not "res 1"/,
    ],
    ["res_1/../x", "SCALEKIT_RESOURCE_ID", /must be a Scalekit resource id/],
    ["res_1?x", "SCALEKIT_RESOURCE_ID", /must be a Scalekit resource id/],
  ];
  for (const [value, variable, pattern] of cases) {
    await t.step(JSON.stringify(value), () => {
      const problem = onlyProblem({
        ...SCALEKIT_ENV,
        SCALEKIT_RESOURCE_ID: value,
      });
      assert.equal(problem.variable, variable);
      assert.match(problem.message, pattern);
    });
  }
});

Deno.test("an unusable environment URL is a problem naming the variable read", async (t) => {
  const cases: [string, RegExp][] = [
    ["acme.scalekit.dev", /must be an absolute URL starting with "https:\/\/"/],
    ["ftp://acme.scalekit.dev", /must use http or https, not "ftp"/],
    ["https://acme.scalekit.dev/?x=1", /must not have a query or fragment/],
    ["https://acme.scalekit.dev/#x", /must not have a query or fragment/],
    [
      "https://user:pw@acme.scalekit.dev",
      /must not contain a user name or password/,
    ],
  ];
  for (const [value, pattern] of cases) {
    await t.step(value, () => {
      const problem = onlyProblem({
        ...SCALEKIT_ENV,
        SCALEKIT_ENVIRONMENT_URL: value,
      });
      assert.equal(problem.variable, "SCALEKIT_ENVIRONMENT_URL");
      assert.ok(problem.message.startsWith("SCALEKIT_ENVIRONMENT_URL "));
      assert.match(problem.message, pattern);
    });
  }
});

Deno.test("an environment URL on plain http is accepted without a warning (local mock issuers)", () => {
  const { warnings } = loadConfig({
    ...SCALEKIT_ENV,
    SCALEKIT_ENVIRONMENT_URL: "http://127.0.0.1:4455",
  });
  assert.deepEqual(warnings, []);
});
