/**
 * The optional `/.well-known/oauth-authorization-server` forwarder, for older
 * MCP clients (2025-03-26) that look for authorization-server metadata on the
 * MCP server's own origin. Off by default.
 *
 * @module
 */

/** Options for {@link createMetadataForwarder}. */
export interface MetadataForwarderOptions {
  /** The upstream document (Scalekit: `<env>/.well-known/oauth-authorization-server/resources/<res>`). */
  readonly url: string;
  /** Upstream timeout, in milliseconds. Default 5 000. */
  readonly timeoutMs?: number;
  /** How long a fetched document is served from cache, in milliseconds. Default 300 000. */
  readonly cacheTtlMs?: number;
  /** The fetch used upstream. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

/** Why the upstream document could not be served. */
export class UpstreamMetadataError extends Error {
  /** Always `upstream_unavailable`. */
  readonly code = "upstream_unavailable";

  /** @param message A sentence for the client, naming the upstream URL. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UpstreamMetadataError";
  }
}

/** Fetches, caches and returns the upstream metadata. */
export interface MetadataForwarder {
  /** @throws {UpstreamMetadataError} when upstream cannot be reached or answers badly. */
  get(): Promise<Readonly<Record<string, unknown>>>;
}

/** Builds a forwarder with a short cache and one upstream fetch at a time. */
export function createMetadataForwarder(
  options: MetadataForwarderOptions,
): MetadataForwarder {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const ttl = options.cacheTtlMs ?? 300_000;
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let cached: { document: Record<string, unknown>; until: number } | undefined;
  let pending: Promise<Record<string, unknown>> | undefined;

  async function load(): Promise<Record<string, unknown>> {
    const failed = (why: string, cause?: unknown) =>
      new UpstreamMetadataError(
        `The authorization server metadata at "${options.url}" ${why}`,
        { cause },
      );
    let response: Response;
    try {
      response = await fetchImpl(options.url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      throw failed(
        error instanceof DOMException && error.name === "TimeoutError"
          ? `did not answer within ${timeoutMs} ms`
          : "could not be reached",
        error,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw failed(`answered HTTP ${response.status}`);
    }
    let document: unknown;
    try {
      document = await response.json();
    } catch (error) {
      throw failed("is not valid JSON", error);
    }
    if (
      typeof document !== "object" || document === null ||
      Array.isArray(document)
    ) {
      throw failed("is not a JSON object");
    }
    return document as Record<string, unknown>;
  }

  return {
    async get() {
      if (cached && cached.until > now()) return cached.document;
      pending ??= load().finally(() => {
        pending = undefined;
      });
      const document = await pending;
      cached = { document, until: now() + ttl };
      return document;
    },
  };
}
