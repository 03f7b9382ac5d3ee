/**
 * Decides whether a verified token may perform an operation, and what a
 * refusal's step-up challenge names. Pure: the HTTP guard, the MCP
 * registrations and the metadata document all ask it, so every place agrees.
 *
 * The two protocol eras differ in what a 403 `insufficient_scope` should
 * name ("Scope Challenge Handling" in the authorization page of each spec
 * revision):
 *
 * - 2025-11-25 and earlier (`legacy`): the recommended approach includes
 *   "both existing relevant scopes and newly required scopes", because
 *   clients of that era re-authorize with exactly the challenged set and
 *   would otherwise lose what they had. Here the challenge names the scopes
 *   the operation needs plus the token's granted scopes that this server
 *   knows (those in `scopes_supported`).
 * - 2026-07-28 (`modern`): the challenge names the scopes needed "for the
 *   current operation", all of them in one challenge; clients compute the
 *   union with what they already hold.
 *
 * In both eras `offline_access` is never advertised: protected resources
 * "SHOULD NOT include `offline_access` in `WWW-Authenticate` scope or
 * Protected Resource Metadata `scopes_supported`" (2026-07-28, "Refresh
 * Tokens"); refresh tokens are the authorization server's business.
 *
 * @module
 */

import {
  type Operation,
  operationScopes,
  SCOPE_IMPLICATIONS,
  tableScopes,
} from "./scopes.ts";

/** Which family of MCP revisions a request speaks (the SDK's `ProtocolEra`). */
export type ProtocolEra = "legacy" | "modern";

/** The scope that asks for refresh tokens; never a resource requirement. */
export const OFFLINE_ACCESS = "offline_access";

/** Options for {@link createScopePolicy}. */
export interface ScopePolicyOptions {
  /** Scopes every request needs, whatever the operation. Never `offline_access`. */
  readonly requiredScopes: readonly string[];
  /**
   * Scope hierarchy: each key grants the scopes it lists, transitively.
   * Default {@link SCOPE_IMPLICATIONS} (none).
   */
  readonly implies?: Readonly<Record<string, readonly string[]>>;
}

/** Why an operation is refused, and what to challenge for. */
export interface ScopeRefusal {
  /** Needed scopes the token does not cover, in table order (for logs and in-band errors). */
  readonly missing: readonly string[];
  /** The `scope` of the 403 challenge: never empty, never `offline_access`. */
  readonly challenge: readonly [string, ...string[]];
}

/** The authorization rules of this server. */
export interface ScopePolicy {
  /** Scopes every request needs. */
  readonly requiredScopes: readonly string[];
  /** `scopes_supported`: required scopes first, then the table's; never empty when the table is not. */
  readonly supported: readonly string[];
  /**
   * Checks `granted` against what the operations of one request need, plus
   * the required scopes; no operations checks the required scopes alone, as
   * the endpoint does for every request. A request is usually one operation;
   * a 2025-era JSON-RPC batch may hold several, and one challenge then names
   * what all of them need, so one step-up is enough (2026-07-28: "include
   * all scopes required for the current operation in a single challenge").
   *
   * @returns `undefined` when allowed, else the refusal.
   */
  check(
    operations: readonly Operation[],
    granted: readonly string[],
    era: ProtocolEra,
  ): ScopeRefusal | undefined;
}

/**
 * Builds the policy once, at start.
 *
 * @throws {TypeError} when `requiredScopes` contains `offline_access`, or a
 * scope is not a valid OAuth scope-token (RFC 6749 §3.3).
 */
export function createScopePolicy(options: ScopePolicyOptions): ScopePolicy {
  const required = unique(options.requiredScopes);
  const implies = options.implies ?? SCOPE_IMPLICATIONS;
  for (const scope of [...required, ...Object.keys(implies)]) {
    assertScopeToken(scope);
  }
  if (required.includes(OFFLINE_ACCESS)) {
    throw new TypeError(
      `"${OFFLINE_ACCESS}" cannot be a required scope: it asks for refresh tokens, not access to this resource`,
    );
  }
  // Never offline_access: required scopes cannot hold it (checked above)
  // and the table does not.
  const supported = Object.freeze(unique([...required, ...tableScopes()]));
  const known = new Set(supported);

  function effective(granted: readonly string[]): Set<string> {
    const have = new Set(granted);
    const queue = [...granted];
    for (let scope = queue.pop(); scope !== undefined; scope = queue.pop()) {
      for (const implied of implies[scope] ?? []) {
        if (!have.has(implied)) {
          have.add(implied);
          queue.push(implied);
        }
      }
    }
    return have;
  }

  const policy: ScopePolicy = {
    requiredScopes: Object.freeze(required),
    supported,
    check(operations, granted, era) {
      const needed = unique([
        ...required,
        ...operations.flatMap(operationScopes),
      ]);
      const have = effective(granted);
      const missing = needed.filter((scope) => !have.has(scope));
      if (missing.length === 0) return undefined;
      const relevantGranted = era === "legacy"
        ? granted.filter((scope) => known.has(scope))
        : [];
      // Never offline_access: required scopes cannot hold it, the table does
      // not, and granted scopes count only when `supported` lists them.
      const challenge = unique([...needed, ...relevantGranted]);
      return Object.freeze({
        missing: Object.freeze(missing),
        challenge: Object.freeze(challenge) as readonly string[] as readonly [
          string,
          ...string[],
        ],
      });
    },
  };
  return Object.freeze(policy);
}

function unique(scopes: readonly string[]): string[] {
  return [...new Set(scopes)];
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function assertScopeToken(scope: string): void {
  if (!SCOPE_TOKEN.test(scope)) {
    throw new TypeError(`"${scope}" is not a valid OAuth scope`);
  }
}
