/**
 * Random identifiers in the shapes Scalekit uses (`snk_…`, `m2m_…`, `tkn_…`,
 * `ses_…`) and opaque secrets.
 *
 * @module
 */

import { base64url } from "jose";

/** Prefixes of the Scalekit-style ids the issuer makes. */
export type IdPrefix = "snk" | "m2m" | "tkn" | "ses" | "usr" | "org";

/**
 * A Scalekit-style id: the prefix, an underscore and 18 random digits
 * (Scalekit ids are long decimal numbers, such as `snk_82937465537307395`).
 */
export function scalekitId(prefix: IdPrefix): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  // The first digit is never 0 so every id has the same length.
  const digits = Array.from(bytes, (b, i) => i === 0 ? 1 + (b % 9) : b % 10);
  return `${prefix}_${digits.join("")}`;
}

/** An unguessable opaque string: `bytes` random bytes, base64url encoded. */
export function opaqueSecret(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}
