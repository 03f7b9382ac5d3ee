import assert from "node:assert/strict";
import { Hono } from "hono";
import { createScopePolicy } from "../authz/policy.ts";
import { loadConfig } from "../config/load.ts";
import type { Config, TokenAuthConfig } from "../config/types.ts";
import type { AppEnv } from "./env.ts";
import {
  protectedResourceMetadata,
  serveResourceMetadata,
} from "./resource_metadata.ts";

function load(env: Record<string, string>): {
  config: Config;
  auth: TokenAuthConfig;
} {
  const { config } = loadConfig(env);
  assert.ok(config.auth.kind !== "none");
  return { config, auth: config.auth };
}

const SCALEKIT = {
  SCALEKIT_ENVIRONMENT_URL: "https://acme.scalekit.dev",
  SCALEKIT_RESOURCE_ID: "res_123",
  BASE_URL: "https://mcp.example.com",
};

Deno.test("protectedResourceMetadata() names the resource, its authorization server and every scope (RFC 9728 §2)", () => {
  const { config, auth } = load({
    ...SCALEKIT,
    SCALEKIT_REQUIRED_SCOPES: "openid todo:read",
  });
  const policy = createScopePolicy({ requiredScopes: auth.requiredScopes });
  const document = protectedResourceMetadata(config, auth, policy);
  assert.deepEqual(document, {
    resource: "https://mcp.example.com/mcp",
    authorization_servers: ["https://acme.scalekit.dev/resources/res_123"],
    scopes_supported: ["openid", "todo:read", "todo:write", "todo:admin"],
    bearer_methods_supported: ["header"],
  });
  assert.ok(Object.isFrozen(document));
  assert.ok(Object.isFrozen(document.authorization_servers));
  assert.ok(!("resource_name" in document));
  assert.ok(!("resource_documentation" in document));
});

Deno.test("protectedResourceMetadata() adds the optional name and documentation only when set", () => {
  const { config, auth } = load({
    ...SCALEKIT,
    MCP_RESOURCE_NAME: "Todo MCP",
    MCP_RESOURCE_DOCUMENTATION: "https://docs.example.com/mcp",
  });
  const document = protectedResourceMetadata(
    config,
    auth,
    createScopePolicy({ requiredScopes: [] }),
  );
  assert.equal(document.resource_name, "Todo MCP");
  assert.equal(document.resource_documentation, "https://docs.example.com/mcp");
});

Deno.test("protectedResourceMetadata() advertises every authorization server a JWT provider trusts", () => {
  const { config, auth } = load({
    FASTMCP_SERVER_AUTH: "jwt",
    FASTMCP_SERVER_AUTH_JWT_JWKS_URI: "https://auth.example.com/jwks.json",
    FASTMCP_SERVER_AUTH_JWT_ISSUER:
      "https://auth.example.com,https://backup.example.com",
    BASE_URL: "https://mcp.example.com",
  });
  const document = protectedResourceMetadata(
    config,
    auth,
    createScopePolicy({ requiredScopes: [] }),
  );
  assert.deepEqual(document.authorization_servers, [
    "https://auth.example.com",
    "https://backup.example.com",
  ]);
  assert.deepEqual(document.scopes_supported, [
    "todo:write",
    "todo:read",
    "todo:admin",
  ]);
});

Deno.test("serveResourceMetadata() serves the document as cacheable JSON", async () => {
  const { config, auth } = load(SCALEKIT);
  const document = protectedResourceMetadata(
    config,
    auth,
    createScopePolicy({ requiredScopes: [] }),
  );
  const app = new Hono<AppEnv>();
  app.get(
    "/.well-known/oauth-protected-resource/mcp",
    serveResourceMetadata(document),
  );
  const res = await app.request("/.well-known/oauth-protected-resource/mcp");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.deepEqual(await res.json(), document);
});
