// deno task bench: the per-request cost of the server's hot paths, in-process.
// Compare the groups' ratios from one run; absolute times on shared machines
// are noise.
import { startMockIssuer } from "../../conformance/issuer/mod.ts";
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createTokenVerifier } from "../auth/verify.ts";
import { createMcpHandler } from "../mcp/handler.ts";
import { createToolCatalog } from "../tools/catalog.ts";
import { loadConfig } from "../config/load.ts";
import { MemoryTodoStore } from "../store/memory.ts";
import { IDENTITY_TOOLS } from "../tools/identity.ts";
import { TODO_TOOLS } from "../tools/todos.ts";
import { createApp } from "./app.ts";

const issuer = await startMockIssuer({
  resources: [{
    id: "res_bench",
    url: "http://localhost:3002/mcp",
    scopes: ["todo:read", "todo:write", "todo:admin"],
  }],
});
const { config } = loadConfig({
  SCALEKIT_ENVIRONMENT_URL: issuer.url,
  SCALEKIT_RESOURCE_ID: "res_bench",
  BASE_URL: "http://localhost:3002",
});
const app = createApp({ config, store: new MemoryTodoStore() });
const token = await issuer.mint({ resourceId: "res_bench" });
const verifier = createTokenVerifier({
  jwksUri: `${issuer.url}/keys`,
  issuers: [issuer.url],
  audiences: ["res_bench"],
  algorithms: ["RS256"],
  clockSkewSeconds: 30,
});
await verifier.verify(token); // warm the JWKS cache

const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  authorization: `Bearer ${token}`,
};
const LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
const CALL = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "whoami", arguments: {} },
});

async function post(body: string, headers: Record<string, string> = HEADERS) {
  const res = await app.fetch(
    new Request("http://localhost:3002/mcp", { method: "POST", headers, body }),
  );
  await res.arrayBuffer();
  if (res.status !== 200 && res.status !== 401) {
    throw new Error(`HTTP ${res.status}`);
  }
}

Deno.bench("verify a token (JWKS cached)", { group: "auth" }, async () => {
  await verifier.verify(token);
});

Deno.bench("POST without a token: 401 challenge", {
  group: "request",
  baseline: true,
}, async () => {
  await post(LIST, { ...HEADERS, authorization: "" });
});
Deno.bench("POST tools/list", { group: "request" }, async () => {
  await post(LIST);
});
Deno.bench("POST tools/call whoami", { group: "request" }, async () => {
  await post(CALL);
});

// The design choice: what a stateless request costs when the tool catalog is
// built once (this server) against registering every tool on a fresh
// McpServer per request (the SDK's stateless example).
const perRequestRegistration = async (request: Request) => {
  const server = new McpServer({ name: "bench", version: "0" });
  for (const tool of [...TODO_TOOLS, ...IDENTITY_TOOLS]) {
    server.registerTool(tool.name, {
      description: tool.description,
      inputSchema: tool.input.shape,
      outputSchema: tool.output.shape,
    }, () => ({ content: [] }));
  }
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  const res = await transport.handleRequest(request, {
    parsedBody: JSON.parse(LIST),
  });
  await res.arrayBuffer();
  await server.close();
};
const handler = createMcpHandler({
  catalog: createToolCatalog([...TODO_TOOLS, ...IDENTITY_TOOLS]),
  store: new MemoryTodoStore(),
  provider: "scalekit",
});
const identity = await verifier.verify(token);
Deno.bench("tools/list, catalog built once (this server)", {
  group: "stateless tools/list",
  baseline: true,
}, async () => {
  const res = await handler(
    new Request("http://localhost:3002/mcp", {
      method: "POST",
      headers: HEADERS,
      body: LIST,
    }),
    JSON.parse(LIST),
    identity,
  );
  await res.arrayBuffer();
});
Deno.bench("tools/list, McpServer + registerTool per request", {
  group: "stateless tools/list",
}, async () => {
  await perRequestRegistration(
    new Request("http://localhost:3002/mcp", {
      method: "POST",
      headers: HEADERS,
      body: LIST,
    }),
  );
});

addEventListener("unload", () => void issuer.close());
