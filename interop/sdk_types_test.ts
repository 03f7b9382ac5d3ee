// The MCP SDK's export map points most `*.js` subpaths at type files that do
// not exist, so Deno silently types those imports as `any` unless each one
// carries a `@ts-types` hint. Each `@ts-expect-error` below only holds while
// the import is really typed: if a hint goes missing and the import turns
// into `any`, the directive is unused and `deno check` fails.
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/server/index"
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolRequestSchema } from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/server/auth/types"
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
// @ts-types="@modelcontextprotocol/sdk/client/auth"
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";

Deno.test("the MCP SDK imports this project uses are typed, not any", () => {
  // @ts-expect-error a class is not a number
  const server: number = Server;
  // @ts-expect-error a class is not a number
  const transport: number = WebStandardStreamableHTTPServerTransport;
  // @ts-expect-error a schema is not a number
  const schema: number = CallToolRequestSchema;
  // @ts-expect-error a class is not a number
  const client: number = Client;
  // @ts-expect-error a class is not a number
  const clientTransport: number = StreamableHTTPClientTransport;
  // @ts-expect-error a function is not a number
  const authFlow: number = auth;
  for (
    const value of [
      server,
      transport,
      schema,
      client,
      clientTransport,
      authFlow,
    ]
  ) {
    assert.notEqual(value, undefined);
  }
});

Deno.test("AuthInfo, which carries the caller's identity, is typed", () => {
  // @ts-expect-error AuthInfo needs token, clientId and scopes
  const info: AuthInfo = {};
  assert.deepEqual(info, {});
});
