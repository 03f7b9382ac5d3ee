/**
 * Turns a refusal into its exact HTTP answer: status, `WWW-Authenticate`
 * challenge and JSON body. Pure, so every case is tested without a server.
 *
 * The MCP SDK has a builder too (`bearerAuthChallengeResponse`), and the
 * per-operation 403s of `src/mcp/server.ts` come from it. The endpoint's own
 * answers are built here because the SDK's is wrong for them: it gives a
 * request without credentials `error="invalid_token"` (RFC 6750 §3.1: no
 * error code), has no answer for an unreachable key set but 500, and
 * escapes `"` and `\` in quoted values where RFC 6750 §3 forbids those
 * characters outright.
 *
 * @module
 */

import type { AuthError } from "./errors.ts";

/** What a challenge needs to know about this resource server. */
export interface ChallengeContext {
  /** The path-suffixed protected resource metadata URL (RFC 9728 §5.1). */
  readonly resourceMetadataUrl: string;
  /** Scopes every request needs; sent as `scope` on a bare 401. */
  readonly requiredScopes: readonly string[];
}

/** The HTTP answer to a refused request. */
export interface AuthErrorResponse {
  /** 401, 403 or 503. */
  readonly status: 401 | 403 | 503;
  /** Headers to set: `WWW-Authenticate`, and `Retry-After` for 503. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body: an OAuth-style `error` and `error_description`. */
  readonly body: { readonly error: string; readonly error_description: string };
}

/**
 * Maps an {@link AuthError} to its answer:
 *
 * - `missing_token`: 401 with a challenge that carries no error code
 *   (RFC 6750 §3.1), `resource_metadata` (RFC 9728 §5.1, MCP authorization)
 *   and `scope` when scopes are required.
 * - `invalid_token`: 401 `error="invalid_token"` (RFC 6750 §3.1).
 * - `insufficient_scope`: 403 `error="insufficient_scope"` with `scope`
 *   naming every scope needed, so the client can step up.
 * - `verifier_unavailable`: 503 with `Retry-After`; no challenge, because
 *   the client's token is not at fault.
 */
export function authErrorResponse(
  error: AuthError,
  context: ChallengeContext,
): AuthErrorResponse {
  const metadata = param("resource_metadata", context.resourceMetadataUrl);
  const description = param("error_description", error.message);
  switch (error.code) {
    case "missing_token": {
      const scope = scopeParam(context.requiredScopes);
      return {
        status: 401,
        headers: { "WWW-Authenticate": bearer(metadata, scope) },
        body: { error: "unauthorized", error_description: error.message },
      };
    }
    case "invalid_token":
      return {
        status: 401,
        headers: {
          "WWW-Authenticate": bearer(
            'error="invalid_token"',
            description,
            metadata,
          ),
        },
        body: { error: "invalid_token", error_description: error.message },
      };
    case "insufficient_scope":
      return {
        status: 403,
        headers: {
          "WWW-Authenticate": bearer(
            'error="insufficient_scope"',
            scopeParam(error.requiredScopes),
            metadata,
            description,
          ),
        },
        body: {
          error: "insufficient_scope",
          error_description: error.message,
        },
      };
    case "verifier_unavailable":
      return {
        status: 503,
        headers: { "Retry-After": "30" },
        body: {
          error: "temporarily_unavailable",
          error_description: error.message,
        },
      };
  }
}

function bearer(...params: string[]): string {
  return `Bearer ${params.filter((p) => p !== "").join(", ")}`;
}

/** A `name="value"` auth-param, with characters RFC 6750 §3 forbids dropped. */
function param(name: string, value: string): string {
  // error_description and scope: %x20-21 / %x23-5B / %x5D-7E (no `"` or `\`).
  return `${name}="${value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "")}"`;
}

function scopeParam(scopes: readonly string[]): string {
  return scopes.length === 0 ? "" : param("scope", scopes.join(" "));
}
