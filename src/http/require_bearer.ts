/**
 * The middleware that guards the MCP endpoint: every request must carry a
 * valid bearer token with the required scopes.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { authErrorResponse, type ChallengeContext } from "../auth/challenge.ts";
import { AuthError } from "../auth/errors.ts";
import { extractBearerToken } from "../auth/bearer.ts";
import type { TokenVerifier } from "../auth/verify.ts";
import { missingScopes } from "../tools/scopes.ts";
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
      const identity = await verifier.verify(extractBearerToken(c.req.raw));
      c.set("identity", identity);
      const missing = missingScopes(challenge.requiredScopes, identity.scopes);
      if (missing.length > 0) {
        throw new AuthError(
          "insufficient_scope",
          `The token lacks the required scopes: ${missing.join(", ")}`,
          { requiredScopes: challenge.requiredScopes },
        );
      }
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
  c.set("denial", { code: error.code, reason: error.message });
  const answer = authErrorResponse(error, challenge);
  for (const [name, value] of Object.entries(answer.headers)) {
    c.header(name, value);
  }
  return c.json(answer.body, answer.status);
}
