/**
 * The MCP server one request sees: a fresh SDK `McpServer` per request
 * (the v2 SDK's stateless model), with the tools, resources and prompts
 * registered for that request's caller and protocol era. Everything that
 * can be built once (schemas, metadata, scope tables) is built once, when
 * the factory is made.
 *
 * Scopes: every tool call, resource read and prompt get is checked against
 * the scope policy. With `scopeDenial: "http"` the SDK's per-operation scope
 * challenge answers a refused operation with HTTP 403 `insufficient_scope`
 * before the operation runs; with `"tool"` the operation answers in-band
 * (a tool error, or a JSON-RPC error for reads and prompts). The in-band
 * check runs in both modes, as defence in depth.
 *
 * @module
 */

import {
  type AuthInfo,
  type CallToolResult,
  type GetPromptResult,
  McpServer,
  type McpServerFactory,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  ResourceNotFoundError,
  ResourceTemplate,
  type ScopeChallengeHandler,
  type Variables,
} from "@modelcontextprotocol/server";
import { type Identity, tenantOf } from "../auth/identity.ts";
import type { ScopePolicy } from "../authz/policy.ts";
import {
  isToolName,
  type Operation,
  operationScopes,
  scopeDenialMessage,
} from "../authz/scopes.ts";
import type { ProviderKind, ScopeDenialMode } from "../config/types.ts";
import type { PromptDefinition } from "../prompts/prompt.ts";
import type { ResourceDefinition } from "../resources/resource.ts";
import type { TodoStore } from "../store/todo_store.ts";
import { TodoStoreError } from "../store/todo_store.ts";
import {
  type OperationContext,
  type ToolDefinition,
  ToolFailure,
} from "../tools/tool.ts";
import {
  RESPONSE_TOO_LARGE_ERROR_CODE,
  type ResponseBudget,
  tooLargeMessage,
  utf8Length,
} from "./response_budget.ts";
import { uriTemplate } from "./_query_template.ts";
import { precomputedSchema } from "./schema.ts";

/** The name and version announced to clients. */
export const SERVER_INFO = Object.freeze({
  name: "mcp-scalekit",
  version: "0.1.0",
});

/**
 * JSON-RPC error code for a resource read or prompt refused in-band for
 * missing scopes. MCP 2026-07-28 (basic, "Error Codes") reserves
 * -32768…-32000 and asks that codes for purposes the spec does not define be
 * allocated outside it; the `data` carries `error: "insufficient_scope"` and
 * the `scope` a step-up needs, as the HTTP challenge would.
 */
export const INSUFFICIENT_SCOPE_ERROR_CODE = -31403;

/** The key under which the HTTP layer hands each request's caller to the MCP layer. */
const REQUEST_KEY = "io.scalekit/request";

/** Who is calling, as the HTTP layer established it, plus per-request hooks. */
export interface Caller {
  /** The verified identity (or the anonymous one with provider `none`). */
  readonly identity: Identity;
  /** Told when an operation is refused for missing scopes (for the request log). */
  readonly onScopeDenied?: (
    operation: Operation,
    missing: readonly string[],
  ) => void;
  /**
   * What the HTTP request may still return; each result is charged, and
   * one that does not fit is replaced by an error. None: unbounded.
   */
  readonly budget?: ResponseBudget;
}

/** One request as the MCP layer sees it: the caller and what it asks for. */
export interface McpRequest extends Caller {
  /**
   * The scoped operations the request's JSON-RPC message (or 2025-era
   * batch) asks for, from {@link McpServers.operationsIn}.
   */
  readonly operations: readonly Operation[];
  /**
   * When the message (or batch) is nothing but calls of these tools, from
   * {@link McpServers.toolCallsOnly}: the server built for it registers
   * only them. Absent, it registers everything.
   */
  readonly toolCallsOnly?: ReadonlySet<string>;
}

