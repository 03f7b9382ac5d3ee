// Tokens for the benchmarks: one to repeat, and a pool of fresh ones, each
// sent once. Signing RS256 costs about thirty verifications, so a pool of
// thousands takes the mock issuer tens of seconds to mint; it is kept in
// ~/.cache/mcp-scalekit-ci/bench-http with the issuer's keys (its state
// file) and reused while the issuer can come back on the same port and
// the tokens have more than two hours left.
import {
  type MockIssuer,
  startMockIssuer,
} from "../../conformance/issuer/mod.ts";

/** Options for {@link loadTokenPool}. */
export interface TokenPoolOptions {
  /** The resource the tokens are for. */
  readonly resourceId: string;
  /** How many fresh tokens; 0 for none. */
  readonly size: number;
}

/** A running mock issuer and its tokens. */
export interface TokenPool {
  /** The issuer (environment) URL. */
  readonly issuerUrl: string;
  /** The mock issuer itself. */
  readonly issuer: MockIssuer;
  /** A valid token with every scope, to send again and again. */
  readonly repeated: string;
  /** `size` distinct valid tokens with every scope. */
  readonly fresh: readonly string[];
  /** Stops the issuer. */
  stop(): Promise<void>;
}

interface PoolFile {
  readonly issuerUrl: string;
  readonly resourceId: string;
  /** The tokens' `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  readonly tokens: readonly string[];
}

const SCOPES = ["todo:read", "todo:write", "todo:admin"];
const POOL_TTL_SECONDS = 20 * 3600;
const MIN_LEFT_SECONDS = 2 * 3600;

/** Starts the mock issuer and returns the tokens, minting what is missing. */
export async function loadTokenPool(
  options: TokenPoolOptions,
): Promise<TokenPool> {
  const home = Deno.env.get("HOME") ?? "/tmp";
  const dir = `${home}/.cache/mcp-scalekit-ci/bench-http`;
  await Deno.mkdir(dir, { recursive: true });
  const poolPath = `${dir}/pool.json`;
  const saved = await Deno.readTextFile(poolPath)
    .then((text) => JSON.parse(text) as PoolFile, () => undefined);
  const resources = [{ id: options.resourceId, scopes: SCOPES }];
  const statePath = `${dir}/issuer.json`;
  let issuer: MockIssuer;
  try {
    issuer = await startMockIssuer({
      resources,
      statePath,
      port: saved ? Number(new URL(saved.issuerUrl).port) : 0,
    });
  } catch {
    issuer = await startMockIssuer({ resources, statePath });
  }
  const now = Date.now() / 1000;
  let fresh: readonly string[] = [];
  if (options.size > 0) {
    const reusable = saved !== undefined &&
      saved.issuerUrl === issuer.url &&
      saved.resourceId === options.resourceId &&
      saved.expiresAt - now > MIN_LEFT_SECONDS &&
      saved.tokens.length >= options.size;
    if (reusable) {
      fresh = saved.tokens.slice(0, options.size);
    } else {
      const tokens: string[] = [];
      const expiresAt = Math.floor(now) + POOL_TTL_SECONDS;
      while (tokens.length < options.size) {
        const batch = Math.min(200, options.size - tokens.length);
        tokens.push(
          ...await Promise.all(
            Array.from({ length: batch }, () =>
              issuer.mint({
                resourceId: options.resourceId,
                ttlSeconds: POOL_TTL_SECONDS,
              })),
          ),
        );
      }
      const file: PoolFile = {
        issuerUrl: issuer.url,
        resourceId: options.resourceId,
        expiresAt,
        tokens,
      };
      await Deno.writeTextFile(poolPath, JSON.stringify(file), { mode: 0o600 });
      fresh = tokens;
    }
  }
  const repeated = await issuer.mint({ resourceId: options.resourceId });
  return {
    issuerUrl: issuer.url,
    issuer,
    repeated,
    fresh,
    stop: () => issuer.close(),
  };
}
