/**
 * The token verifier the MCP endpoint uses, built from the configuration:
 * the local JWT check (`src/auth/verify.ts`) behind the verified-token
 * cache (`src/auth/token_cache.ts`, `MCP_TOKEN_CACHE_*`), with the JWKS
 * telling the cache each key set it fetches, so a token signed by a key
 * that left the JWKS is no longer answered from the cache.
 *
 * @module
 */

import {
  type CachedTokenVerifier,
  type TokenCache,
  withTokenCache,
} from "../auth/token_cache.ts";
import { createTokenVerifier, type TokenVerifier } from "../auth/verify.ts";
import type { Config, TokenAuthConfig } from "../config/types.ts";

/** Options for {@link createConfiguredVerifier}. */
export interface ConfiguredVerifierOptions {
  /** The fetch used for the JWKS. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Minimum time between a successful JWKS fetch and one caused by an
   * unknown `kid`, in ms. Default 30 000; tests set 0 to see a rotation at
   * once.
   */
  readonly jwksCooldownMs?: number;
  /** How long fetched keys are used before a refetch, in ms. Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
}

/** The endpoint's verifier, and its cache when one is configured. */
export interface ConfiguredVerifier extends TokenVerifier {
  /** The verified-token cache; absent when `MCP_TOKEN_CACHE_MAX_ENTRIES` is 0. */
  readonly cache?: TokenCache;
}

/**
 * Builds the verifier `config` describes: with a cache of
 * `config.tokenCacheMaxEntries` entries living at most
 * `config.tokenCacheTtlMs` (none when the count is 0).
 *
 * @example
 * ```ts
 * const verifier = createConfiguredVerifier(config, config.auth);
 * const identity = await verifier.verify(token);
 * ```
 */
export function createConfiguredVerifier(
  config: Config,
  auth: TokenAuthConfig,
  options: ConfiguredVerifierOptions = {},
): ConfiguredVerifier {
  // Filled in below, before any token can be verified (so before any fetch).
  const slot: { cache?: TokenCache } = {};
  const verifier = createTokenVerifier({
    jwksUri: auth.jwksUri,
    issuers: auth.issuers,
    audiences: auth.audiences,
    algorithms: auth.algorithms,
    clockSkewSeconds: config.clockSkewSeconds,
    maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds,
    jwksFailureBackoffMinMs: config.jwksBackoffMinMs,
    jwksFailureBackoffMaxMs: config.jwksBackoffMaxMs,
    jwksStaleIfErrorMs: config.jwksStaleIfErrorMs,
    jwksCooldownMs: options.jwksCooldownMs,
    jwksCacheMaxAgeMs: options.jwksCacheMaxAgeMs,
    fetch: options.fetch,
    now: options.now,
    onKeySet: (kids) => slot.cache?.retainKeys(kids),
  });
  if (config.tokenCacheMaxEntries === 0) return verifier;
  const cached: CachedTokenVerifier = withTokenCache(verifier, {
    clockSkewSeconds: config.clockSkewSeconds,
    maxEntries: config.tokenCacheMaxEntries,
    maxTtlMs: config.tokenCacheTtlMs,
    now: options.now,
  });
  slot.cache = cached.cache;
  return cached;
}
