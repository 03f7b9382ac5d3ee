/**
 * A cache of verified tokens: a client keeps one access token for its
 * whole life and sends it with every request, so the RS256 check (most of
 * a `tools/call`'s CPU) need only run the first time. The pattern trusted
 * gateways and FastMCP's `TokenCache` use.
 *
 * What keeps it from ever changing an answer:
 * - **Only successes are stored.** A refused token always goes to the
 *   verifier, and gets the verifier's own error.
 * - **Everything that can change with time is checked again on every hit**,
 *   with the verifier's leeway: `exp` (RFC 7519 §4.1.4) and `nbf` (§4.1.5,
 *   which can only fail again if the clock went backwards). A hit that
 *   fails either is a miss: the entry is dropped and the verifier answers,
 *   so an expired token gets exactly the error it would get uncached.
 * - **Everything else in a verification is fixed for a given token** (its
 *   signature, issuer, audience, algorithm, claim types): the same bytes
 *   verify the same way, as long as the key that signed them is still
 *   trusted. So entries remember their key's `kid`, and
 *   {@link TokenCache.retainKeys} drops those whose key left the JWKS.
 * - **No entry outlives `maxTtlMs`** (default 5 min), whatever `exp` says,
 *   which bounds how long any decision outlives the key set it was made
 *   with.
 *
 * Memory: keys are the SHA-256 of the token, so no token is kept, and a
 * heap dump shows none; at most `maxEntries` entries (least recently used
 * evicted first), and tokens over `maxTokenBytes` are never cached (nor
 * hashed). Each entry holds the frozen {@link Identity} the verifier
 * returned, claims included (about 1–2 KB for a Scalekit token).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { decodeProtectedHeader } from "jose";
import type { Identity } from "./identity.ts";
import type { TokenVerifier } from "./verify.ts";

/** Defaults of {@link TokenCacheOptions}. */
export const TOKEN_CACHE_DEFAULTS = Object.freeze({
  /** Most tokens remembered at once. */
  maxEntries: 10_000,
  /** Longest token cached, in bytes (characters: a JWS is ASCII). */
  maxTokenBytes: 4_096,
  /** Longest an entry lives, whatever the token's `exp`, in ms. */
  maxTtlMs: 300_000,
});

