/**
 * The MCP endpoint: stateless Streamable HTTP, a fresh SDK server and
 * transport per request (as FastMCP's `stateless_http=True`), serving a tool
 * catalog that is built once.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/server/index"
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  type CallToolRequest,
  CallToolRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { type Identity, tenantOf, toAuthInfo } from "../auth/identity.ts";
import type { ProviderKind, ResponseMode } from "../config/types.ts";
import type { TodoStore } from "../store/todo_store.ts";
import type { ToolCatalog } from "../tools/catalog.ts";

/** Options for {@link createMcpHandler}. */
export interface McpHandlerOptions {
  /** The served tools. */
  readonly catalog: ToolCatalog;
  /** Todo storage. */
  readonly store: TodoStore;
  /** Which provider verifies callers (reported by `auth_status`). */
  readonly provider: ProviderKind;
  /** One JSON body (default) or an SSE stream per POST. */
  readonly responseMode?: ResponseMode;
  /** Name and version announced at `initialize`. */
  readonly serverInfo?: { readonly name: string; readonly version: string };
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Answers one MCP POST for a verified caller. */
export type McpHandler = (
  request: Request,
  body: unknown,
  identity: Identity,
  hooks?: McpRequestHooks,
) => Promise<Response>;

/** Per-request callbacks from the tools back to the HTTP layer. */
export interface McpRequestHooks {
  /** A tool call was refused in-band for missing scopes. */
  readonly onScopeDenied?: (tool: string, missing: readonly string[]) => void;
}

/** The name and version announced when none is given. */
export const SERVER_INFO = Object.freeze({
  name: "mcp-scalekit",
  version: "0.1.0",
});

/**
 * Builds the handler. `body` is the already-parsed JSON-RPC message (the
 * HTTP layer parsed it to check scopes); the identity reaches tool handlers
 * as the SDK's `authInfo`, without the raw token.
 */
export function createMcpHandler(options: McpHandlerOptions): McpHandler {
  const { catalog, store, provider } = options;
  const serverInfo = { ...(options.serverInfo ?? SERVER_INFO) };
  const enableJsonResponse = (options.responseMode ?? "json") === "json";
  const now = options.now ?? Date.now;
  const listing = { tools: [...catalog.tools] };

  return async function handleMcp(request, body, identity, hooks = {}) {
    const server = new Server(serverInfo, {
      capabilities: { tools: { listChanged: false } },
    });
    server.setRequestHandler(ListToolsRequestSchema, () => listing);
    server.setRequestHandler(
      CallToolRequestSchema,
      (call: CallToolRequest) =>
        catalog.call(call.params.name, call.params.arguments, {
          identity,
          tenant: tenantOf(identity),
          store,
          provider,
          now,
          onScopeDenied: hooks.onScopeDenied,
        }),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse,
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, {
      parsedBody: body,
      authInfo: toAuthInfo(identity),
    });
    return closeWhenDone(response, () => server.close());
  };
}

/**
 * A JSON answer is complete when it is returned, so the server closes at
 * once; an SSE answer is still being written, so it closes when the stream
 * ends or the client goes away.
 */
function closeWhenDone(
  response: Response,
  close: () => Promise<void>,
): Response {
  const isStream = response.headers.get("content-type")?.startsWith(
    "text/event-stream",
  );
  if (!isStream || response.body === null) {
    void close();
    return response;
  }
  const body = response.body.pipeThrough(
    new TransformStream({
      flush() {
        void close();
      },
      cancel() {
        void close();
      },
    }),
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
