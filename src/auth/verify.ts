/**
 * Local validation of access tokens against the issuer's published keys.
 *
 * @module
 */

import { errors, type JWTPayload, jwtVerify } from "jose";
import { AuthError, type InvalidTokenCheck } from "./errors.ts";
import type { Identity } from "./identity.ts";
import { createRemoteKeySet, KeySetError } from "./jwks.ts";

/** Default of {@link TokenVerifierOptions.maxTokenLifetimeSeconds}: 24 hours. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** Options for {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** The JWKS URL (Scalekit: `<environment_url>/keys`). */
  readonly jwksUri: string;
  /** Accepted `iss` values, matched exactly. */
  readonly issuers: readonly string[];
  /** Accepted audiences; `aud` (string or array) must contain one (RFC 8707). */
  readonly audiences: readonly string[];
  /**
   * Accepted JWS algorithms (Scalekit: `["RS256"]`). Required: with a
   * default, a caller that forgot to pass a provider's `ES256` would accept
   * RS256 tokens.
   */
  readonly algorithms: readonly string[];
  /**
   * Leeway for `exp` and `nbf`, in seconds (RFC 7519 §4.1.4 allows "some
   * small leeway"). Required, so that no default can silently grow; the
   * configuration bounds it to 0–300.
   */
  readonly clockSkewSeconds: number;
  /**
   * The longest a token may be valid, in seconds: `exp` may be at most this
   * far past now (plus the leeway), and, when `iat` is present, at most this
   * far past `iat`. Refuses `exp: 1e400` (JSON's Infinity) and tokens minted
   * for years. Default 86 400 (24 h); Scalekit's tokens live 1 h.
   */
  readonly maxTokenLifetimeSeconds?: number;
  /** How long fetched keys are trusted before a refetch, in ms. Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
  /**
   * Minimum time after a successful JWKS fetch before a token with an
   * unknown `kid` may cause another, in ms. Default 30 000.
   */
  readonly jwksCooldownMs?: number;
  /** JWKS request timeout, in ms. Default 5 000. */
  readonly jwksTimeoutMs?: number;
  /** Wait after a failed JWKS fetch, doubling per consecutive failure, in ms. Default 1 000. */
  readonly jwksFailureBackoffMinMs?: number;
  /** Longest wait between JWKS fetches while the issuer fails, in ms. Default 60 000. */
  readonly jwksFailureBackoffMaxMs?: number;
  /**
   * While refetching fails, keys from the last good fetch keep verifying
   * tokens until this long after it, in ms; 0 turns this off. Default
   * 86 400 000 (24 h).
   */
  readonly jwksStaleIfErrorMs?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** The fetch used for the JWKS. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /**
   * Called with the `kid`s of every key set fetched (see
   * `RemoteKeySetOptions.onKeySet`): the token cache's `retainKeys`.
   */
  readonly onKeySet?: (kids: readonly string[]) => void;
}

/** Turns a bearer token into an {@link Identity}, or refuses it. */
export interface TokenVerifier {
  /**
   * Verifies signature, algorithm, issuer, audience, `exp` (required, and
   * within the maximum lifetime) and `nbf`, checks the type of every
   * identity claim, then reads the identity.
   *
   * @throws {AuthError} `invalid_token` for any rejected token,
   * `verifier_unavailable` when the keys cannot be fetched or used.
   */
  verify(token: string): Promise<Identity>;
}

