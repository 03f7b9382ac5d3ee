import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import {
  assertMessageStyle,
  JWT_ENV,
  onlyProblem,
  problemsOf,
  problemVariables,
} from "./_testing.ts";
import type { TokenAuthConfig } from "./types.ts";

const J = "FASTMCP_SERVER_AUTH_JWT_";

function jwtAuth(env: Record<string, string | undefined>): TokenAuthConfig {
  const { config } = loadConfig(env);
  assert.equal(config.auth.kind, "jwt");
  return config.auth as TokenAuthConfig;
}

Deno.test("the JWT provider defaults the audience to the MCP endpoint URL (RFC 8707)", () => {
  const { config, warnings } = loadConfig(JWT_ENV);
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.auth, {
    kind: "jwt",
    jwksUri: "https://auth.example.com/jwks.json",
    issuers: ["https://auth.example.com"],
    audiences: ["https://mcp.example.com/mcp"],
    algorithms: ["RS256"],
    requiredScopes: [],
    authorizationServers: ["https://auth.example.com"],
    authorizationServerMetadataUrl:
      "https://auth.example.com/.well-known/oauth-authorization-server",
  });
});

Deno.test("JWT list settings take commas, whitespace or JSON", async (t) => {
  const cases: [string, string, keyof TokenAuthConfig, string[]][] = [
    ["ISSUER", "https://a.example, https://b.example", "issuers", [
      "https://a.example",
      "https://b.example",
    ]],
    ["ISSUER", '["https://a.example","https://b.example"]', "issuers", [
      "https://a.example",
      "https://b.example",
    ]],
    ["AUDIENCE", "api://mcp res_1", "audiences", ["api://mcp", "res_1"]],
    ["AUDIENCE", '["api://mcp"]', "audiences", ["api://mcp"]],
    ["ALGORITHM", "RS256,ES256", "algorithms", ["RS256", "ES256"]],
    ["ALGORITHM", "rs256 eddsa PS512", "algorithms", [
      "RS256",
      "EdDSA",
      "PS512",
    ]],
    ["ALGORITHM", '["ES384"]', "algorithms", ["ES384"]],
    ["ALGORITHM", "RS256, rs256", "algorithms", ["RS256"]],
    ["REQUIRED_SCOPES", "read, write", "requiredScopes", ["read", "write"]],
    [
      "AUTHORIZATION_SERVERS",
      "https://as.example/tenant https://as2.example",
      "authorizationServers",
      [
        "https://as.example/tenant",
        "https://as2.example",
      ],
    ],
  ];
  for (const [name, raw, field, expected] of cases) {
    await t.step(`${name}=${raw}`, () => {
      const auth = jwtAuth({ ...JWT_ENV, [`${J}${name}`]: raw });
      assert.deepEqual(auth[field], expected);
    });
  }
});

Deno.test("every allowed JWT algorithm is accepted", async (t) => {
  for (
    const alg of [
      "RS256",
      "RS384",
      "RS512",
      "PS256",
      "PS384",
      "PS512",
      "ES256",
      "ES384",
      "ES512",
      "EdDSA",
    ]
  ) {
    await t.step(alg, () => {
      assert.deepEqual(
        jwtAuth({ ...JWT_ENV, [`${J}ALGORITHM`]: alg }).algorithms,
        [alg],
      );
    });
  }
});

