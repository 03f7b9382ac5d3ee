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
 * Change notifications (2026-07-28 `subscriptions/listen`): each listen
 * request is served by an SDK handler of its own, built for that request
 * over the caller's tenant's view of the event bus
 * (`src/events/tenant_events.ts`), so the stream can only ever receive that
 * tenant's events. The shared handler that serves every other request has a
 * bus that delivers nothing: were a listen ever routed to it, its stream
 * would learn nothing (fail closed).
 *
 * @module
 */

import {
  type AuthInfo,
  createMcpHandler,
  InMemoryServerEventBus,
  isLegacyRequest,
  type McpHttpHandler,
  type ServerEventBus,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { callerOf, type Identity, tenantOf } from "../auth/identity.ts";
import type { ProtocolEra } from "../authz/policy.ts";
import type { Operation } from "../authz/scopes.ts";
import type { ResponseMode } from "../config/types.ts";
import { type CancelledAnswer, planBatch } from "./batch.ts";
import {
  SILENT_BUS,
  type TenantNotifier,
  tenantNotifier,
  tenantView,
} from "../events/tenant_events.ts";
import {
  type Caller,
  type McpRequest,
  type McpServers,
  requestAuthInfo,
} from "./server.ts";
import { createSubscriptionCaps, isRefusal } from "./subscription_caps.ts";

/** Options for {@link createMcpEndpoint}. */
export interface McpEndpointOptions {
  /** Builds the server for each request, and reads what a request asks for. */
  readonly servers: McpServers;
  /** One JSON body per request (default) or an SSE stream. */
  readonly responseMode?: ResponseMode;
  /** The path-suffixed metadata URL, for the `resource_metadata` of scope challenges. */
  readonly resourceMetadataUrl?: string;
  /**
   * Change events for `subscriptions/listen`, shared by every instance that
   * serves the same data (the PostgreSQL bus); default an in-process bus.
   * Events must be published through {@link McpEndpoint.notify}, which
   * marks each with its tenant; unmarked events reach nobody.
   */
  readonly bus?: ServerEventBus;
  /**
   * Most `subscriptions/listen` streams open at once, all callers
   * together; one more is refused with JSON-RPC error -32603, as the SDK's
   * own guard does. Default {@link DEFAULT_MAX_SUBSCRIPTIONS}.
   */
  readonly maxSubscriptions?: number;
  /**
   * Most streams one tenant's callers may hold together (refused the same
   * way, the message naming this limit). Default
   * {@link DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT}.
   */
  readonly maxSubscriptionsPerTenant?: number;
  /**
   * Most streams one caller (subject and client id) may hold (refused the
   * same way, the message naming this limit). Default
   * {@link DEFAULT_MAX_SUBSCRIPTIONS_PER_CALLER}.
   */
  readonly maxSubscriptionsPerCaller?: number;
  /** Told about errors the SDK reports out of band (never changes a response). */
  readonly onError?: (error: Error) => void;
  /**
   * How long one POST may take to produce its response (for an SSE answer,
   * its headers), in ms; then the exchange is torn down (handlers see their
   * abort signal) and the answer is a 503 JSON-RPC error
   * {@link REQUEST_TIMEOUT_ERROR_CODE}. Default 30 000.
   */
  readonly requestTimeoutMs?: number;
}

/** Default of {@link McpEndpointOptions.maxSubscriptions}. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 256;
/** Default of {@link McpEndpointOptions.maxSubscriptionsPerTenant}. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT = 128;
/** Default of {@link McpEndpointOptions.maxSubscriptionsPerCaller}. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CALLER = 16;

/**
 * JSON-RPC error code of a refused `subscriptions/listen` (a cap is full,
 * or the server is shutting down): the SDK's own code for its limit, which
 * its client reports as the listen's error.
 */
export const SUBSCRIPTION_REFUSED_ERROR_CODE = -32603;

/** Default of {@link McpEndpointOptions.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * JSON-RPC error code of the 503 a POST gets when it did not produce its
 * response within the request timeout (an application code, outside the
 * range JSON-RPC and MCP reserve).
 */
export const REQUEST_TIMEOUT_ERROR_CODE = -31504;

/** Serves MCP POSTs for callers the HTTP layer has authenticated. */
export interface McpEndpoint {
  /** Which era will serve a POST whose body is `body` (the SDK's classification). */
  eraOf(request: Request, body: unknown): Promise<ProtocolEra>;
  /**
   * The resources of this server a `subscriptions/listen` body asks to be
   * told about (its `resourceSubscriptions`); empty for any other body.
   * Their read scopes are what subscribing needs.
   */
  subscriptionsIn(body: unknown): Operation[];
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
  /** Publishes change notifications to one tenant's `subscriptions/listen` streams. */
  readonly notify: TenantNotifier;
  /** How many `subscriptions/listen` streams are open. */
  readonly openSubscriptions: number;
  /**
   * Ends every subscription stream gracefully (the spec's empty
   * `subscriptions/listen` result) and refuses new ones; other requests
   * still in flight finish. For shutdown, so the drain need not wait for
   * streams that never end on their own.
   */
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
  const requestTimeoutMs = options.requestTimeoutMs ??
    DEFAULT_REQUEST_TIMEOUT_MS;
  const bus = options.bus ?? new InMemoryServerEventBus(onError);
  const caps = createSubscriptionCaps({
    maxTotal: options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS,
    maxPerTenant: options.maxSubscriptionsPerTenant ??
      DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT,
    maxPerCaller: options.maxSubscriptionsPerCaller ??
      DEFAULT_MAX_SUBSCRIPTIONS_PER_CALLER,
  });
  const modern = createMcpHandler(factory, {
    legacy: "reject",
    // "auto" answers with one JSON body unless a handler sends a message
    // before its result, which none of this server's do; "json" would do
    // the same but prints a warning at every start.
    responseMode: json ? "auto" : "sse",
    onerror: onError,
    bus: SILENT_BUS,
  });
  /** The handler of each open subscription stream. */
  const listening = new Set<McpHttpHandler>();
  let closed = false;

  /**
   * One `subscriptions/listen` request, on a handler of its own whose bus
   * is the caller's tenant's view: the SDK validates the request, sends the
   * acknowledgement and filters by the client's URIs as usual, but only
   * ever sees events of this tenant.
   */
  async function serveListen(
    request: Request,
    body: unknown,
    authInfo: AuthInfo,
    identity: Identity,
  ): Promise<Response> {
    const id = (body as { id?: unknown }).id;
    const echoed = typeof id === "string" || typeof id === "number" ? id : null;
    if (closed) {
      onError(new Error("subscriptions/listen refused: shutting down"));
      return listenRefused(echoed, "The server is shutting down");
    }
    const tenant = tenantOf(identity);
    const slot = caps.admit(callerOf(identity), tenant);
    if (isRefusal(slot)) {
      onError(
        new Error(
          `subscriptions/listen refused: ${slot.kind} subscription limit reached (${slot.limit})`,
        ),
      );
      // Answered like the SDK's own limit (HTTP 200, JSON-RPC error): its
      // client reports a JSON-RPC error for the listen id as the listen's
      // failure, code and message intact, whereas a 429 would reach it
      // only as an opaque HTTP error.
      return listenRefused(echoed, slot.message, {
        limit: slot.kind,
        max: slot.limit,
      });
    }
    const handler = createMcpHandler(factory, {
      legacy: "reject",
      onerror: onError,
      bus: tenantView(bus, tenant),
    });
    listening.add(handler);
    const release = once(() => {
      listening.delete(handler);
      slot.release();
      void handler.close().catch(onError);
    });
    let response: Response;
    try {
      response = await handler.fetch(request, { authInfo, parsedBody: body });
    } catch (error) {
      release();
      throw error;
    }
    return closeWhenDone(response, release);
  }

  async function serveLegacy(
    request: Request,
    signal: AbortSignal,
    body: unknown,
    mcpRequest: McpRequest,
  ): Promise<Response> {
    const plan = planBatch(body);
    if (plan.cancelled.length > 0 && !plan.hasRequests) {
      // Nothing left for the transport to answer: the notifications that
      // remain do nothing on a stateless exchange.
      return answerCancelled(plan.cancelled, json);
    }
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
    // Closing the transport aborts every handler still running (the SDK's
    // `_onclose`), and with it their `signal`.
    signal.addEventListener("abort", teardown, { once: true });
    const answered = transport.handleRequest(request, {
      authInfo,
      parsedBody: plan.body,
    });
    // A JSON answer settles only once every request of the batch has been
    // answered; if that never happens, the abort ends the wait.
    const response = await Promise.race([
      answered,
      aborted(signal),
    ]);
    if (response === undefined) {
      teardown();
      return timedOut(requestTimeoutMs);
    }
    const done = closeWhenDone(response, teardown);
    return plan.cancelled.length === 0
      ? done
      : await withCancelled(done, plan.cancelled);
  }

  return {
    async eraOf(request, body) {
      return await isLegacyRequest(request, body) ? "legacy" : "modern";
    },
    subscriptionsIn(body) {
      return isListenRequest(body) ? servers.operationsIn(body) : [];
    },
    async handle(request, body, caller, era) {
      const mcpRequest = {
        ...caller,
        operations: servers.operationsIn(body),
        toolCallsOnly: servers.toolCallsOnly(body),
      };
      // One signal for "stop working on this": the client went away, or
      // the request ran out of time. The body is already parsed, so the
      // exchange needs no body of its own. The timer is cleared as soon as
      // the response exists (for a stream, its headers), so nothing
      // outlives the request and a subscription stream is not cut.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), requestTimeoutMs);
      const signal = AbortSignal.any([request.signal, deadline.signal]);
      try {
        if (era === "legacy") {
          // Our own leg takes the signal as it is; a copy of the request
          // to carry it costs 6% of a tools/call (its headers are copied
          // and validated again).
          return await serveLegacy(request, signal, body, mcpRequest);
        }
        // The SDK's handler watches the request's own signal.
        const exchange = new Request(request.url, {
          method: request.method,
          headers: request.headers,
          signal,
        });
        const authInfo = requestAuthInfo(mcpRequest, resourceMetadataUrl);
        const response = isListenRequest(body)
          ? await serveListen(exchange, body, authInfo, caller.identity)
          : await modern.fetch(exchange, { authInfo, parsedBody: body });
        // The SDK answers an exchange closed before its result with 499.
        return deadline.signal.aborted && response.status === 499
          ? timedOut(requestTimeoutMs)
          : response;
      } finally {
        clearTimeout(timer);
      }
    },
    notify: tenantNotifier(bus),
    get openSubscriptions() {
      return caps.open;
    },
    async close() {
      closed = true;
      const handlers = [...listening];
      listening.clear();
      await Promise.all(handlers.map((handler) => handler.close()));
    },
  };
}

/** The JSON-RPC error a refused `subscriptions/listen` gets. */
function listenRefused(
  id: string | number | null,
  message: string,
  data?: Record<string, unknown>,
): Response {
  return Response.json({
    jsonrpc: "2.0",
    id,
    error: {
      code: SUBSCRIPTION_REFUSED_ERROR_CODE,
      message,
      ...(data === undefined ? {} : { data }),
    },
  });
}

/** Resolves with `undefined` once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener("abort", () => resolve(undefined), { once: true });
  });
}

/** The answer to a POST that did not produce its response in time. */
function timedOut(ms: number): Response {
  return Response.json({
    jsonrpc: "2.0",
    id: null,
    error: {
      code: REQUEST_TIMEOUT_ERROR_CODE,
      message: `The request did not complete within ${ms} ms`,
    },
  }, { status: 503, headers: { "Retry-After": "1" } });
}

/** Answers a batch whose every request was cancelled within it. */
function answerCancelled(
  answers: readonly CancelledAnswer[],
  json: boolean,
): Response {
  const message = answers.length === 1 ? answers[0] : answers;
  if (json) return Response.json(message);
  return new Response(answers.map(sseEvent).join(""), {
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache, no-transform",
    },
  });
}

