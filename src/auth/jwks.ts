/**
 * The issuer's signing keys (JWKS), fetched and cached by jose's
 * `createRemoteJWKSet`, with the two things jose leaves out for a server
 * that must not fall over when its issuer does:
 *
 * - **A cooldown after failures, with exponential backoff.** jose's own
 *   cooldown only starts after a *successful* fetch, so while the issuer
 *   answers 500, HTML, bad JSON or a redirect, every token with an unknown
 *   `kid` (and, once the cache has expired, every token) causes a fetch.
 *   Here a failed fetch blocks the next one for `failureBackoffMinMs`,
 *   doubling with each consecutive failure up to `failureBackoffMaxMs`;
 *   while blocked, no request reaches the issuer at all.
 * - **Stale if error** (the idea of RFC 5861 §4, applied to keys). When a
 *   refetch fails, the keys from the last successful fetch keep verifying
 *   tokens for up to `staleIfErrorMs` after that fetch, so an issuer outage
 *   does not become an outage of this server.
 *
 * jose stays in charge of caching, the `kid` lookup and key import: the
 * failure rules live in the `fetch` jose is given, and the stale fallback
 * wraps the key lookup.
 *
 * @module
 */

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";

/** Defaults of {@link RemoteKeySetOptions}, in milliseconds. */
export const KEY_SET_DEFAULTS = Object.freeze({
  /** How long fetched keys are used before a refetch. */
  cacheMaxAgeMs: 600_000,
  /** Minimum time between a successful fetch and the next one. */
  cooldownMs: 30_000,
  /** Time limit for one fetch. */
  timeoutMs: 5_000,
  /** Wait after the first failed fetch. */
  failureBackoffMinMs: 1_000,
  /** Longest wait between fetches while the issuer keeps failing. */
  failureBackoffMaxMs: 60_000,
  /** How long after the last good fetch its keys may still be used when refetching fails. */
  staleIfErrorMs: 86_400_000,
});

/** Options for {@link createRemoteKeySet}. */
export interface RemoteKeySetOptions {
  /** The JWKS URL (Scalekit: `<environment_url>/keys`). */
  readonly url: string;
  /** How long fetched keys are used before a refetch, in ms. Default 600 000 (10 min). */
  readonly cacheMaxAgeMs?: number;
  /**
   * Minimum time after a successful fetch before a token with an unknown
   * `kid` may cause another, in ms. Default 30 000.
   */
  readonly cooldownMs?: number;
  /** Time limit for one fetch, in ms. Default 5 000. */
  readonly timeoutMs?: number;
  /**
   * After a failed fetch, no fetch for this long, in ms; the wait doubles
   * with each consecutive failure. Default 1 000.
   */
  readonly failureBackoffMinMs?: number;
  /** Upper bound of that wait, in ms. Default 60 000. */
  readonly failureBackoffMaxMs?: number;
  /**
   * When a refetch fails, keys from the last successful fetch still verify
   * tokens until this long after that fetch, in ms. 0 turns it off.
   * Default 86 400 000 (24 h).
   */
  readonly staleIfErrorMs?: number;
  /** The clock for backoff and staleness, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** The fetch used. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /**
   * Called after every successful fetch with the `kid` of each key in the
   * new set (keys without a `kid` are left out), before any token is
   * verified with it: the token cache's `retainKeys`, so tokens signed by a
   * key that left the JWKS stop being accepted from the cache.
   */
  readonly onKeySet?: (kids: readonly string[]) => void;
}

/**
 * Why keys could not be had:
 * - `fetch_failed`: the issuer did not answer 200 with a JSON key set
 *   (network error, timeout, another status, a redirect, HTML, bad JSON).
 * - `backing_off`: a recent fetch failed, so none is tried yet.
 * - `unusable_key`: the key set has a key for the token that cannot be
 *   imported (malformed or unsupported): the issuer's fault, not the token's.
 */
export type KeySetErrorCode = "fetch_failed" | "backing_off" | "unusable_key";

/** The signing keys are unavailable; never the token's fault. */
export class KeySetError extends Error {
  /** The stable reason; branch on this, never on the message. */
  readonly code: KeySetErrorCode;

  /**
   * @param code The stable reason.
   * @param message What went wrong, for logs (never a token).
   * @param options The underlying error.
   */
  constructor(
    code: KeySetErrorCode,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "KeySetError";
    this.code = code;
  }
}

/**
 * Builds a key lookup for `jwtVerify` from a remote JWKS, with failure
 * backoff and stale-if-error (see the module doc).
 *
 * Throws from the lookup: jose's `JWKSNoMatchingKey` or
 * `JWKSMultipleMatchingKeys` when the key set has no single key for the
 * token (the token's fault), {@link KeySetError} when the keys cannot be
 * had or used (not the token's fault).
 *
 * @example
 * ```ts
 * const getKey = createRemoteKeySet({ url: "https://acme.scalekit.com/keys" });
 * const { payload } = await jwtVerify(token, getKey, { algorithms: ["RS256"] });
 * ```
 */
