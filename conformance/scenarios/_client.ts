/**
 * Real MCP clients, for scenarios that must speak MCP the way clients do:
 *
 * - `legacy`: the MCP SDK 1.x client (`@modelcontextprotocol/sdk`), which
 *   speaks the 2025 era (`initialize`), like most clients in the field;
 * - `modern`: the SDK 2 client (`@modelcontextprotocol/client`) negotiating
 *   with `server/discover`, which speaks 2026-07-28 when the server does.
 *
 * Both are driven through one small interface, so a scenario is written
 * once and run in either era.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import type { LabelledToken } from "../probe.ts";
import type { ScenarioContext } from "../scenario.ts";

/** Which protocol era a client speaks. */
export type Era = "legacy" | "modern";

/** The client name the conformance suite announces. */
export const CLIENT_INFO = Object.freeze({
  name: "mcp-scalekit-conformance",
  version: "0.2.0",
});

/** A tool result, reduced to what scenarios judge. */
export interface ToolOutcome {
  /** Whether the result says `isError: true`. */
  readonly isError: boolean;
  /** Its text (first text block), for reports and for finding markers. */
  readonly text: string;
}

/** The MCP calls scenarios make, the same in both eras. */
export interface McpSession {
  /** The era the connection speaks. */
  readonly era: Era;
  /** Tool names from `tools/list`. */
  listTools(): Promise<string[]>;
  /** `tools/call`; a JSON-RPC error or an HTTP refusal throws. */
  callTool(name: string, args: Record<string, unknown>): Promise<ToolOutcome>;
  /** Resource URIs from `resources/list`. */
  listResources(): Promise<string[]>;
  /** `resources/read`, the contents' text joined. */
  readResource(uri: string): Promise<string>;
  /** Prompt names from `prompts/list`. */
  listPrompts(): Promise<string[]>;
  /** `prompts/get` without arguments, the messages' text joined. */
  getPrompt(name: string): Promise<string>;
  /** Whether the server advertised resources / prompts. */
  capabilities(): { resources: boolean; prompts: boolean };
  /** The server's name and version, when it said. */
  serverVersion(): { name: string; version: string } | undefined;
}

/** A connected client and what the server last answered over HTTP. */
export interface TokenClient {
  /** The session. */
  readonly session: McpSession;
  /**
   * The answer to the client's last POST (its last JSON-RPC request). GETs
   * are left out: a legacy client opens a background GET stream after
   * initializing, and its answer can arrive after the POST's.
   */
  lastResponse(): Response | undefined;
  /** Closes the client. */
  close(): Promise<void>;
}

/** Thrown when a modern-era client found the server speaking only the 2025 era. */
export class EraUnavailable extends Error {
  /** @param negotiated What the server negotiated instead. */
  constructor(negotiated: string) {
    super(
      `the server does not speak the 2026-07-28 era (the modern client negotiated ${negotiated}); this suite judges authorization, not which revision a server speaks`,
    );
    this.name = "EraUnavailable";
  }
}

/** What both SDK clients offer, as far as scenarios use it. */
interface SdkClient {
  connect(transport: unknown): Promise<void>;
  close(): Promise<void>;
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(params: {
    name: string;
    arguments: Record<string, unknown>;
  }): Promise<Record<string, unknown>>;
  listResources(): Promise<{ resources: Array<{ uri: string }> }>;
  readResource(params: { uri: string }): Promise<{ contents: unknown[] }>;
  listPrompts(): Promise<{ prompts: Array<{ name: string }> }>;
  getPrompt(params: { name: string }): Promise<{ messages: unknown[] }>;
  getServerCapabilities(): Record<string, unknown> | undefined;
  getServerVersion(): { name: string; version: string } | undefined;
  getProtocolEra?(): string | undefined;
  getNegotiatedProtocolVersion?(): string | undefined;
}

/** Options for {@link connectClient}. */
export interface ConnectOptions {
  /** Which client to use. */
  readonly era: Era;
  /** A bearer token for every request. */
  readonly token?: LabelledToken;
  /** An OAuth client provider instead of a token (journeys). */
  readonly authProvider?: unknown;
  /** The fetch the client uses; default a recording one. */
  readonly fetch?: typeof fetch;
}

/**
 * Connects an MCP client to the server under test.
 *
 * @throws {EraUnavailable} for `modern` when the server negotiated the 2025 era.
 * @throws the SDK's error when the server refuses to connect.
 */
