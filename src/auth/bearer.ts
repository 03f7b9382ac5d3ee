/**
 * Reads the bearer token from a request, the one place that does.
 *
 * @module
 */

import { AuthError } from "./errors.ts";

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, scheme case-insensitive.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

/**
 * Returns the bearer token carried in the `Authorization` header.
 *
 * Tokens are taken from the header only (MCP authorization: "MUST NOT be
 * included in the URI query string"). A request that offers one in the query
 * string is refused with `invalid_token` rather than silently treated as
 * anonymous, so the client learns what it did wrong.
 *
 * @throws {AuthError} `missing_token` when there is no header or it uses
 * another scheme; `invalid_token` when the header is malformed or the token
 * was sent in the query string.
 */
export function extractBearerToken(request: Request): string {
  const header = request.headers.get("authorization");
  if (header === null || header.trim() === "") {
    // Only a URL with a query can carry one (most have none: no parse).
    if (
      request.url.includes("?") &&
      new URL(request.url).searchParams.has("access_token")
    ) {
      throw new AuthError(
        "invalid_token",
        "Access tokens are accepted only in the Authorization header",
        { kind: "query_string" },
      );
    }
    throw new AuthError("missing_token", "Authentication required");
  }
  const trimmed = header.trim();
  if (!BEARER_SCHEME.test(trimmed)) {
    throw new AuthError(
      "missing_token",
      "Only the Bearer authentication scheme is supported",
    );
  }
  const match = BEARER.exec(trimmed);
  if (match === null) {
    throw new AuthError("invalid_token", "Malformed Bearer credentials", {
      kind: "malformed",
    });
  }
  return match[1];
}