/** Options for {@link createMcpServers}. */
export interface McpServersOptions {
  /** The tools to serve. */
  readonly tools: readonly ToolDefinition[];
  /** The resources and resource templates to serve. */
  readonly resources: readonly ResourceDefinition[];
  /** The prompts to serve. */
  readonly prompts: readonly PromptDefinition[];
  /** Who may do what. */
  readonly policy: ScopePolicy;
  /** `http`: refuse with 403 before running; `tool`: refuse in-band. */
  readonly scopeDenial: ScopeDenialMode;
  /** Todo storage. */
  readonly store: TodoStore;
  /** Which provider verified callers (reported by `auth_status`). */
  readonly provider: ProviderKind;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Told about failures no operation expected; the caller only sees a generic error. */
  readonly onUnexpectedError?: (error: unknown, operation: Operation) => void;
  /**
   * Told when the store was unavailable for an operation (the caller sees
   * "try again shortly"); `error.detail` says why, for the log.
   */
  readonly onStoreUnavailable?: (
    error: TodoStoreError,
    operation: Operation,
  ) => void;
}

/**
 * Wraps a caller in the SDK's `AuthInfo`, the value the HTTP layer passes to
 * the handler and the factory receives. The raw token is deliberately NOT
 * kept: `token` is empty, so nothing downstream can log or forward it.
 */
export function requestAuthInfo(
  request: McpRequest,
  resourceMetadataUrl?: string,
): AuthInfo {
  const { identity } = request;
  return {
    token: "",
    clientId: identity.clientId,
    scopes: [...identity.scopes],
    ...(identity.expiresAt ? { expiresAt: identity.expiresAt } : {}),
    ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
    extra: { [REQUEST_KEY]: request },
  };
}

function requestOf(authInfo: AuthInfo | undefined): McpRequest {
  const request = authInfo?.extra?.[REQUEST_KEY] as McpRequest | undefined;
  if (request === undefined) {
    // Fail closed: the HTTP layer authenticates every request first.
    throw new Error("An MCP request reached the server without a caller");
  }
  return request;
}

/**
 * The URIs a `subscriptions/listen` message names in
 * `params.notifications.resourceSubscriptions` (MCP 2026-07-28,
 * basic/patterns/subscriptions), as sent; empty for any other message, or
 * when the field is not an array (the SDK's validation answers that).
 */
export function subscribedUris(message: unknown): readonly unknown[] {
  if (typeof message !== "object" || message === null) return [];
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (method !== "subscriptions/listen") return [];
  const uris = (params as
    | {
      notifications?: { resourceSubscriptions?: unknown } | null;
    }
    | null
    | undefined)?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? uris : [];
}

/** The served MCP surface: a server per request, and what a request asks for. */
export interface McpServers {
  /** Builds the server for one request (`createMcpHandler`'s factory). */
  readonly factory: McpServerFactory;
  /**
   * The scoped operations a JSON-RPC message or batch asks for: tool calls,
   * resource reads and prompt gets of this server's own tools, resources
   * and prompts, resolved the way the SDK resolves them. Unknown names and
   * other methods are left out (the SDK answers those itself).
   */
  operationsIn(body: unknown): Operation[];
  /**
   * The names of the tools a message or batch calls, when it holds nothing
   * else (every message a `tools/call` of one of this server's tools);
   * otherwise `undefined`. A server built for such a request needs no other
   * registration, and registering ten tools, the resources and the prompt
   * for each `tools/call` was most of building it.
   */
  toolCallsOnly(body: unknown): ReadonlySet<string> | undefined;
}

/**
 * Builds the per-request factory for `createMcpHandler` (and the legacy
 * leg). Schemas and listings are prepared here, once.
 */
