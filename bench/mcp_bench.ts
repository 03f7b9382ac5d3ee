// deno task bench: the per-request cost of the server's hot paths, in-process.
// Compare the groups' ratios from one run; absolute times on shared machines
// are noise.
//
// The "MCP layer" groups put this server's MCP layer (SDK v2, a fresh
// McpServer per request with precomputed schemas) beside a reference built
// the way this server was built on SDK v1 (a fresh low-level Server and
// Streamable HTTP transport per request, listing built once), so a move on
// the SDK can be judged per request.
import { startMockIssuer } from "../conformance/issuer/mod.ts";
import { rpcRequest } from "../fixtures/harness.ts";
// @ts-types="@modelcontextprotocol/sdk/server/index"
import { Server as ServerV1 } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport as TransportV1 } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { createTokenVerifier } from "../src/auth/verify.ts";
import { createScopePolicy } from "../src/authz/policy.ts";
import { loadConfig } from "../src/config/load.ts";
import { createApp } from "../src/http/app.ts";
import { createMcpEndpoint } from "../src/mcp/handler.ts";
import { createMcpServers, SERVER_INFO } from "../src/mcp/server.ts";
import { PROMPTS } from "../src/prompts/plan_my_day.ts";
import { TODO_RESOURCES } from "../src/resources/todos.ts";
import { MemoryTodoStore } from "../src/store/memory.ts";
import { IDENTITY_TOOLS } from "../src/tools/identity.ts";
import { TODO_TOOLS } from "../src/tools/todos.ts";

const URL_BASE = "http://localhost:3002";
const issuer = await startMockIssuer({
  resources: [{
    id: "res_bench",
    url: `${URL_BASE}/mcp`,
    scopes: ["todo:read", "todo:write", "todo:admin"],
  }],
});
const { config } = loadConfig({
  SCALEKIT_ENVIRONMENT_URL: issuer.url,
  SCALEKIT_RESOURCE_ID: "res_bench",
  BASE_URL: URL_BASE,
});
const store = new MemoryTodoStore();
const app = createApp({ config, store });
const token = await issuer.mint({ resourceId: "res_bench" });
const verifier = createTokenVerifier({
  jwksUri: `${issuer.url}/keys`,
  issuers: [issuer.url],
  audiences: ["res_bench"],
  algorithms: ["RS256"],
  clockSkewSeconds: 30,
});
const identity = await verifier.verify(token); // warms the JWKS cache

const HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  authorization: `Bearer ${token}`,
  host: "localhost:3002",
};
const LIST = { jsonrpc: "2.0", id: 1, method: "tools/list" };
const CALL = {
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "whoami", arguments: {} },
};

function request(body: unknown, headers: Record<string, string> = HEADERS) {
  return new Request(`${URL_BASE}/mcp`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
}

async function drain(response: Response | Promise<Response>, ok = [200]) {
  const res = await response;
  await res.arrayBuffer();
  if (!ok.includes(res.status)) throw new Error(`HTTP ${res.status}`);
}

Deno.bench("verify a token (JWKS cached)", { group: "auth" }, async () => {
  await verifier.verify(token);
});

Deno.bench("POST without a token: 401 challenge", {
  group: "request",
  baseline: true,
}, async () => {
  await drain(app.fetch(request(LIST, { ...HEADERS, authorization: "" })), [
    401,
  ]);
});
Deno.bench("POST tools/list", { group: "request" }, async () => {
  await drain(app.fetch(request(LIST)));
});
Deno.bench("POST tools/call whoami", { group: "request" }, async () => {
  await drain(app.fetch(request(CALL)));
});

// This server's MCP layer on SDK v2, without the HTTP layer in front.
const endpoint = createMcpEndpoint({
  servers: createMcpServers({
    tools: [...TODO_TOOLS, ...IDENTITY_TOOLS],
    resources: TODO_RESOURCES,
    prompts: PROMPTS,
    policy: createScopePolicy({ requiredScopes: [] }),
    scopeDenial: "http",
    store,
    provider: "scalekit",
  }),
});
const caller = { identity };

// The v1 reference: what each request cost before the move to SDK v2.
const toolsV1 = [...TODO_TOOLS, ...IDENTITY_TOOLS].map((tool) => ({
  name: tool.name,
  description: tool.description,
  inputSchema: z.toJSONSchema(tool.input, { io: "input" }),
  outputSchema: z.toJSONSchema(tool.output, { io: "output" }),
}));
const whoami = IDENTITY_TOOLS.find((tool) => tool.name === "whoami")!;
async function referenceV1(body: unknown): Promise<Response> {
  const server = new ServerV1(SERVER_INFO, {
    capabilities: { tools: { listChanged: false } },
  });
  server.setRequestHandler(ListToolsRequestSchema, () =>
    ({
      tools: toolsV1,
    }) as never);
  server.setRequestHandler(CallToolRequestSchema, async () => {
    const output = await whoami.run({}, {
      identity,
      tenant: "bench",
      store,
      provider: "scalekit",
      now: Date.now,
    });
    return {
      content: [{ type: "text", text: JSON.stringify(output) }],
      structuredContent: output,
    };
  });
  const transport = new TransportV1({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  const response = await transport.handleRequest(request(body), {
    parsedBody: body,
  });
  void server.close();
  return response;
}

for (
  const [label, body, method, params] of [
    ["tools/list", LIST, "tools/list", {}],
    ["tools/call", CALL, "tools/call", CALL.params],
  ] as const
) {
  Deno.bench(`${label}: SDK v1 reference`, {
    group: `MCP layer ${label}`,
    baseline: true,
  }, async () => {
    await drain(referenceV1(body));
  });
  Deno.bench(`${label}: this server on SDK v2, 2025 era`, {
    group: `MCP layer ${label}`,
  }, async () => {
    await drain(endpoint.handle(request(body), body, caller, "legacy"));
  });
  const modern = rpcRequest("modern", method, { ...params }, { token });
  const modernBody = JSON.parse(modern.body);
  Deno.bench(`${label}: this server on SDK v2, 2026-07-28`, {
    group: `MCP layer ${label}`,
  }, async () => {
    const req = new Request(`${URL_BASE}/mcp`, modern);
    await drain(endpoint.handle(req, modernBody, caller, "modern"));
  });
}

addEventListener("unload", () => void issuer.close());
