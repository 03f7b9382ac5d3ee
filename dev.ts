/**
 * `deno task dev`: a complete local OAuth setup with no Scalekit account.
 * Starts the mock Scalekit issuer (keys and registered clients kept in
 * `.dev/`, so a restart does not break a client's registration) and this
 * server wired to it, then prints how to connect MCP Inspector.
 *
 * Its own variables are `DEV_SETTINGS` (`PORT`, `MOCK_ISSUER_PORT`,
 * `DEV_STATE_DIR`), read like every other setting; any server variable from
 * the README may be added (`LOG_LEVEL`, `MCP_SCOPE_DENIAL`, …).
 *
 * @module
 */

import { startMockIssuer } from "./conformance/issuer/mod.ts";
import { readEnv } from "./src/config/env_file.ts";
import { ConfigError } from "./src/config/errors.ts";
import { loadSettings } from "./src/config/settings.ts";
import { AUTH_SETTINGS, DEV_SETTINGS } from "./src/config/table.ts";
import { EXIT_CONFIG, serve, stopSignal } from "./src/serve.ts";

/** The resource id dev mode registers. */
export const DEV_RESOURCE_ID = "res_dev";
/** The scopes the dev resource defines: every scope the todo tools use. */
export const DEV_SCOPES = ["todo:read", "todo:write", "todo:admin"] as const;

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
  const { port, mockIssuerPort, stateDir } = settings;
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
        console.error(instructions(config.mcpUrl, issuer.url, issuer.user.id)),
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
): string {
  return `
mcp-scalekit dev mode is ready.

  MCP endpoint:            ${mcpUrl}
  Mock Scalekit issuer:    ${issuerUrl}  (resource ${DEV_RESOURCE_ID}, user ${user})
  Scopes:                  ${DEV_SCOPES.join(" ")}

Connect MCP Inspector (it runs the whole OAuth flow against the mock issuer):
  1. In another terminal: npx @modelcontextprotocol/inspector
  2. In the Inspector page: Transport Type "Streamable HTTP", URL ${mcpUrl}
  3. Leave authentication empty and click "Connect". The Inspector reads the
     401 challenge, discovers the issuer, registers itself, and opens the
     login page; the mock logs you in as ${user} and consents at once.
  4. Open "Tools", "List Tools", then call create_todo, list_todos, whoami…

Registered clients and signing keys are kept in the dev state directory, so
restarting dev mode keeps the Inspector's registration. Stop with Ctrl+C.
`;
}

if (import.meta.main) {
  Deno.exit(await main());
}
