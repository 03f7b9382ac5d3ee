// Vercel's mcp-handler as its README wires it: withMcpAuth around the
// handler, protectedResourceHandler at the package's default metadata path,
// and the todo tools checking their scopes in-band, as the Scalekit guides do.
import http from "node:http";
import {
  createMcpHandler,
  protectedResourceHandler,
  withMcpAuth,
} from "mcp-handler";
import { z } from "zod";
import { ENVIRONMENT, PORT, RESOURCE_ID, verifyJwt } from "./_verify.mjs";

const todos = new Map();
const refuse = (scope) => ({
  isError: true,
  content: [{ type: "text", text: `Insufficient permissions: \`${scope}\` scope required.` }],
});

const handler = createMcpHandler((server) => {
  server.registerTool("create_todo", {
    inputSchema: z.object({ title: z.string() }),
  }, ({ title }, ctx) => {
    const auth = ctx.http?.authInfo;
    if (!auth?.scopes.includes("todo:write")) return refuse("todo:write");
    const subject = String(auth.extra?.subject);
    todos.set(subject, [...(todos.get(subject) ?? []), title]);
    return { content: [{ type: "text", text: `Created ${title}` }] };
  });
  server.registerTool("list_todos", { inputSchema: z.object({}) }, (_, ctx) => {
    const auth = ctx.http?.authInfo;
    if (!auth?.scopes.includes("todo:read")) return refuse("todo:read");
    return {
      content: [{ type: "text", text: JSON.stringify(todos.get(String(auth.extra?.subject)) ?? []) }],
    };
  });
}, { serverInfo: { name: "mcp-handler-todo", version: "1.0.0" } });

const guarded = withMcpAuth(handler, async (_req, token) => {
  if (token === undefined) return undefined;
  return await verifyJwt(token);
}, { required: true });
const metadata = protectedResourceHandler({
  authServerUrls: [`${ENVIRONMENT}/resources/${RESOURCE_ID}`],
});

http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const request = new Request(url, {
    method: req.method,
    headers: req.headers,
    body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
  });
  const route = url.pathname.startsWith("/.well-known/oauth-protected-resource")
    ? metadata
    : url.pathname === "/mcp"
    ? guarded
    : () => new Response("Not found", { status: 404 });
  const response = await route(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}).listen(PORT, "127.0.0.1");
