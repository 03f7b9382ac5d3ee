// The reference server of `deno task bench:http`: an MCP resource server
// wired the way the Scalekit Express guide wires one. Express, the MCP
// TypeScript SDK (the 1.x line the guide was written against; a fresh
// server and a stateless Streamable HTTP transport per request), `cors()`,
// a hand-written bearer middleware that verifies the token with jose
// against the environment's keys, and a hand-written protected-resource
// metadata route. Only what a `tools/call` flood exercises is here; it is a
// yardstick, not a second implementation of this project.
//
// Environment: SCALEKIT_ENVIRONMENT_URL, SCALEKIT_RESOURCE_ID, PORT.
import cors from "cors";
import express from "express";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const environment = process.env.SCALEKIT_ENVIRONMENT_URL;
const resourceId = process.env.SCALEKIT_RESOURCE_ID;
const port = Number(process.env.PORT ?? 3002);
const baseUrl = `http://127.0.0.1:${port}`;
const metadataUrl = `${baseUrl}/.well-known/oauth-protected-resource/mcp`;
const keys = createRemoteJWKSet(new URL(`${environment}/keys`));
const todos = new Map();

function buildServer(subject) {
  const server = new McpServer({ name: "express-reference", version: "1.0.0" });
  server.registerTool("list_todos", {
    description: "List your todos",
    inputSchema: {},
  }, () => ({
    content: [{ type: "text", text: JSON.stringify(todos.get(subject) ?? []) }],
  }));
  server.registerTool("create_todo", {
    description: "Create a todo",
    inputSchema: { title: z.string() },
  }, ({ title }) => {
    todos.set(subject, [...(todos.get(subject) ?? []), title]);
    return { content: [{ type: "text", text: `Created ${title}` }] };
  });
  return server;
}

async function authenticate(req, res, next) {
  const header = req.headers.authorization ?? "";
  const challenge = `Bearer resource_metadata="${metadataUrl}"`;
  if (!header.startsWith("Bearer ")) {
    res.set("WWW-Authenticate", challenge);
    return res.status(401).json({ error: "unauthorized" });
  }
  try {
    const { payload } = await jwtVerify(header.slice(7), keys, {
      issuer: [environment, `${environment}/resources/${resourceId}`],
      audience: resourceId,
      algorithms: ["RS256"],
    });
    req.auth = { subject: payload.sub, scopes: String(payload.scope ?? "").split(" ") };
    next();
  } catch {
    res.set("WWW-Authenticate", `${challenge}, error="invalid_token"`);
    res.status(401).json({ error: "invalid_token" });
  }
}

const app = express();
app.use(cors({ exposedHeaders: ["WWW-Authenticate", "Mcp-Session-Id"] }));
app.use(express.json());
app.get("/health", (_req, res) => res.json({ status: "healthy" }));
app.get("/.well-known/oauth-protected-resource/mcp", (_req, res) =>
  res.json({
    resource: `${baseUrl}/mcp`,
    authorization_servers: [`${environment}/resources/${resourceId}`],
    bearer_methods_supported: ["header"],
    scopes_supported: ["todo:read", "todo:write"],
  }));
app.post("/mcp", authenticate, async (req, res) => {
  const server = buildServer(req.auth.subject);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on("close", () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