/**
 * Builds a verifier with one cached remote key set that backs off while
 * the issuer fails and serves its last good keys meanwhile (see `jwks.ts`).
 *
 * @example
 * ```ts
 * const verifier = createTokenVerifier({
 *   jwksUri: "https://acme.scalekit.com/keys",
 *   issuers: ["https://acme.scalekit.com"],
 *   audiences: ["res_123"],
 *   algorithms: ["RS256"],
 *   clockSkewSeconds: 30,
 * });
 * const identity = await verifier.verify(token);
 * ```
 */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): TokenVerifier {
  const algorithms = [...(options.algorithms ?? [])];
  if (algorithms.length === 0) {
    throw new TypeError('"algorithms" must name at least one algorithm');
  }
  if (algorithms.some((alg) => alg === "none" || alg.startsWith("HS"))) {
    // RFC 8725 §3.1: a key set of public keys must never verify MACs or `none`.
    throw new TypeError("Only asymmetric JWS algorithms can be accepted");
  }
  const leeway = options.clockSkewSeconds;
  if (!Number.isFinite(leeway) || leeway < 0) {
    throw new TypeError('"clockSkewSeconds" must be a non-negative number');
  }
  const maxLifetime = options.maxTokenLifetimeSeconds ??
    DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (!Number.isFinite(maxLifetime) || maxLifetime <= 0) {
    throw new TypeError('"maxTokenLifetimeSeconds" must be a positive number');
  }
  const now = options.now ?? Date.now;
  const getKey = createRemoteKeySet({
    url: options.jwksUri,
    cacheMaxAgeMs: options.jwksCacheMaxAgeMs,
    cooldownMs: options.jwksCooldownMs,
    timeoutMs: options.jwksTimeoutMs,
    failureBackoffMinMs: options.jwksFailureBackoffMinMs,
    failureBackoffMaxMs: options.jwksFailureBackoffMaxMs,
    staleIfErrorMs: options.jwksStaleIfErrorMs,
    now,
    fetch: options.fetch,
    onKeySet: options.onKeySet,
  });
  const verifyOptions = {
    issuer: [...options.issuers],
    audience: [...options.audiences],
    // RFC 8725 §3.1: only the configured algorithms, never the token's choice.
    algorithms,
    clockTolerance: leeway,
    requiredClaims: ["exp", "sub"],
  };

  return {
    async verify(token) {
      const at = now();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          ...verifyOptions,
          currentDate: new Date(at),
        }));
      } catch (error) {
        throw toAuthError(error);
      }
      checkLifetime(payload, at / 1000, maxLifetime, leeway);
      checkClaimTypes(payload);
      return identityFromClaims(payload);
    },
  };
}

/**
 * `exp` at most `maxLifetime` seconds past now (plus the leeway, for an
 * issuer whose clock runs ahead) and, with `iat`, at most `maxLifetime` past
 * `iat`. jose has already checked both are numbers and `exp` is not past.
 */
function checkLifetime(
  payload: JWTPayload,
  nowSeconds: number,
  maxLifetime: number,
  leeway: number,
): void {
  const exp = payload.exp as number;
  const tooLong = !(exp - nowSeconds <= maxLifetime + leeway) ||
    (typeof payload.iat === "number" && !(exp - payload.iat <= maxLifetime));
  if (tooLong) {
    throw new AuthError(
      "invalid_token",
      `The token's lifetime (exp) exceeds the ${maxLifetime} s this server accepts`,
      { kind: "lifetime" },
    );
  }
}

/**
 * The claims the identity is read from must have the type RFC 7519 §4.1,
 * RFC 9068 §2.2 and Scalekit give them; a claim of another type is refused
 * rather than guessed at (a number `sub` would otherwise name a tenant).
 * `iss` needs no check here: jose has matched it to a configured string.
 */
function checkClaimTypes(payload: JWTPayload): void {
  const wrong = (claim: string, kind: string) =>
    new AuthError(
      "invalid_token",
      `The token's "${claim}" claim must be ${kind}`,
      { kind: "claims" },
    );
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw wrong("sub", "a non-empty string");
  }
  for (const claim of ["client_id", "azp", "oid", "scope"]) {
    if (claim in payload && typeof payload[claim] !== "string") {
      throw wrong(claim, "a string");
    }
  }
  if ("scopes" in payload && !isStringArray(payload.scopes)) {
    throw wrong("scopes", "an array of strings");
  }
  if (
    "scp" in payload && typeof payload.scp !== "string" &&
    !isStringArray(payload.scp)
  ) {
    throw wrong("scp", "a string or an array of strings");
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) &&
    value.every((item) => typeof item === "string");
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
  if (error instanceof KeySetError) {
    return new AuthError(
      "verifier_unavailable",
      error.code === "unusable_key"
        ? "The authorization server's signing key for this token cannot be used"
        : "The authorization server's signing keys could not be fetched",
      { cause: error },
    );
  }
  const reject = (description: string, kind: InvalidTokenCheck) =>
    new AuthError("invalid_token", description, { cause: error, kind });
  if (error instanceof errors.JWTExpired) {
    return reject("The token has expired", "expired");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return reject("The token was not issued by a trusted issuer", "issuer");
      case "aud":
        return reject(
          "The token is not meant for this resource (audience)",
          "audience",
        );
      case "nbf":
        return reject("The token is not valid yet (nbf)", "not_yet_valid");
      case "exp":
        return reject("The token has no valid expiry (exp)", "claims");
      case "sub":
        return reject("The token has no subject (sub)", "claims");
      default:
        return reject(
          `The token's "${error.claim}" claim is invalid`,
          "claims",
        );
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return reject("The token's signing algorithm is not accepted", "algorithm");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return reject("No published signing key matches the token", "unknown_key");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return reject("The token's signature is invalid", "signature");
  }
  if (error instanceof errors.JOSEError) {
    return reject("The token is malformed", "malformed");
  }
  throw error;
}