export function createRemoteKeySet(
  options: RemoteKeySetOptions,
): JWTVerifyGetKey {
  const settings = { ...KEY_SET_DEFAULTS, ...definedOnly(options) };
  for (
    const name of [
      "cacheMaxAgeMs",
      "cooldownMs",
      "timeoutMs",
      "failureBackoffMinMs",
      "failureBackoffMaxMs",
      "staleIfErrorMs",
    ] as const
  ) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < 0) {
      throw new TypeError(`"${name}" must be a non-negative integer`);
    }
  }
  if (settings.failureBackoffMaxMs < settings.failureBackoffMinMs) {
    throw new TypeError(
      '"failureBackoffMaxMs" must not be less than "failureBackoffMinMs"',
    );
  }
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;

  let failures = 0;
  let retryAt = -Infinity;
  let lastSuccessAt: number | undefined;

  // jose calls this for every fetch it decides to make; the failure rules
  // sit here so they cover every path that reloads (unknown `kid`, expired
  // cache, first use).
  async function fetchKeys(
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> {
    if (now() < retryAt) {
      throw new KeySetError(
        "backing_off",
        `A recent fetch of the key set failed; the next is allowed at ${
          new Date(retryAt).toISOString()
        }`,
      );
    }
    try {
      const response = await doFetch(input, init);
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new KeySetError(
          "fetch_failed",
          `The key set answered ${response.status}, not 200`,
        );
      }
      const text = await response.text();
      const keySet = parseJson(text);
      if (!isKeySet(keySet)) {
        throw new KeySetError(
          "fetch_failed",
          "The key set answer is not a JSON Web Key Set",
        );
      }
      failures = 0;
      retryAt = -Infinity;
      lastSuccessAt = now();
      options.onKeySet?.(kidsOf(keySet));
      // jose parses it again: a key set is small and fetched rarely.
      return new Response(text, {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    } catch (error) {
      failures++;
      const wait = Math.min(
        settings.failureBackoffMaxMs,
        settings.failureBackoffMinMs * 2 ** Math.min(failures - 1, 30),
      );
      retryAt = now() + wait;
      if (error instanceof KeySetError) throw error;
      throw new KeySetError(
        "fetch_failed",
        "The key set could not be fetched",
        { cause: error },
      );
    }
  }

  const remote = createRemoteJWKSet(new URL(options.url), {
    cacheMaxAge: settings.cacheMaxAgeMs,
    cooldownDuration: settings.cooldownMs,
    timeoutDuration: settings.timeoutMs,
    [customFetch]: fetchKeys,
  });

  let staleSet: { readonly at: number; readonly getKey: JWTVerifyGetKey } | {
    readonly at: undefined;
  } = { at: undefined };
  function staleKeys(): JWTVerifyGetKey | undefined {
    if (lastSuccessAt === undefined) return undefined;
    if (now() >= lastSuccessAt + settings.staleIfErrorMs) return undefined;
    const jwks = remote.jwks();
    if (jwks === undefined) return undefined;
    // Built once per successful fetch, so imported keys stay cached.
    if (staleSet.at !== lastSuccessAt) {
      staleSet = { at: lastSuccessAt, getKey: createLocalJWKSet(jwks) };
    }
    return staleSet.getKey;
  }

  return async function getKey(header, token) {
    try {
      return await remote(header, token);
    } catch (error) {
      if (!(error instanceof KeySetError)) throw unusable(error);
      const stale = staleKeys();
      if (stale === undefined) throw error;
      try {
        return await stale(header, token);
      } catch (staleError) {
        // A `kid` the old keys do not have either: the refetch that might
        // have found it failed, so that failure is the answer.
        if (staleError instanceof errors.JWKSNoMatchingKey) throw error;
        throw unusable(staleError);
      }
    }
  };
}

/**
 * Lets "no single key matches" through (the token's fault) and turns a key
 * that cannot be imported (jose's `JWKInvalid`, `JOSENotSupported`,
 * `JWKSInvalid`, or WebCrypto's `DOMException`) into `unusable_key`.
 * Anything else is a bug and is rethrown as is.
 */
function unusable(error: unknown): unknown {
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return error;
  }
  if (error instanceof errors.JOSEError || error instanceof DOMException) {
    return new KeySetError(
      "unusable_key",
      "The key set's key for this token cannot be used",
      { cause: error },
    );
  }
  return error;
}

function kidsOf(keySet: JSONWebKeySet): string[] {
  return keySet.keys.flatMap((key) =>
    typeof key.kid === "string" ? [key.kid] : []
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The shape jose requires (RFC 7517 §5): an object whose `keys` is an array
// of objects.
function isKeySet(value: unknown): value is JSONWebKeySet {
  if (typeof value !== "object" || value === null) return false;
  const keys = (value as { keys?: unknown }).keys;
  return Array.isArray(keys) &&
    keys.every((key) =>
      typeof key === "object" && key !== null && !Array.isArray(key)
    );
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
