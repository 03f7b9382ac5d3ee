/**
 * A real MCP SDK client connected with a bearer token, for scenarios that
 * must speak MCP (initialize, tools/list, tools/call) the way clients do.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { LabelledToken } from "../probe.ts";
import type { ScenarioContext } from "../scenario.ts";

/** A connected client and what the server last answered over HTTP. */
export interface TokenClient {
  /** The SDK client, initialized. */
  readonly client: Client;
  /**
   * The answer to the client's last POST (its last JSON-RPC request). GETs
   * are left out: the SDK opens a background GET stream after initializing,
   * and its answer can arrive after the POST's.
   */
  lastResponse(): Response | undefined;
  /** Closes the client. */
  close(): Promise<void>;
}

/** The client name the conformance suite announces. */
export const CLIENT_INFO = Object.freeze({
  name: "mcp-scalekit-conformance",
  version: "0.1.0",
});

/**
 * Connects (initialize) with `token` in the `Authorization` header.
 *
 * @throws the SDK's error when the server refuses `initialize`.
 */
export async function connectWithToken(
  context: ScenarioContext,
  token: LabelledToken,
): Promise<TokenClient> {
  let last: Response | undefined;
  const recording = context.probe.recordingFetch([token]);
  const client = new Client({ ...CLIENT_INFO });
  const transport = new StreamableHTTPClientTransport(
    new URL(context.options.url),
    {
      requestInit: { headers: { authorization: `Bearer ${token.value}` } },
      fetch: async (input, init) => {
        const response = await recording(input, init);
        if (init?.method === "POST") last = response;
        return response;
      },
    },
  );
  await client.connect(transport);
  return {
    client,
    lastResponse: () => last,
    close: () => client.close(),
  };
}

/** Connects with `token`, runs `use`, and always closes the client. */
export async function withClient<T>(
  context: ScenarioContext,
  token: LabelledToken,
  use: (connection: TokenClient) => T | Promise<T>,
): Promise<T> {
  const connection = await connectWithToken(context, token);
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
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
