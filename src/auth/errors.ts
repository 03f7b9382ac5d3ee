/**
 * The one error type token verification and scope checks throw.
 *
 * @module
 */

/**
 * Why a request to the MCP endpoint was refused.
 *
 * - `missing_token`: no credentials at all, or credentials of another scheme
 *   (RFC 6750 §3.1: the challenge then carries no error code).
 * - `invalid_token`: a malformed `Authorization: Bearer` header, a token sent
 *   where tokens are not accepted (the query string), or a token that failed
 *   any check (signature, key, issuer, audience, lifetime, algorithm, shape).
 * - `insufficient_scope`: a valid token that lacks scopes the request needs.
 * - `verifier_unavailable`: the signing keys could not be fetched, or the
 *   key for the token is malformed or unsupported, so the token can be
 *   neither accepted nor blamed; answered 503, not 401.
 */
export type AuthErrorCode =
  | "missing_token"
  | "invalid_token"
  | "insufficient_scope"
  | "verifier_unavailable";

/**
 * Which check an `invalid_token` failed, for metrics (the `kind` label of
 * `mcp_auth_decisions_total`); never sent to the client.
 */
export type InvalidTokenCheck = typeof INVALID_TOKEN_CHECKS[number];

/** Every {@link InvalidTokenCheck}, one per check the verifier makes. */
export const INVALID_TOKEN_CHECKS = Object.freeze(
  [
    "malformed",
    "signature",
    "unknown_key",
    "algorithm",
    "issuer",
    "audience",
    "expired",
    "not_yet_valid",
    "lifetime",
    "claims",
    "query_string",
  ] as const,
);

/** Options for {@link AuthError}. */
export interface AuthErrorOptions {
  /** For `invalid_token`: which check failed. */
  readonly kind?: InvalidTokenCheck;
  /** For `insufficient_scope`: every scope the request needs. */
  readonly requiredScopes?: readonly string[];
  /** The underlying error, kept for logs only; never sent to a client. */
  readonly cause?: unknown;
}

/**
 * A refusal with a stable {@link AuthErrorCode} and a description that is
 * safe to send to the client: it never contains the token.
 *
 * @example
 * ```ts
 * throw new AuthError("invalid_token", "The token has expired");
 * ```
 */
export class AuthError extends Error {
  /** The stable reason; branch on this, never on the message. */
  readonly code: AuthErrorCode;
  /** For `insufficient_scope`: the scopes the request needs. */
  readonly requiredScopes: readonly string[];
  /** For `invalid_token`: which check failed, when the thrower knows. */
  readonly kind?: InvalidTokenCheck;

  /**
   * @param code The stable reason.
   * @param description A client-safe sentence (sentence case, no period, no token).
   * @param options The scopes needed, and the cause for logs.
   */
  constructor(
    code: AuthErrorCode,
    description: string,
    options: AuthErrorOptions = {},
  ) {
    super(description, { cause: options.cause });
    this.name = "AuthError";
    this.code = code;
    this.requiredScopes = Object.freeze([...(options.requiredScopes ?? [])]);
    if (options.kind !== undefined) this.kind = options.kind;
  }
}
