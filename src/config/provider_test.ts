import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { JWT_ENV, onlyProblem, SCALEKIT_ENV } from "./_testing.ts";

Deno.test("FASTMCP_SERVER_AUTH selects the provider, in any case", async (t) => {
  const cases: [string, "scalekit" | "jwt" | "none"][] = [
    ["fastmcp.server.auth.providers.scalekit.ScalekitProvider", "scalekit"],
    ["FASTMCP.SERVER.AUTH.PROVIDERS.SCALEKIT.SCALEKITPROVIDER", "scalekit"],
    ["scalekit", "scalekit"],
    ["Scalekit", "scalekit"],
    ["  scalekit  ", "scalekit"],
    ["fastmcp.server.auth.providers.jwt.JWTVerifier", "jwt"],
    ["fastmcp.server.auth.providers.jwt.jwtverifier", "jwt"],
    ["jwt", "jwt"],
    ["JWT", "jwt"],
    ["none", "none"],
    ["NONE", "none"],
  ];
  for (const [value, kind] of cases) {
    await t.step(`${value} → ${kind}`, () => {
      const env = kind === "jwt" ? JWT_ENV : SCALEKIT_ENV;
      const { config } = loadConfig({ ...env, FASTMCP_SERVER_AUTH: value });
      assert.equal(config.auth.kind, kind);
    });
  }
});

Deno.test("an unset FASTMCP_SERVER_AUTH means Scalekit when an environment URL is set", async (t) => {
  for (
    const name of [
      "SCALEKIT_ENVIRONMENT_URL",
      "FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_ENVIRONMENT_URL",
    ]
  ) {
    await t.step(name, () => {
      const { config } = loadConfig({
        [name]: "https://acme.scalekit.dev",
        SCALEKIT_RESOURCE_ID: "res_1",
        BASE_URL: "https://mcp.example.com",
      });
      assert.equal(config.auth.kind, "scalekit");
    });
  }
  await t.step("an empty FASTMCP_SERVER_AUTH counts as unset", () => {
    const { config } = loadConfig({ ...SCALEKIT_ENV, FASTMCP_SERVER_AUTH: "" });
    assert.equal(config.auth.kind, "scalekit");
  });
});

Deno.test("no FASTMCP_SERVER_AUTH and no environment URL is a problem saying what to set", async (t) => {
  const cases: Record<string, string | undefined>[] = [
    {},
    { SCALEKIT_ENVIRONMENT_URL: "" },
    { SCALEKIT_ENVIRONMENT_URL: "   ", FASTMCP_SERVER_AUTH: " " },
    { SCALEKIT_RESOURCE_ID: "res_1", BASE_URL: "https://mcp.example.com" },
  ];
  for (const env of cases) {
    await t.step(JSON.stringify(env), () => {
      const problem = onlyProblem(env);
      assert.equal(problem.variable, "FASTMCP_SERVER_AUTH");
      assert.match(problem.message, /Set FASTMCP_SERVER_AUTH /);
      assert.match(problem.message, /SCALEKIT_ENVIRONMENT_URL/);
    });
  }
});

Deno.test("an unknown FASTMCP_SERVER_AUTH is a problem listing the accepted values", () => {
  const problem = onlyProblem({
    ...SCALEKIT_ENV,
    FASTMCP_SERVER_AUTH: "fastmcp.server.auth.providers.github.GitHubProvider",
  });
  assert.equal(problem.variable, "FASTMCP_SERVER_AUTH");
  for (
    const accepted of [
      '"fastmcp.server.auth.providers.scalekit.ScalekitProvider"',
      '"scalekit"',
      '"fastmcp.server.auth.providers.jwt.JWTVerifier"',
      '"jwt"',
      '"none"',
      '"fastmcp.server.auth.providers.github.GitHubProvider"',
    ]
  ) {
    assert.ok(problem.message.includes(accepted), accepted);
  }
});