/**
 * Adds the answers to cancelled requests to the transport's answer to the
 * rest of the batch: into the JSON array, or as the first events of the
 * stream. A refusal of the whole batch (a 4xx) is passed on as it is: the
 * cancelled requests did not run either.
 */
async function withCancelled(
  response: Response,
  answers: readonly CancelledAnswer[],
): Promise<Response> {
  const type = response.headers.get("content-type") ?? "";
  if (response.status === 202) {
    await response.body?.cancel();
    return answerCancelled(answers, !type.startsWith("text/event-stream"));
  }
  if (response.status !== 200 || response.body === null) return response;
  if (type.startsWith("application/json")) {
    const rest: unknown = await response.json();
    return Response.json(
      [...(Array.isArray(rest) ? rest : [rest]), ...answers],
      {
        headers: response.headers,
      },
    );
  }
  const head = new TextEncoder().encode(answers.map(sseEvent).join(""));
  const reader = response.body.getReader();
  const merged = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(merged, {
    status: response.status,
    headers: response.headers,
  });
}

function sseEvent(message: unknown): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/** Whether `body` is one `subscriptions/listen` request (the modern era has no batches). */
export function isListenRequest(body: unknown): body is { id?: unknown } {
  return typeof body === "object" && body !== null && !Array.isArray(body) &&
    (body as { method?: unknown }).method === "subscriptions/listen";
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