export function createMcpServers(options: McpServersOptions): McpServers {
  const { policy, store, provider } = options;
  const now = options.now ?? Date.now;
  const onUnexpectedError = options.onUnexpectedError ?? (() => {});
  const onStoreUnavailable = options.onStoreUnavailable ?? (() => {});
  const storeFailed = (error: TodoStoreError, operation: Operation) => {
    if (error.code === "unavailable") onStoreUnavailable(error, operation);
  };
  const challenges = options.scopeDenial === "http";
  // What registration needs apart from the caller, built once: only the
  // handlers (and the scope challenge) close over the request. Frozen, as
  // every per-request server shares them.
  const tools = options.tools.map((tool) => {
    const operation = { kind: "tool", name: tool.name } as const;
    return {
      tool,
      operation,
      config: Object.freeze({
        title: tool.title,
        description: tool.description,
        inputSchema: precomputedSchema(tool.input),
        outputSchema: precomputedSchema(tool.output),
        annotations: Object.freeze({ title: tool.title, ...tool.annotations }),
        // Lets clients see up front which scopes a call will need.
        _meta: requiredScopesMeta(operation),
      }),
    };
  });
  const prompts = options.prompts.map((prompt) => {
    const operation = { kind: "prompt", name: prompt.name } as const;
    return {
      prompt,
      operation,
      config: Object.freeze({
        title: prompt.title,
        description: prompt.description,
        argsSchema: precomputedSchema(prompt.args),
        _meta: requiredScopesMeta(operation),
      }),
    };
  });
  const resources = options.resources.map((resource) => {
    const operation = { kind: "resource", name: resource.name } as const;
    return {
      resource,
      operation,
      template: resource.template ? uriTemplate(resource.uri) : undefined,
      config: Object.freeze({
        title: resource.title,
        description: resource.description,
        mimeType: "application/json",
        _meta: requiredScopesMeta(operation),
      }),
    };
  });
  const promptNames = new Set(options.prompts.map((prompt) => prompt.name));
  const toolNames = new Set(options.tools.map((tool) => tool.name));

  function operationOf(message: unknown): Operation | undefined {
    if (typeof message !== "object" || message === null) return undefined;
    const { method, params } = message as {
      method?: unknown;
      params?: unknown;
    };
    if (typeof params !== "object" || params === null) return undefined;
    const { name, uri } = params as { name?: unknown; uri?: unknown };
    switch (method) {
      case "tools/call":
        return typeof name === "string" && isToolName(name) &&
            toolNames.has(name)
          ? { kind: "tool", name }
          : undefined;
      case "prompts/get":
        return typeof name === "string" &&
            promptNames.has(name as PromptDefinition["name"])
          ? { kind: "prompt", name: name as PromptDefinition["name"] }
          : undefined;
      case "resources/read":
        return typeof uri === "string" ? resourceAt(uri) : undefined;
    }
    return undefined;
  }

  /**
   * The resources a `subscriptions/listen` asks to be told about: hearing
   * that a resource changed is a read of a kind, so it needs the resource's
   * read scopes (URIs of no resource of this server are never notified).
   */
  function subscribedResources(message: unknown): Operation[] {
    return subscribedUris(message).flatMap((uri) => {
      const operation = typeof uri === "string" ? resourceAt(uri) : undefined;
      return operation === undefined ? [] : [operation];
    });
  }

  function resourceAt(uri: string): Operation | undefined {
    let href: string;
    try {
      href = new URL(uri).toString();
    } catch {
      return undefined;
    }
    const found = resources.find(({ resource, template }) =>
      template === undefined
        ? resource.uri === href
        : template.match(href) !== null
    );
    return found?.operation;
  }

  function factory({ era, authInfo }: Parameters<McpServerFactory>[0]) {
    const request = requestOf(authInfo);
    const { identity } = request;
    const context: OperationContext = {
      identity,
      tenant: tenantOf(identity),
      store,
      provider,
      now,
    };
    /** The in-band refusal of one operation, reported to the request log. */
    const refuse = (operation: Operation) => {
      const refusal = policy.check([operation], identity.scopes, era);
      if (refusal !== undefined) {
        request.onScopeDenied?.(operation, refusal.missing);
      }
      return refusal;
    };
    /**
     * The SDK asks before running an operation. One challenge names what
     * every operation of the request needs (a 2025-era batch may hold
     * several), so one step-up covers them all.
     */
    const scopeChallenge = (
      operation: Operation,
    ): { scopeChallenge?: ScopeChallengeHandler } => {
      if (!challenges) return {};
      return {
        scopeChallenge: () => {
          const operations = request.operations.includes(operation)
            ? request.operations
            : [operation, ...request.operations];
          const refusal = policy.check(operations, identity.scopes, era);
          if (refusal === undefined) return undefined;
          request.onScopeDenied?.(operation, refusal.missing);
          return {
            scopes: refusal.challenge,
            errorDescription: describeRefusal(operation, refusal.missing),
          };
        },
      };
    };

    /** Charges a read's or prompt's result, or refuses it as too large. */
    const charge = (what: string, bytes: number) => {
      if (request.budget === undefined || request.budget.take(bytes)) return;
      throw new ProtocolError(
        RESPONSE_TOO_LARGE_ERROR_CODE,
        tooLargeMessage(what, bytes, request.budget),
      );
    };

    const server = new McpServer(SERVER_INFO, {
      capabilities: {
        tools: { listChanged: false },
        // 2026-07-28: updates for URIs a client names in
        // `subscriptions/listen`. The 2025-era leg is stateless, with no
        // stream to deliver them on, so it does not offer resources/subscribe.
        resources: { listChanged: false, subscribe: era === "modern" },
        prompts: { listChanged: false },
      },
      // Lists are the same for every caller; reads are the caller's own data.
      cacheHints: {
        "tools/list": { ttlMs: 300_000, cacheScope: "public" },
        "prompts/list": { ttlMs: 300_000, cacheScope: "public" },
        "resources/list": { ttlMs: 300_000, cacheScope: "public" },
        "resources/templates/list": { ttlMs: 300_000, cacheScope: "public" },
        "resources/read": { ttlMs: 0, cacheScope: "private" },
      },
    });

    const only = request.toolCallsOnly;
    for (const { tool, operation, config } of tools) {
      if (only !== undefined && !only.has(tool.name)) continue;
      server.registerTool(tool.name, {
        ...config,
        ...scopeChallenge(operation),
      }, async (args): Promise<CallToolResult> => {
        const refusal = refuse(operation);
        if (refusal !== undefined) {
          return toolError(scopeDenialMessage(refusal.missing));
        }
        try {
          const result = await tool.run(args, context);
          const text = JSON.stringify(result, null, 2);
          // Sent twice: as text, and as structuredContent.
          const bytes = 2 * utf8Length(text);
          if (request.budget && !request.budget.take(bytes)) {
            return toolError(
              tooLargeMessage(`\`${tool.name}\``, bytes, request.budget),
            );
          }
          return {
            content: [{ type: "text", text }],
            structuredContent: result as Record<string, unknown>,
          };
        } catch (error) {
          if (error instanceof TodoStoreError) storeFailed(error, operation);
          if (error instanceof ToolFailure || error instanceof TodoStoreError) {
            return toolError(error.message);
          }
          onUnexpectedError(error, operation);
          return toolError(
            `\`${tool.name}\` failed because of an internal error`,
          );
        }
      });
    }

    if (only !== undefined) return server;

    for (const { resource, operation, template, config: shared } of resources) {
      const config = { ...shared, ...scopeChallenge(operation) };
      const read = async (
        uri: URL,
        variables: Variables,
      ): Promise<ReadResourceResult> => {
        const refusal = refuse(operation);
        if (refusal !== undefined) throw scopeError(refusal);
        let value: unknown;
        try {
          value = await resource.read(stringVariables(variables), context);
        } catch (error) {
          if (error instanceof TodoStoreError) storeFailed(error, operation);
          throw unexpected(error, operation, onUnexpectedError);
        }
        if (value === undefined) throw new ResourceNotFoundError(uri.href);
        const text = JSON.stringify(value, null, 2);
        charge(`reading ${resource.name}`, utf8Length(text));
        return {
          contents: [{ uri: uri.href, mimeType: "application/json", text }],
        };
      };
      if (template !== undefined) {
        server.registerResource(
          resource.name,
          // No `list`: enumerating todos would be reading them, which needs
          // todo:read, while listing needs only a valid token.
          new ResourceTemplate(template, { list: undefined }),
          config,
          (uri, variables) => read(uri, variables),
        );
      } else {
        server.registerResource(
          resource.name,
          resource.uri,
          config,
          (uri) => read(uri, {}),
        );
      }
    }

    for (const { prompt, operation, config } of prompts) {
      server.registerPrompt(prompt.name, {
        ...config,
        ...scopeChallenge(operation),
      }, async (values): Promise<GetPromptResult> => {
        const refusal = refuse(operation);
        if (refusal !== undefined) throw scopeError(refusal);
        try {
          const messages = await prompt.get(values, context);
          charge(
            `the ${prompt.name} prompt`,
            messages.reduce((sum, { text }) => sum + utf8Length(text), 0),
          );
          return {
            description: prompt.description,
            messages: messages.map(({ role, text }) => ({
              role,
              content: { type: "text", text },
            })),
          };
        } catch (error) {
          if (error instanceof ProtocolError) throw error;
          if (error instanceof TodoStoreError) storeFailed(error, operation);
          throw unexpected(error, operation, onUnexpectedError);
        }
      });
    }
    return server;
  }

  return {
    factory,
    toolCallsOnly(body) {
      const messages = Array.isArray(body) ? body : [body];
      const names = new Set<string>();
      for (const message of messages) {
        // Only a `tools/call` of a known tool resolves to a tool.
        const operation = operationOf(message);
        if (operation?.kind !== "tool") return undefined;
        names.add(operation.name);
      }
      return names.size === 0 ? undefined : names;
    },
    operationsIn(body) {
      const messages = Array.isArray(body) ? body : [body];
      const operations: Operation[] = [];
      for (const message of messages) {
        const found = operationOf(message);
        for (
          const operation of found === undefined
            ? subscribedResources(message)
            : [found]
        ) {
          if (
            !operations.some((seen) =>
              seen.kind === operation.kind && seen.name === operation.name
            )
          ) {
            operations.push(operation);
          }
        }
      }
      return operations;
    },
  };
}