export async function connectClient(
  context: ScenarioContext,
  options: ConnectOptions,
): Promise<TokenClient> {
  let last: Response | undefined;
  const recording = options.fetch ??
    context.probe.recordingFetch(options.token ? [options.token] : []);
  const fetchFn: typeof fetch = async (input, init) => {
    const response = await recording(input, init);
    const method = init?.method ??
      (input instanceof Request ? input.method : "GET");
    if (method === "POST") last = response;
    return response;
  };
  const transportOptions = {
    ...(options.token
      ? {
        requestInit: {
          headers: { authorization: `Bearer ${options.token.value}` },
        },
      }
      : {}),
    ...(options.authProvider ? { authProvider: options.authProvider } : {}),
    fetch: fetchFn,
  };
  const url = new URL(context.options.url);
  let client: SdkClient;
  let transport: unknown;
  if (options.era === "legacy") {
    client = new LegacyClient({ ...CLIENT_INFO }) as unknown as SdkClient;
    transport = new LegacyTransport(
      url,
      transportOptions as ConstructorParameters<typeof LegacyTransport>[1],
    );
  } else {
    client = new ModernClient({ ...CLIENT_INFO }, {
      versionNegotiation: { mode: "auto" },
    }) as unknown as SdkClient;
    transport = new ModernTransport(
      url,
      transportOptions as ConstructorParameters<typeof ModernTransport>[1],
    );
  }
  await client.connect(transport);
  if (options.era === "modern" && client.getProtocolEra?.() !== "modern") {
    const negotiated = client.getNegotiatedProtocolVersion?.() ?? "nothing";
    await client.close();
    throw new EraUnavailable(negotiated);
  }
  return {
    session: sessionOf(client, options.era),
    lastResponse: () => last,
    close: () => client.close(),
  };
}

/** Connects with `token`, runs `use`, and always closes the client. */
export async function withClient<T>(
  context: ScenarioContext,
  token: LabelledToken,
  use: (connection: TokenClient) => T | Promise<T>,
  era: Era = "legacy",
): Promise<T> {
  const connection = await connectClient(context, { era, token });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

function sessionOf(client: SdkClient, era: Era): McpSession {
  return {
    era,
    async listTools() {
      return (await client.listTools()).tools.map((tool) => tool.name);
    },
    async callTool(name, args) {
      const result = await client.callTool({ name, arguments: args });
      return { isError: result.isError === true, text: resultText(result) };
    },
    async listResources() {
      return (await client.listResources()).resources.map((r) => r.uri);
    },
    async readResource(uri) {
      return contentsText((await client.readResource({ uri })).contents);
    },
    async listPrompts() {
      return (await client.listPrompts()).prompts.map((p) => p.name);
    },
    async getPrompt(name) {
      const { messages } = await client.getPrompt({ name });
      return contentsText(
        messages.map((m) =>
          typeof m === "object" && m !== null
            ? (m as { content?: unknown }).content
            : undefined
        ),
      );
    },
    capabilities() {
      const capabilities = client.getServerCapabilities() ?? {};
      return {
        resources: capabilities.resources !== undefined,
        prompts: capabilities.prompts !== undefined,
      };
    },
    serverVersion: () => client.getServerVersion(),
  };
}

/** The text of a tool result's first text block, for reports. */
export function resultText(result: object): string {
  const content = (result as { content?: unknown }).content;
  const blocks = Array.isArray(content) ? content : [];
  const text = blocks.find((b): b is { type: "text"; text: string } =>
    typeof b === "object" && b !== null &&
    (b as { type?: unknown }).type === "text"
  );
  return text?.text ?? JSON.stringify(result).slice(0, 200);
}

function contentsText(contents: readonly unknown[]): string {
  return contents.map((item) => {
    if (typeof item !== "object" || item === null) return "";
    const { text } = item as { text?: unknown };
    return typeof text === "string" ? text : JSON.stringify(item);
  }).join("\n");
}

/**
 * The era scenarios that are not about eras speak in: the modern one when
 * the run judges 2026-07-28 and the server speaks it, else the legacy one.
 * Probed once per run with `token`.
 */
export function preferredEra(
  context: ScenarioContext,
  token: LabelledToken,
): Promise<Era> {
  if (context.spec !== "2026-07-28") return Promise.resolve("legacy");
  return context.once("preferred era", async () => {
    try {
      await withClient(context, token, () => {}, "modern");
      return "modern";
    } catch {
      // Not modern, or not reachable with this token: the scenarios then
      // meet the real problem with the client most servers speak to.
      return "legacy";
    }
  });
}
