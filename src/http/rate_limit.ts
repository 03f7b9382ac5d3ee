/**
 * Rate limits, from the Scalekit guides' production checklist, built on
 * `hono-rate-limiter` (fixed one-minute windows, `RateLimit-*` headers,
 * 429 with `Retry-After`):
 *
 * - **per remote address, before authentication**, so a flood of bad tokens
 *   is refused for the price of a map lookup, before any token is parsed;
 *   IPv6 addresses count per /64, the block one client usually holds;
 * - **per verified caller** (subject and client id), after authentication,
 *   so one token cannot take the whole server, whatever addresses it comes
 *   from.
 *
 * Counters live in this process by default ({@link BoundedMemoryStore}).
 * Several workers or instances share one budget through a shared `store`:
 * any `hono-rate-limiter` `Store` fits (its `RedisStore`, or one written on
 * this project's store layer); pass it as {@link RateLimitOptions.store}.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import { MemoryStore, rateLimiter, type Store } from "hono-rate-limiter";
import type { AppEnv } from "./env.ts";
import { callerOf } from "../auth/identity.ts";
import { isLoopbackHost } from "../net/loopback.ts";

/** One window: every limit is a number of requests per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Options for {@link limitByAddress} and {@link limitByCaller}. */
export interface RateLimitOptions {
  /** Requests per minute; 0 turns the limit off. */
  readonly perMinute: number;
  /**
   * Where counters live. Default a {@link BoundedMemoryStore}: this process
   * only. A shared store makes the limit hold across workers and instances.
   */
  readonly store?: Store<AppEnv>;
}

/** Options for {@link limitByAddress}. */
export interface AddressRateLimitOptions extends RateLimitOptions {
  /** Whether loopback addresses are limited too. Default `true`; dev mode turns it off. */
  readonly limitLoopback?: boolean;
}

/**
 * The in-process store: `hono-rate-limiter`'s own, with a bound on how many
 * keys it tracks, so a flood from many addresses cannot grow it without
 * limit. Past `maxKeys`, new keys share one counter (they are limited
 * together until the window turns over).
 */
export class BoundedMemoryStore extends MemoryStore<AppEnv> {
  /** The key every key beyond the bound is counted under. */
  static readonly OVERFLOW_KEY = "\u0000overflow";
  readonly #maxKeys: number;

  /** @param maxKeys Most keys tracked per window. Default 100 000. */
  constructor(maxKeys = 100_000) {
    super();
    this.#maxKeys = maxKeys;
  }

  /** Counts a request under `key`, or under the overflow key when full. */
  override increment(key: string) {
    return super.increment(this.#admit(key));
  }

  /** Takes one back (the limiter's `skip…Requests` options). */
  override decrement(key: string) {
    return super.decrement(this.#admit(key));
  }

  #admit(key: string): string {
    if (this.current.has(key) || this.previous.has(key)) return key;
    return this.current.size + this.previous.size < this.#maxKeys
      ? key
      : BoundedMemoryStore.OVERFLOW_KEY;
  }
}

/** The client's address, as the connection layer passes it in `c.env`; `undefined` in-process. */
export function remoteAddressOf(c: Context<AppEnv>): string | undefined {
  const env = c.env as { remoteAddr?: { hostname?: unknown } } | undefined;
  const hostname = env?.remoteAddr?.hostname;
  return typeof hostname === "string" ? hostname : undefined;
}

/**
 * The counter key of an address: IPv4 as is, IPv6 by its /64 prefix (an
 * IPv4-mapped IPv6 address counts as the IPv4 address).
 */
export function addressKey(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (!bare.includes(":")) return bare;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return mapped[1];
  const [head, tail = ""] = bare.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = bare.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${
    groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")
  }::/64`;
}

function refuse(c: Context<AppEnv>, who: string): Response {
  const retry = c.res.headers.get("Retry-After") ?? "60";
  c.set("denial", {
    code: "rate_limited",
    reason: `Over the rate limit per ${who}`,
  });
  return c.json(
    {
      error: "rate_limited",
      error_description:
        `Too many requests from this ${who}; retry after ${retry} s`,
    },
    429,
    { "Retry-After": retry },
  );
}

/**
 * Limits requests per remote address, before authentication. Requests
 * whose address is unknown (in-process calls) are not limited.
 */
export function limitByAddress(
  options: AddressRateLimitOptions,
): MiddlewareHandler<AppEnv> {
  const limitLoopback = options.limitLoopback ?? true;
  if (options.perMinute === 0) {
    return async function noAddressLimit(_c, next) {
      await next();
    };
  }
  return rateLimiter<AppEnv>({
    windowMs: RATE_LIMIT_WINDOW_MS,
    limit: options.perMinute,
    standardHeaders: "draft-6",
    store: options.store ?? new BoundedMemoryStore(),
    skip: (c) => {
      const address = remoteAddressOf(c);
      return address === undefined ||
        (!limitLoopback &&
          (isLoopbackHost(address) || /^::ffff:127\./i.test(address)));
    },
    keyGenerator: (c) => `address:${addressKey(remoteAddressOf(c)!)}`,
    handler: (c) => refuse(c, "address"),
  });
}

/** Limits MCP requests per verified caller (subject and client id); expects `identity`. */
export function limitByCaller(
  options: RateLimitOptions,
): MiddlewareHandler<AppEnv> {
  if (options.perMinute === 0) {
    return async function noCallerLimit(_c, next) {
      await next();
    };
  }
  return rateLimiter<AppEnv>({
    windowMs: RATE_LIMIT_WINDOW_MS,
    limit: options.perMinute,
    standardHeaders: "draft-6",
    store: options.store ?? new BoundedMemoryStore(),
    keyGenerator: (c) => `caller:${callerKey(c)}`,
    handler: (c) => refuse(c, "caller"),
  });
}

/** One caller: subject and client id, or `anonymous` without a token. */
export function callerKey(c: Context<AppEnv>): string {
  const identity = c.get("identity");
  return identity === undefined ? "anonymous" : callerOf(identity);
}
