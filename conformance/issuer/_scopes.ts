/**
 * The `scope` parameter (RFC 6749 §3.3) and what the issuer grants for it.
 *
 * @module
 */

import type { ResourceRegistration } from "./types.ts";
import { OAuthError } from "./_errors.ts";
import { isScopeToken, OFFLINE_ACCESS } from "./resources.ts";

/**
 * The scopes a `scope` parameter asks for, or `undefined` when it is absent
 * or blank. Throws `invalid_scope` on a character RFC 6749 §3.3 forbids.
 */
export function parseScopeParameter(
  value: string | null | undefined,
): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  const scopes = value.split(" ").filter((scope) => scope !== "");
  if (scopes.length === 0) return undefined;
  const bad = scopes.find((scope) => !isScopeToken(scope));
  if (bad !== undefined) {
    throw new OAuthError("invalid_scope", `Scope "${bad}" is malformed`);
  }
  return [...new Set(scopes)];
}

/**
 * What the issuer grants: the requested scopes the resource defines (others
 * are dropped silently, as Scalekit does), plus `offline_access` when
 * requested and allowed. Asking for none of the resource's scopes grants
 * all of them. Asking only for scopes nobody knows is `invalid_scope`.
 */
export function grantScopes(
  resource: ResourceRegistration,
  requested: readonly string[] | undefined,
  allowOfflineAccess: boolean,
): string[] {
  const wanted = requested ?? [];
  const known = wanted.filter((scope) => resource.scopes.includes(scope));
  const offline = allowOfflineAccess && wanted.includes(OFFLINE_ACCESS);
  if (known.length === 0 && !offline && wanted.length > 0) {
    throw new OAuthError(
      "invalid_scope",
      `None of the scopes "${
        wanted.join(" ")
      }" is defined for resource "${resource.id}"`,
    );
  }
  const granted = known.length > 0 ? known : [...resource.scopes];
  return offline ? [...granted, OFFLINE_ACCESS] : granted;
}
