/**
 * What the issuer remembers between requests: single-use authorization
 * codes and rotating refresh tokens. In memory only.
 *
 * @module
 */

import { opaqueSecret, scalekitId } from "./_ids.ts";

/** Lifetime of an authorization code, in seconds. */
export const CODE_TTL_SECONDS = 60;

/** What the user consented to, carried from code to refresh token. */
export interface Grant {
  /** The client the grant is for. */
  readonly clientId: string;
  /** The resource the tokens are for. */
  readonly resourceId: string;
  /** The `resource` parameter as sent at `/oauth/authorize`, if any (RFC 8707). */
  readonly resourceIndicator: string | undefined;
  /** Granted scopes, `offline_access` included when granted. */
  readonly scopes: readonly string[];
  /** User id (`sub`). */
  readonly userId: string;
  /** Organisation id (`oid`). */
  readonly organizationId: string;
  /** Session id (`sid`), the same for every token of one authorization. */
  readonly sessionId: string;
  /** Every refresh token descending from one code shares this. */
  readonly familyId: string;
}

/** An issued authorization code. */
export interface AuthorizationCode extends Grant {
  /** The exact `redirect_uri` of the authorization request. */
  readonly redirectUri: string;
  /** PKCE S256 challenge (RFC 7636 §4.2). */
  readonly codeChallenge: string;
  /** Expiry, milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** An issued refresh token. */
export interface RefreshToken extends Grant {
  /** Expiry, milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** Outcome of redeeming a code or refresh token. */
export type Redemption<T> =
  | { readonly status: "ok"; readonly value: T }
  | { readonly status: "unknown" | "expired" | "reused" };

/** Codes and refresh tokens, with the single-use and rotation rules. */
export class GrantStore {
  #codes = new Map<string, AuthorizationCode>();
  #usedCodes = new Map<string, string>();
  #refreshTokens = new Map<string, RefreshToken>();
  #rotatedRefreshTokens = new Map<string, string>();
  #now: () => number;

  /** A store reading time from `now` (milliseconds). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** A new session id and family id for one authorization. */
  static newSession(): { sessionId: string; familyId: string } {
    return { sessionId: scalekitId("ses"), familyId: opaqueSecret(12) };
  }

  /** Stores a code valid for {@link CODE_TTL_SECONDS} and returns it. */
  issueCode(grant: Omit<AuthorizationCode, "expiresAt">): string {
    this.#sweep();
    const code = opaqueSecret();
    this.#codes.set(code, {
      ...grant,
      expiresAt: this.#now() + CODE_TTL_SECONDS * 1000,
    });
    return code;
  }

  /**
   * Takes a code out: it can be redeemed once. A second attempt reports
   * `reused` and revokes the refresh tokens issued from the first (RFC 6749
   * §4.1.2, OAuth 2.1 §4.1.3).
   */
  redeemCode(code: string): Redemption<AuthorizationCode> {
    const found = this.#codes.get(code);
    if (found === undefined) {
      const family = this.#usedCodes.get(code);
      if (family === undefined) return { status: "unknown" };
      this.revokeFamily(family);
      return { status: "reused" };
    }
    this.#codes.delete(code);
    this.#usedCodes.set(code, found.familyId);
    if (found.expiresAt <= this.#now()) return { status: "expired" };
    return { status: "ok", value: found };
  }

  /** Stores a refresh token valid for `ttlSeconds` and returns it. */
  issueRefreshToken(grant: Grant, ttlSeconds: number): string {
    const token = opaqueSecret();
    this.#refreshTokens.set(token, {
      ...grant,
      expiresAt: this.#now() + ttlSeconds * 1000,
    });
    return token;
  }

  /** The refresh token's grant without using it up, or `undefined`. */
  peekRefreshToken(token: string): RefreshToken | undefined {
    return this.#refreshTokens.get(token);
  }

  /**
   * Takes a refresh token out (rotation: each is used once). Presenting a
   * rotated token again revokes its whole family, since either the client
   * or an attacker holds a stolen copy (OAuth 2.1 §4.3.1).
   */
  redeemRefreshToken(token: string): Redemption<RefreshToken> {
    const found = this.#refreshTokens.get(token);
    if (found === undefined) {
      const family = this.#rotatedRefreshTokens.get(token);
      if (family === undefined) return { status: "unknown" };
      this.revokeFamily(family);
      return { status: "reused" };
    }
    this.#refreshTokens.delete(token);
    this.#rotatedRefreshTokens.set(token, found.familyId);
    if (found.expiresAt <= this.#now()) return { status: "expired" };
    return { status: "ok", value: found };
  }

  /** Revokes every live refresh token of a family. */
  revokeFamily(familyId: string): void {
    for (const [token, grant] of this.#refreshTokens) {
      if (grant.familyId === familyId) {
        this.#refreshTokens.delete(token);
        this.#rotatedRefreshTokens.set(token, familyId);
      }
    }
  }

  #sweep(): void {
    const now = this.#now();
    for (const [code, grant] of this.#codes) {
      if (grant.expiresAt <= now) this.#codes.delete(code);
    }
  }
}