Deno.test("symmetric, unsigned and unknown JWT algorithms are problems", async (t) => {
  const cases: [string, RegExp][] = [
    ["none", /must not include "none": only asymmetric algorithms/],
    ["NONE", /must not include "NONE"/],
    ["HS256", /must not include "HS256": only asymmetric algorithms/],
    ["hs512", /must not include "hs512"/],
    ["RS1", /unsupported algorithm "RS1"; use one or more of RS256/],
    ["ES256K", /unsupported algorithm "ES256K"/],
  ];
  for (const [alg, pattern] of cases) {
    await t.step(alg, () => {
      const problem = onlyProblem({
        ...JWT_ENV,
        [`${J}ALGORITHM`]: `RS256,${alg}`,
      });
      assert.equal(problem.variable, `${J}ALGORITHM`);
      assert.match(problem.message, pattern);
      assertMessageStyle(problem.message);
    });
  }
  await t.step("each bad algorithm is named", () => {
    assert.deepEqual(
      problemVariables({ ...JWT_ENV, [`${J}ALGORITHM`]: "HS256 none" }),
      [
        `${J}ALGORITHM`,
        `${J}ALGORITHM`,
      ],
    );
  });
});

Deno.test("the JWKS URI and the issuer are required", () => {
  const problems = problemsOf({ FASTMCP_SERVER_AUTH: "jwt" });
  assert.deepEqual(problems.map((p) => p.variable), [
    `${J}JWKS_URI`,
    `${J}ISSUER`,
  ]);
  assert.match(problems[0].message, new RegExp(`^Set ${J}JWKS_URI `));
  assert.match(problems[1].message, new RegExp(`^Set ${J}ISSUER `));
});

Deno.test("an unusable JWKS URI is a problem", async (t) => {
  const cases: [string, RegExp][] = [
    ["auth.example.com/jwks", /must be an absolute URL/],
    ["file:///keys.json", /must use http or https, not "file"/],
    [
      "https://u:p@auth.example.com/jwks",
      /must not contain a user name or password/,
    ],
  ];
  for (const [value, pattern] of cases) {
    await t.step(value, () => {
      const problem = onlyProblem({ ...JWT_ENV, [`${J}JWKS_URI`]: value });
      assert.equal(problem.variable, `${J}JWKS_URI`);
      assert.match(problem.message, pattern);
    });
  }
  await t.step("a query is allowed", () => {
    const auth = jwtAuth({
      ...JWT_ENV,
      [`${J}JWKS_URI`]: "https://a.example/keys?tenant=1",
    });
    assert.equal(auth.jwksUri, "https://a.example/keys?tenant=1");
  });
});

Deno.test("issuers are kept exactly as written, trailing slash included", () => {
  const auth = jwtAuth({
    ...JWT_ENV,
    [`${J}ISSUER`]: "https://tenant.auth0.com/",
  });
  assert.deepEqual(auth.issuers, ["https://tenant.auth0.com/"]);
  assert.deepEqual(auth.authorizationServers, ["https://tenant.auth0.com/"]);
  assert.equal(
    auth.authorizationServerMetadataUrl,
    "https://tenant.auth0.com/.well-known/oauth-authorization-server",
  );
});

Deno.test("authorization server metadata uses RFC 8414 §3.1 path insertion", () => {
  const auth = jwtAuth({
    ...JWT_ENV,
    [`${J}AUTHORIZATION_SERVERS`]:
      "https://sso.example.com/realms/main https://other.example",
  });
  assert.equal(
    auth.authorizationServerMetadataUrl,
    "https://sso.example.com/.well-known/oauth-authorization-server/realms/main",
  );
});

Deno.test("an issuer that is not a URL needs explicit authorization servers", async (t) => {
  await t.step("without them it is a problem", () => {
    const problem = onlyProblem({ ...JWT_ENV, [`${J}ISSUER`]: "my-issuer" });
    assert.equal(problem.variable, `${J}ISSUER`);
    assert.match(problem.message, new RegExp(`set ${J}AUTHORIZATION_SERVERS`));
  });
  await t.step("with them it is accepted as is", () => {
    const auth = jwtAuth({
      ...JWT_ENV,
      [`${J}ISSUER`]: "my-issuer",
      [`${J}AUTHORIZATION_SERVERS`]: "https://as.example.com",
    });
    assert.deepEqual(auth.issuers, ["my-issuer"]);
    assert.deepEqual(auth.authorizationServers, ["https://as.example.com"]);
  });
});