/** Options for {@link createTokenCache} and {@link withTokenCache}. */
export interface TokenCacheOptions {
  /**
   * Leeway for `exp` and `nbf`, in seconds: the verifier's own
   * (`MCP_CLOCK_SKEW_SECONDS`). Required, so the two can never disagree.
   */
  readonly clockSkewSeconds: number;
  /** Most tokens remembered at once; the least recently used go first. Default 10 000. */
  readonly maxEntries?: number;
  /** Tokens longer than this, in bytes, are never cached. Default 4 096. */
  readonly maxTokenBytes?: number;
  /** Longest an entry lives, in ms, whatever the token's `exp`. Default 300 000 (5 min). */
  readonly maxTtlMs?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Counters since the cache was made, for metrics. */
export interface TokenCacheStats {
  /** Lookups answered from the cache. */
  readonly hits: number;
  /** Lookups that were not (absent, expired, past the cap). */
  readonly misses: number;
  /** Lookups of tokens too long to cache. */
  readonly skipped: number;
  /** Entries dropped to stay within `maxEntries`. */
  readonly evictions: number;
  /** Entries dropped because their key left the key set. */
  readonly revoked: number;
  /** Entries now. */
  readonly entries: number;
}

/** The verified-token store. */
export interface TokenCache {
  /**
   * The identity `token` was verified to, if it is cached and still within
   * `exp`, `nbf` (both with the leeway) and the cap; else `undefined`.
   */
  get(token: string): Identity | undefined;
  /**
   * Remembers a token the verifier accepted. `kid` names the key that
   * verified it (the JWS header's `kid`); an entry without one is dropped
   * by every {@link retainKeys}. Once {@link retainKeys} has named the
   * published keys, a token whose `kid` is not among them is not stored
   * (its verification began before the key left the JWKS).
   */
  set(token: string, identity: Identity, kid: string | undefined): void;
  /**
   * Drops every entry whose key is not among `kids`: the JWKS module calls
   * this with the `kid`s of each key set it fetches, so a key rotated out
   * of the JWKS stops vouching for cached tokens at once. Returns how many
   * entries were dropped.
   */
  retainKeys(kids: Iterable<string>): number;
  /** Forgets everything. */
  clear(): void;
  /** Counters, for metrics. */
  stats(): TokenCacheStats;
}

interface Entry {
  readonly identity: Identity;
  readonly kid: string | undefined;
  /** `nbf`, in seconds, when the token had one. */
  readonly notBefore: number | undefined;
  /** When the cap ends this entry, in ms since the epoch. */
  readonly capAt: number;
}

/**
 * Builds an empty cache. Most callers want {@link withTokenCache}; this is
 * for a verifier that consults the cache itself (it then knows the `kid`
 * from `jwtVerify`'s protected header without decoding it again).
 *
 * @example
 * ```ts
 * const cache = createTokenCache({ clockSkewSeconds: 30 });
 * const identity = cache.get(token) ?? await verifyAndStore(token);
 * ```
 */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const settings = { ...TOKEN_CACHE_DEFAULTS, ...definedOnly(options) };
  const leeway = options.clockSkewSeconds;
  if (!Number.isFinite(leeway) || leeway < 0) {
    throw new TypeError('"clockSkewSeconds" must be a non-negative number');
  }
  for (const name of ["maxEntries", "maxTokenBytes", "maxTtlMs"] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`"${name}" must be a positive integer`);
    }
  }
  const now = options.now ?? Date.now;
  // Map keeps insertion order: the first key is the least recently used,
  // since a hit moves its entry to the end.
  const entries = new Map<string, Entry>();
  let hits = 0;
  let misses = 0;
  let skipped = 0;
  let evictions = 0;
  let revoked = 0;
  // The key set named by the last retainKeys(), if any. A verification that
  // began before a rotation can finish after it: its token must not be
  // stored under a key that has just left the JWKS.
  let published: ReadonlySet<string> | undefined;

  const cacheable = (token: string) => token.length <= settings.maxTokenBytes;

  return {
    get(token) {
      if (!cacheable(token)) {
        skipped++;
        return undefined;
      }
      const key = keyOf(token);
      const entry = entries.get(key);
      if (entry === undefined) {
        misses++;
        return undefined;
      }
      const at = now();
      const seconds = at / 1000;
      // The verifier's rules (jose's): expired when exp <= now - leeway,
      // not yet valid when nbf > now + leeway.
      const valid = at < entry.capAt &&
        entry.identity.expiresAt > seconds - leeway &&
        (entry.notBefore === undefined ||
          entry.notBefore <= seconds + leeway);
      entries.delete(key);
      if (!valid) {
        misses++;
        return undefined;
      }
      entries.set(key, entry);
      hits++;
      return entry.identity;
    },
    set(token, identity, kid) {
      if (!cacheable(token)) return;
      if (
        published !== undefined &&
        (kid === undefined || !published.has(kid))
      ) {
        return;
      }
      const nbf = identity.claims.nbf;
      const key = keyOf(token);
      entries.delete(key);
      entries.set(key, {
        identity,
        kid,
        notBefore: typeof nbf === "number" ? nbf : undefined,
        capAt: now() + settings.maxTtlMs,
      });
      while (entries.size > settings.maxEntries) {
        entries.delete(entries.keys().next().value!);
        evictions++;
      }
    },
    retainKeys(kids) {
      const kept = new Set(kids);
      published = kept;
      let dropped = 0;
      for (const [key, entry] of entries) {
        if (entry.kid === undefined || !kept.has(entry.kid)) {
          entries.delete(key);
          dropped++;
        }
      }
      revoked += dropped;
      return dropped;
    },
    clear() {
      entries.clear();
    },
    stats() {
      return {
        hits,
        misses,
        skipped,
        evictions,
        revoked,
        entries: entries.size,
      };
    },
  };
}

/** A {@link TokenVerifier} that consults its {@link TokenCache} first. */
export interface CachedTokenVerifier extends TokenVerifier {
  /** The cache behind it (for the JWKS hook and metrics). */
  readonly cache: TokenCache;
}

/**
 * Puts a cache in front of `verifier`: a cached token is answered without
 * a signature check; any other goes to `verifier`, and is remembered if it
 * passes. Concurrent first uses of one token share one verification.
 *
 * @example
 * ```ts
 * const verifier = withTokenCache(createTokenVerifier(options), {
 *   clockSkewSeconds: 30,
 * });
 * const identity = await verifier.verify(token);
 * ```
 */
export function withTokenCache(
  verifier: TokenVerifier,
  options: TokenCacheOptions,
): CachedTokenVerifier {
  const cache = createTokenCache(options);
  // Keyed by the token's hash too; bounded by the requests in flight.
  const pending = new Map<string, Promise<Identity>>();
  return {
    cache,
    verify(token) {
      const hit = cache.get(token);
      if (hit !== undefined) return Promise.resolve(hit);
      const key = keyOf(token);
      const shared = pending.get(key);
      if (shared !== undefined) return shared;
      const verifying = (async () => {
        try {
          const identity = await verifier.verify(token);
          cache.set(token, identity, kidOf(token));
          return identity;
        } finally {
          pending.delete(key);
        }
      })();
      pending.set(key, verifying);
      return verifying;
    },
  };
}

/** SHA-256 of the token: the cache never keeps a token itself. */
function keyOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** The `kid` of a token the verifier has just accepted (so it parses). */
function kidOf(token: string): string | undefined {
  const { kid } = decodeProtectedHeader(token);
  return typeof kid === "string" ? kid : undefined;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
