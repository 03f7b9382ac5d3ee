/**
 * A mock Scalekit environment: an OAuth 2.1 authorization server with
 * Scalekit's endpoints, metadata and token shapes, for the conformance
 * suite, dev mode and the server's tests.
 *
 * @example
 * ```ts
 * import { startMockIssuer } from "./mod.ts";
 *
 * const issuer = await startMockIssuer({
 *   resources: [{ id: "res_1", url: "http://127.0.0.1:3002/mcp", scopes: ["todo:read"] }],
 * });
 * const good = await issuer.mint();
 * const expired = await issuer.mintBad("expired");
 * await issuer.close();
 * ```
 *
 * @module
 */

export type {
  BadTokenKind,
  MintOptions,
  MockIssuer,
  MockIssuerOptions,
  RegisteredClient,
  ResourceRegistration,
  TestUser,
  TokenEndpointAuthMethod,
} from "./types.ts";
export { startMockIssuer } from "./server.ts";
export { createMockIssuer, type InProcessMockIssuer } from "./issuer.ts";
export { BAD_TOKEN_KINDS } from "./tokens.ts";
