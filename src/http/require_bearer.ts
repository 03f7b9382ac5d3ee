/**
 * The middleware that authenticates calls to the MCP endpoint: every request
 * must carry a valid bearer token. What the token may do is decided later,
 * per operation (src/http/mcp_route.ts, src/authz/policy.ts).
 *
 * The MCP SDK has a bearer gate of its own (`requireBearerAuth`), but it is
 * wrong for this server in three ways: it answers a request without
 * credentials with `error="invalid_token"` (RFC 6750 §3.1 says that answer
 * carries no error code), it checks `exp` again without the configured
 * leeway, and it checks scopes before expiry (an expired token without a
 * scope must get 401, not 403).
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { authErrorResponse, type ChallengeContext } from "../auth/challenge.ts";
import { AuthError } from "../auth/errors.ts";
import { extractBearerToken } from "../auth/bearer.ts";
import type { TokenVerifier } from "../auth/verify.ts";
import type { AppEnv } from "./env.ts";

/** Options for {@link requireBearer}. */
export interface RequireBearerOptions {
  /** Verifies tokens. */
  readonly verifier: TokenVerifier;
  /** Where the metadata is and which scopes every request needs. */
  readonly challenge: ChallengeContext;
}

/**
 * Verifies the bearer token and stores the identity as `identity`, or
 * answers with the exact RFC 6750 challenge.
 */
export function requireBearer(
  options: RequireBearerOptions,
): MiddlewareHandler<AppEnv> {
  const { verifier, challenge } = options;
  return async function requireBearer(c, next) {
    try {
      c.set("identity", await verifier.verify(extractBearerToken(c.req.raw)));
    } catch (error) {
      if (error instanceof AuthError) return deny(c, error, challenge);
      throw error;
    }
    await next();
  };
}

/** Answers a refused request and records why, for the request log. */
export function deny(
  c: Context<AppEnv>,
  error: AuthError,
  challenge: ChallengeContext,
): Response {
  c.set("denial", {
    code: error.code,
    reason: error.message,
    ...(error.kind === undefined ? {} : { kind: error.kind }),
  });
  const answer = authErrorResponse(error, challenge);
  for (const [name, value] of Object.entries(answer.headers)) {
    c.header(name, value);
  }
  return c.json(answer.body, answer.status);
}
