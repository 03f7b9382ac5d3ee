/**
 * Local validation of access tokens against the issuer's published keys.
 *
 * @module
 */

import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from "jose";
import { AuthError } from "./errors.ts";
import type { Identity } from "./identity.ts";

/** Options for {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** The JWKS URL (Scalekit: `<environment_url>/keys`). */
  readonly jwksUri: string;
  /** Accepted `iss` values, matched exactly. */
  readonly issuers: readonly string[];
  /** Accepted audiences; `aud` (string or array) must contain one (RFC 8707). */
  readonly audiences: readonly string[];
  /** Accepted JWS algorithms. Default `["RS256"]`. */
  readonly algorithms?: readonly string[];
  /** Leeway for `exp` and `nbf`, in seconds. Default 30. */
  readonly clockSkewSeconds?: number;
  /** How long fetched keys are trusted before a refetch, in milliseconds. Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
  /**
   * Minimum time between two JWKS fetches, in milliseconds, so tokens with
   * unknown `kid`s cannot make us hammer the issuer. Default 30 000.
   */
  readonly jwksCooldownMs?: number;
  /** JWKS request timeout, in milliseconds. Default 5 000. */
  readonly jwksTimeoutMs?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** The fetch used for the JWKS. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** Turns a bearer token into an {@link Identity}, or refuses it. */
export interface TokenVerifier {
  /**
   * Verifies signature, algorithm, issuer, audience, `exp` (required) and
   * `nbf`, then reads the identity.
   *
   * @throws {AuthError} `invalid_token` for any rejected token,
   * `verifier_unavailable` when the keys cannot be fetched.
   */
  verify(token: string): Promise<Identity>;
}

/**
 * Builds a verifier with one cached, rate-limited remote key set.
 *
 * @example
 * ```ts
 * const verifier = createTokenVerifier({
 *   jwksUri: "https://acme.scalekit.com/keys",
 *   issuers: ["https://acme.scalekit.com"],
 *   audiences: ["res_123"],
 * });
 * const identity = await verifier.verify(token);
 * ```
 */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): TokenVerifier {
  const algorithms = [...(options.algorithms ?? ["RS256"])];
  if (algorithms.some((alg) => alg === "none" || alg.startsWith("HS"))) {
    // RFC 8725 §3.1: a key set of public keys must never verify MACs or `none`.
    throw new TypeError("Only asymmetric JWS algorithms can be accepted");
  }
  const remote = createRemoteJWKSet(new URL(options.jwksUri), {
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  const getKey = guardKeyFetch(remote);
  const verifyOptions = {
    issuer: [...options.issuers],
    audience: [...options.audiences],
    algorithms,
    clockTolerance: options.clockSkewSeconds ?? 30,
    requiredClaims: ["exp", "sub"],
  };
  const now = options.now;

  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          ...verifyOptions,
          ...(now ? { currentDate: new Date(now()) } : {}),
        });
        return identityFromClaims(payload);
      } catch (error) {
        throw toAuthError(error);
      }
    },
  };
}

/**
 * Lets "no key matches" errors through (the token's fault) but turns any
 * failure to fetch or parse the key set into `verifier_unavailable` (not the
 * token's fault, and not a reason to tell the client to re-authenticate).
 */
function guardKeyFetch(remote: JWTVerifyGetKey): JWTVerifyGetKey {
  return async function getKey(header, token) {
    try {
      return await remote(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported ||
        error instanceof errors.JWKInvalid
      ) {
        throw error;
      }
      throw new AuthError(
        "verifier_unavailable",
        "The authorization server's signing keys could not be fetched",
        { cause: error },
      );
    }
  };
}

function identityFromClaims(payload: JWTPayload): Identity {
  const clientId = typeof payload.client_id === "string"
    ? payload.client_id
    : typeof payload.azp === "string"
    ? payload.azp
    : "unknown";
  return Object.freeze({
    subject: payload.sub as string,
    clientId,
    scopes: Object.freeze(scopesFromClaims(payload)),
    expiresAt: payload.exp as number,
    ...(typeof payload.oid === "string" && payload.oid !== ""
      ? { organizationId: payload.oid }
      : {}),
    issuer: payload.iss as string,
    claims: Object.freeze({ ...payload }),
  });
}

/**
 * Granted scopes: the space-separated `scope` claim (RFC 9068 §2.2.3), else
 * Scalekit's `scopes` array, else `scp` (string or array).
 */
export function scopesFromClaims(payload: JWTPayload): string[] {
  const candidates = [payload.scope, payload.scopes, payload.scp];
  for (const value of candidates) {
    if (typeof value === "string") {
      return value.split(" ").filter((scope) => scope !== "");
    }
    if (Array.isArray(value)) {
      return value.filter((scope): scope is string =>
        typeof scope === "string" && scope !== ""
      );
    }
  }
  return [];
}

// Descriptions go to the client: they say which check failed and never echo
// a value taken from the token.
function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const reject = (description: string) =>
    new AuthError("invalid_token", description, { cause: error });
  if (error instanceof errors.JWTExpired) {
    return reject("The token has expired");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return reject("The token was not issued by a trusted issuer");
      case "aud":
        return reject("The token is not meant for this resource (audience)");
      case "nbf":
        return reject("The token is not valid yet (nbf)");
      case "exp":
        return reject("The token has no valid expiry (exp)");
      case "sub":
        return reject("The token has no subject (sub)");
      default:
        return reject(`The token's "${error.claim}" claim is invalid`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return reject("The token's signing algorithm is not accepted");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return reject("No published signing key matches the token");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return reject("The token's signature is invalid");
  }
  if (error instanceof errors.JOSEError) {
    return reject("The token is malformed");
  }
  throw error;
}
