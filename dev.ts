/**
 * `deno task dev`: a complete local OAuth setup with no Scalekit account.
 * Starts the mock Scalekit issuer (keys and registered clients kept in
 * `.dev/`, so a restart does not break a client's registration) and this
 * server wired to it, then prints how to connect MCP Inspector.
 *
 * Its own variables are `DEV_SETTINGS` (`PORT`, `MOCK_ISSUER_PORT`,
 * `DEV_STATE_DIR`, `DEV_CONSENT`), read like every other setting; any server
 * variable from the README may be added (`LOG_LEVEL`, `MCP_SCOPE_DENIAL`, …).
 * The mock's login shows a consent page unless `DEV_CONSENT=auto`.
 *
 * @module
 */

import { startMockIssuer } from "./conformance/issuer/mod.ts";
import { readEnv } from "./src/config/env_file.ts";
import { ConfigError } from "./src/config/errors.ts";
import { loadSettings } from "./src/config/settings.ts";
import { AUTH_SETTINGS, DEV_SETTINGS } from "./src/config/table.ts";
import { EXIT_CONFIG, stopSignal } from "./src/lifecycle.ts";
import { serve } from "./src/serve.ts";

/** The resource id dev mode registers. */
export const DEV_RESOURCE_ID = "res_dev";
/** The scopes the dev resource defines: every scope the todo tools use. */
export const DEV_SCOPES = ["todo:read", "todo:write", "todo:admin"] as const;
/** The user the mock logs in, shown on its consent page. */
export const DEV_USER = Object.freeze({
  id: "usr_dev",
  organizationId: "org_dev",
  email: "dev@example.com",
});
/** The MCP Inspector release the instructions (and the browser test) use. */
export const INSPECTOR_VERSION = "2.12.0";

async function main(): Promise<number> {
  const env = readEnv();
  let settings;
  try {
    settings = loadSettings(DEV_SETTINGS, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_CONFIG;
  }
  const { port, mockIssuerPort, stateDir, consent } = settings;
  const baseUrl = `http://localhost:${port}`;
  await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });

  const issuer = await startMockIssuer({
    port: mockIssuerPort,
    statePath: `${stateDir}/mock-issuer.json`,
    resources: [{
      id: DEV_RESOURCE_ID,
      url: `${baseUrl}/mcp`,
      scopes: DEV_SCOPES,
    }],
    user: DEV_USER,
    consent,
  });
  const stop = stopSignal();
  try {
    // Under the names read first, so a FastMCP .env cannot point dev mode
    // at a real environment.
    return await serve({
      ...env,
      FASTMCP_SERVER_AUTH: "scalekit",
      [AUTH_SETTINGS.environmentUrl.fastmcp]: issuer.url,
      [AUTH_SETTINGS.resourceId.fastmcp]: DEV_RESOURCE_ID,
      [AUTH_SETTINGS.scalekitBaseUrl.fastmcp]: baseUrl,
      PORT: String(port),
      // Dev mode runs every client on this machine: loopback is not limited.
      MCP_RATE_LIMIT_LOOPBACK: env.MCP_RATE_LIMIT_LOOPBACK ?? "false",
    }, {
      stop,
      onReady: (config) =>
        console.error(
          instructions(config.mcpUrl, issuer.url, issuer.user.id, consent),
        ),
    });
  } finally {
    await issuer.close();
  }
}

/** What a newcomer reads: how to go through the OAuth flow with MCP Inspector. */
export function instructions(
  mcpUrl: string,
  issuerUrl: string,
  user: string,
  consent: "prompt" | "auto" = "prompt",
): string {
  const login = consent === "prompt"
    ? `sends you to the mock's consent page (user ${user}, organisation
     ${DEV_USER.organizationId}, the scopes as checkboxes): click "Allow".`
    : `the mock logs you in as ${user} at once
     (DEV_CONSENT=auto).`;
  return `
mcp-scalekit dev mode is ready.

  MCP endpoint:            ${mcpUrl}
  Mock Scalekit issuer:    ${issuerUrl}  (resource ${DEV_RESOURCE_ID}, user ${user})
  Scopes:                  ${DEV_SCOPES.join(" ")}

Connect MCP Inspector ${INSPECTOR_VERSION} (it needs Node 22.19 or later):
  1. In another terminal: npx -y @modelcontextprotocol/inspector@${INSPECTOR_VERSION}
     and open the URL it prints (http://localhost:6274/?MCP_INSPECTOR_API_TOKEN=…).
  2. Click "Add Servers", "Add manually". Server ID: mcp-scalekit,
     Transport: streamable-http, URL: ${mcpUrl}. Click "Add".
  3. Turn on the server's switch. The Inspector reads the 401 challenge,
     discovers the issuer, registers itself, and ${login}
  4. Open "Tools" (listed on connect): call create_todo, list_todos, whoami…

To see step-up authorization, untick todo:write on the consent page, then
call create_todo: the server answers 403 insufficient_scope and the Inspector
sends you back to the consent page for todo:write.

Registered clients and signing keys are kept in the dev state directory, so
restarting dev mode keeps the Inspector's registration. Stop with Ctrl+C.
`;
}

if (import.meta.main) {
  Deno.exit(await main());
}
