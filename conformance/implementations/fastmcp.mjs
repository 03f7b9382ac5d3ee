// punkpeye's fastmcp as its README wires a resource server: the oauth
// discovery option (protected resource metadata naming the Scalekit
// resource's authorization server), an authenticate function that verifies
// the JWT and throws a 401 Response otherwise, and canAccess per tool.
import { FastMCP } from "fastmcp";
import { z } from "zod";
import { BASE_URL, ENVIRONMENT, PORT, RESOURCE_ID, verifyJwt } from "./_verify.mjs";

const issuer = `${ENVIRONMENT}/resources/${RESOURCE_ID}`;
const metadata = await (await fetch(
  `${ENVIRONMENT}/.well-known/oauth-authorization-server/resources/${RESOURCE_ID}`,
)).json();
const todos = new Map();
const has = (session, scope) => session?.scopes?.includes(scope) ?? false;

const server = new FastMCP({
  name: "fastmcp-todo",
  version: "1.0.0",
  oauth: {
    enabled: true,
    authorizationServer: {
      issuer,
      authorizationEndpoint: metadata.authorization_endpoint,
      tokenEndpoint: metadata.token_endpoint,
      jwksUri: metadata.jwks_uri,
      responseTypesSupported: ["code"],
    },
    protectedResource: {
      resource: `${BASE_URL}/mcp`,
      authorizationServers: [issuer],
      scopesSupported: ["todo:read", "todo:write"],
    },
  },
  authenticate: async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith("Bearer ")) {
      throw new Response(null, { status: 401, statusText: "Missing token" });
    }
    try {
      const auth = await verifyJwt(header.slice(7));
      return { subject: auth.extra.subject, scopes: auth.scopes };
    } catch {
      throw new Response(null, { status: 401, statusText: "Invalid token" });
    }
  },
});

server.addTool({
  name: "create_todo",
  parameters: z.object({ title: z.string() }),
  canAccess: (session) => has(session, "todo:write"),
  execute: async ({ title }, { session }) => {
    todos.set(session.subject, [...(todos.get(session.subject) ?? []), title]);
    return `Created ${title}`;
  },
});
server.addTool({
  name: "list_todos",
  parameters: z.object({}),
  canAccess: (session) => has(session, "todo:read"),
  execute: async (_, { session }) => JSON.stringify(todos.get(session.subject) ?? []),
});

await server.start({
  transportType: "httpStream",
  httpStream: { port: PORT, host: "127.0.0.1", endpoint: "/mcp", stateless: true },
});