Deno.test("authorization servers must be http(s) URLs without query or fragment", async (t) => {
  for (
    const value of [
      "as.example.com",
      "ftp://as.example.com",
      "https://as.example.com/?a=1",
    ]
  ) {
    await t.step(value, () => {
      const problem = onlyProblem({
        ...JWT_ENV,
        [`${J}AUTHORIZATION_SERVERS`]: value,
      });
      assert.equal(problem.variable, `${J}AUTHORIZATION_SERVERS`);
    });
  }
});

Deno.test("malformed JWT lists are problems naming their variable", async (t) => {
  for (
    const name of [
      "ISSUER",
      "AUDIENCE",
      "ALGORITHM",
      "REQUIRED_SCOPES",
      "AUTHORIZATION_SERVERS",
    ]
  ) {
    await t.step(name, () => {
      const problem = onlyProblem({ ...JWT_ENV, [`${J}${name}`]: "[oops" });
      assert.equal(problem.variable, `${J}${name}`);
      assert.match(problem.message, /not a valid JSON array/);
    });
  }
});

Deno.test("a static public key is not a key source: the JWKS URI is still required", () => {
  const { [`${J}JWKS_URI`]: _, ...env } = JWT_ENV;
  const problem = onlyProblem({
    ...env,
    [`${J}PUBLIC_KEY`]: "-----BEGIN PUBLIC KEY-----",
  });
  assert.equal(problem.variable, `${J}JWKS_URI`);
  assert.match(problem.message, /a static public key is not supported$/);
  assert.doesNotMatch(problem.message, /BEGIN/);
});

Deno.test("the JWT base URL falls back to BASE_URL, then to HOST and PORT", async (t) => {
  const base = {
    FASTMCP_SERVER_AUTH: "jwt",
    [`${J}JWKS_URI`]: "https://auth.example.com/jwks.json",
    [`${J}ISSUER`]: "https://auth.example.com",
  };
  const cases: [string, Record<string, string>, string][] = [
    ["prefixed wins", {
      [`${J}BASE_URL`]: "https://prefixed.example.com",
      BASE_URL: "https://plain.example.com",
    }, "https://prefixed.example.com/mcp"],
    [
      "plain BASE_URL",
      { BASE_URL: "https://plain.example.com" },
      "https://plain.example.com/mcp",
    ],
    ["defaults", {}, "http://127.0.0.1:3002/mcp"],
    [
      "HOST and PORT",
      { HOST: "localhost", PORT: "8080" },
      "http://localhost:8080/mcp",
    ],
    ["HOST 0.0.0.0", { HOST: "0.0.0.0" }, "http://localhost:3002/mcp"],
    ["HOST ::", { HOST: "::" }, "http://localhost:3002/mcp"],
    ["HOST ::1", { HOST: "::1" }, "http://[::1]:3002/mcp"],
    ["MCP_URL is Scalekit's alias only", {
      MCP_URL: "https://legacy.example.com",
    }, "http://127.0.0.1:3002/mcp"],
  ];
  for (const [name, extra, mcpUrl] of cases) {
    await t.step(name, () => {
      const { config } = loadConfig({ ...base, ...extra });
      assert.equal(config.mcpUrl, mcpUrl);
      assert.deepEqual(config.auth.kind === "jwt" && config.auth.audiences, [
        mcpUrl,
      ]);
    });
  }
  await t.step("PORT 0 without a base URL is a problem", () => {
    const problem = onlyProblem({ ...base, PORT: "0" });
    assert.equal(problem.variable, `${J}BASE_URL`);
    assert.match(problem.message, /PORT is 0/);
  });
  await t.step("PORT 0 with a base URL is fine", () => {
    const { config } = loadConfig({
      ...base,
      PORT: "0",
      BASE_URL: "http://127.0.0.1:9999",
    });
    assert.equal(config.port, 0);
    assert.equal(config.mcpUrl, "http://127.0.0.1:9999/mcp");
  });
});
