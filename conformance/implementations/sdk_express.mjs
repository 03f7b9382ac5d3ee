// The MCP TypeScript SDK v2 as its docs wire a resource server:
// @modelcontextprotocol/express (requireBearerAuth, mcpAuthMetadataRouter,
// createMcpExpressApp) in front of createMcpHandler, and the server's own
// scope challenges per tool (registerTool's scopeChallenge: requireScopes).
import {
  createMcpExpressApp,
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
  requireBearerAuth,
} from "@modelcontextprotocol/express";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  createMcpHandler,
  McpServer,
  OAuthError,
  OAuthErrorCode,
  requireScopes,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { BASE_URL, ENVIRONMENT, PORT, RESOURCE_ID, verifyJwt } from "./_verify.mjs";

const mcpUrl = new URL(`${BASE_URL}/mcp`);
const issuer = `${ENVIRONMENT}/resources/${RESOURCE_ID}`;
const oauthMetadata = await (await fetch(
  `${ENVIRONMENT}/.well-known/oauth-authorization-server/resources/${RESOURCE_ID}`,
)).json();
const todos = new Map();

const handler = createMcpHandler((ctx) => {
  const subject = String(ctx.authInfo?.extra?.subject ?? "anonymous");
  const mine = () => todos.get(subject) ?? [];
  const server = new McpServer({ name: "sdk-express-todo", version: "1.0.0" });
  server.registerTool("create_todo", {
    inputSchema: z.object({ title: z.string() }),
    scopeChallenge: requireScopes("todo:write"),
  }, ({ title }) => {
    todos.set(subject, [...mine(), title]);
    return { content: [{ type: "text", text: `Created ${title}` }] };
  });
  server.registerTool("list_todos", {
    inputSchema: z.object({}),
    scopeChallenge: requireScopes("todo:read"),
  }, () => ({
    content: [{ type: "text", text: JSON.stringify(mine()) }],
  }));
  return server;
});

process.env.MCP_DANGEROUSLY_ALLOW_INSECURE_ISSUER_URL = "true";
const app = createMcpExpressApp({ host: "127.0.0.1" });
app.use(mcpAuthMetadataRouter({
  oauthMetadata: { ...oauthMetadata, issuer },
  resourceServerUrl: mcpUrl,
  scopesSupported: ["todo:read", "todo:write"],
}));
const auth = requireBearerAuth({
  verifier: {
    async verifyAccessToken(token) {
      try {
        return await verifyJwt(token);
      } catch (error) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, error.message);
      }
    },
  },
  resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
});
const node = toNodeHandler(handler);
app.all("/mcp", auth, (req, res) => void node(req, res, req.body));
app.listen(PORT, "127.0.0.1");
