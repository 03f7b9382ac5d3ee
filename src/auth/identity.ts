/**
 * The identity a verified token proves, as tool handlers see it.
 *
 * @module
 */

import type { JWTPayload } from "jose";

/** Who called, according to a verified access token. */
export interface Identity {
  /** `sub`: the user (`usr_…`) or, for machine tokens, the client. */
  readonly subject: string;
  /** `client_id` (or `azp`), or `unknown` when the token names none. */
  readonly clientId: string;
  /** Granted scopes, from `scope`, else `scopes`, else `scp`. */
  readonly scopes: readonly string[];
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /** `oid`, the Scalekit organisation, when present. */
  readonly organizationId?: string;
  /** The issuer that signed the token. */
  readonly issuer: string;
  /** Every verified claim. */
  readonly claims: Readonly<JWTPayload>;
}

/**
 * The identity used when the server runs with provider `none`: nobody in
 * particular, holding `scopes` (with no authentication there is no
 * authorization either, so the caller passes every scope).
 */
export function anonymousIdentity(scopes: readonly string[]): Identity {
  return Object.freeze({
    subject: "anonymous",
    clientId: "anonymous",
    scopes: Object.freeze([...scopes]),
    expiresAt: 0,
    issuer: "none",
    claims: Object.freeze({}),
  });
}

/** The tenant whose data a caller may see: the organisation, else the subject. */
export function tenantOf(identity: Identity): string {
  return identity.organizationId
    ? `org:${identity.organizationId}`
    : `sub:${identity.subject}`;
}

/**
 * One caller, for per-caller limits: the subject and the client id
 * together (one user may use several clients; one client serves several
 * users), so neither alone can take another's share.
 */
export function callerOf(identity: Identity): string {
  return JSON.stringify([identity.subject, identity.clientId]);
}
