/**
 * The MCP endpoint: one URL that serves both protocol eras, statelessly.
 *
 * - 2026-07-28 (`modern`): the SDK's `createMcpHandler`, which answers the
 *   `server/discover` probe and the per-request `_meta` envelope, with a
 *   fresh server per request.
 * - 2025-era (`legacy`, `initialize` and no envelope): a fresh server and a
 *   stateless Streamable HTTP transport per request. The SDK has the same
 *   leg built in, but it always answers with an SSE stream; this server
 *   promises one JSON body per request in `json` mode (the default), so the
 *   leg is wired here with the SDK's own transport and `enableJsonResponse`.
 *
 * Which leg serves a request is the SDK's own decision (`isLegacyRequest`),
 * so the two can never disagree.
 *
 * @module
 */

import {
  createMcpHandler,
  isLegacyRequest,
  type ServerEventBus,
  type ServerNotifier,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { ProtocolEra } from "../authz/policy.ts";
import type { ResponseMode } from "../config/types.ts";
import {
  type Caller,
  type McpRequest,
  type McpServers,
  requestAuthInfo,
} from "./server.ts";

/** Options for {@link createMcpEndpoint}. */
export interface McpEndpointOptions {
  /** Builds the server for each request, and reads what a request asks for. */
  readonly servers: McpServers;
  /** One JSON body per request (default) or an SSE stream. */
  readonly responseMode?: ResponseMode;
  /** The path-suffixed metadata URL, for the `resource_metadata` of scope challenges. */
  readonly resourceMetadataUrl?: string;
  /** Change events for `subscriptions/listen`; default an in-process bus. */
  readonly bus?: ServerEventBus;
  /** Told about errors the SDK reports out of band (never changes a response). */
  readonly onError?: (error: Error) => void;
}

/** Serves MCP POSTs for callers the HTTP layer has authenticated. */
export interface McpEndpoint {
  /** Which era will serve a POST whose body is `body` (the SDK's classification). */
  eraOf(request: Request, body: unknown): Promise<ProtocolEra>;
  /**
   * Answers one POST. `body` is the already-parsed JSON-RPC message (the
   * HTTP layer parsed it); the caller reaches handlers as the SDK's
   * `authInfo`, without the raw token.
   */
  handle(
    request: Request,
    body: unknown,
    caller: Caller,
    era: ProtocolEra,
  ): Promise<Response>;
  /** Publishes change notifications to `subscriptions/listen` streams. */
  readonly notify: ServerNotifier;
  /** Ends in-flight exchanges and subscription streams. */
  close(): Promise<void>;
}

/**
 * Builds the endpoint.
 *
 * @example
 * ```ts
 * const endpoint = createMcpEndpoint({ servers: createMcpServers(options) });
 * const era = await endpoint.eraOf(request, body);
 * const response = await endpoint.handle(request, body, { identity }, era);
 * ```
 */
export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const { servers, resourceMetadataUrl } = options;
  const { factory } = servers;
  const json = (options.responseMode ?? "json") === "json";
  const onError = options.onError ?? (() => {});
  const modern = createMcpHandler(factory, {
    legacy: "reject",
    // "auto" answers with one JSON body unless a handler sends a message
    // before its result, which none of this server's do; "json" would do
    // the same but prints a warning at every start.
    responseMode: json ? "auto" : "sse",
    onerror: onError,
    ...(options.bus === undefined ? {} : { bus: options.bus }),
  });

  async function serveLegacy(
    request: Request,
    body: unknown,
    mcpRequest: McpRequest,
  ): Promise<Response> {
    const authInfo = requestAuthInfo(mcpRequest, resourceMetadataUrl);
    const server = await factory({
      era: "legacy",
      authInfo,
      requestInfo: request,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: json,
    });
    await server.connect(transport);
    const teardown = once(() => {
      transport.close().catch(onError);
      server.close().catch(onError);
    });
    request.signal.addEventListener("abort", teardown, { once: true });
    const response = await transport.handleRequest(request, {
      authInfo,
      parsedBody: body,
    });
    return closeWhenDone(response, teardown);
  }

  return {
    async eraOf(request, body) {
      return await isLegacyRequest(request, body) ? "legacy" : "modern";
    },
    handle(request, body, caller, era) {
      const mcpRequest = { ...caller, operations: servers.operationsIn(body) };
      if (era === "legacy") return serveLegacy(request, body, mcpRequest);
      return modern.fetch(request, {
        authInfo: requestAuthInfo(mcpRequest, resourceMetadataUrl),
        parsedBody: body,
      });
    },
    notify: modern.notify,
    close: () => modern.close(),
  };
}

/**
 * A JSON answer is complete when it is returned, so the exchange ends at
 * once; an SSE answer is still being written, so it ends when the stream
 * ends or the client goes away.
 */
function closeWhenDone(response: Response, teardown: () => void): Response {
  const isStream = response.headers.get("content-type")?.startsWith(
    "text/event-stream",
  );
  if (!isStream || response.body === null) {
    teardown();
    return response;
  }
  const body = response.body.pipeThrough(
    new TransformStream({ flush: teardown, cancel: teardown }),
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