function requiredScopesMeta(operation: Operation): Record<string, unknown> {
  return Object.freeze({
    "io.scalekit/required_scopes": Object.freeze([
      ...operationScopes(operation),
    ]),
  });
}

/**
 * The 403's `error_description`. It names only table entries (never a
 * client-supplied value), so it always fits RFC 6750 §3's
 * error-description grammar, which the SDK enforces.
 */
function describeRefusal(
  operation: Operation,
  missing: readonly string[],
): string {
  const what = operation.kind === "tool"
    ? `the ${operation.name} tool`
    : operation.kind === "resource"
    ? `reading the ${operation.name} resource`
    : `the ${operation.name} prompt`;
  return `The token lacks scopes ${what} needs: ${missing.join(", ")}`;
}

function scopeError(
  refusal: { missing: readonly string[]; challenge: readonly string[] },
): ProtocolError {
  return new ProtocolError(
    INSUFFICIENT_SCOPE_ERROR_CODE,
    scopeDenialMessage(refusal.missing),
    { error: "insufficient_scope", scope: refusal.challenge.join(" ") },
  );
}

function unexpected(
  error: unknown,
  operation: Operation,
  report: (error: unknown, operation: Operation) => void,
): ProtocolError {
  if (error instanceof TodoStoreError) {
    // The store's messages are written for the caller (never a host, query
    // or driver text). JSON-RPC 2.0 §5.1: bad arguments are -32602; an
    // outage is the server's, -32603.
    const code = error.code === "invalid_input" ||
        error.code === "invalid_cursor"
      ? ProtocolErrorCode.InvalidParams
      : error.code === "unavailable"
      ? ProtocolErrorCode.InternalError
      : ProtocolErrorCode.InvalidRequest;
    return new ProtocolError(code, error.message);
  }
  report(error, operation);
  // The SDK would send a plain Error's message to the client; this one
  // says nothing about the cause.
  return new ProtocolError(
    ProtocolErrorCode.InternalError,
    `${operation.name} failed because of an internal error`,
  );
}

function stringVariables(variables: Variables): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map((
      [name, value],
    ) => [name, Array.isArray(value) ? value.join(",") : value]),
  );
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
