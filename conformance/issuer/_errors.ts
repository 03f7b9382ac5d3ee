/**
 * The issuer's protocol errors and the one function that turns them into
 * HTTP responses (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707 §2).
 *
 * @module
 */

/** Error codes the issuer answers with. */
export type OAuthErrorCode =
  // RFC 6749 §4.1.2.1 and §5.2
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "access_denied"
  | "server_error"
  // RFC 8707 §2
  | "invalid_target"
  // RFC 7591 §3.2.2
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  // Not OAuth: an unknown path or resource.
  | "not_found"
  | "method_not_allowed";

/** Default HTTP status for each code when answered directly (not by redirect). */
const STATUS: Readonly<Record<OAuthErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  server_error: 500,
  invalid_target: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  not_found: 404,
  method_not_allowed: 405,
};

/** Options for {@link OAuthError}. */
export interface OAuthErrorOptions {
  /** HTTP status; default the code's usual one (`invalid_client` 401, `not_found` 404, others 400). */
  readonly status?: number;
  /** Extra response headers, such as `WWW-Authenticate` for HTTP Basic failures. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A protocol error to answer with JSON `{error, error_description}`. */
export class OAuthError extends Error {
  /** The stable error code; branch on this, never on the message. */
  readonly code: OAuthErrorCode;
  /** HTTP status of a direct answer. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  /** An error with `code`, a sentence-case `description` and options. */
  constructor(
    code: OAuthErrorCode,
    description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(description);
    this.name = "OAuthError";
    this.code = code;
    this.status = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
  }
}

/**
 * The JSON answer for an {@link OAuthError}, `Cache-Control: no-store` as
 * RFC 6749 §5.1 asks of token responses.
 */
export function oauthErrorResponse(error: OAuthError): Response {
  const body = { error: error.code, error_description: error.message };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "pragma": "no-cache",
      ...error.headers,
    },
  });
}
