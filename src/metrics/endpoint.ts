/**
 * The Prometheus scrape endpoint, on its own port and only on loopback
 * (`MCP_METRICS_PORT`, opt-in): metrics say who calls how often and which
 * tokens fail, which is nobody's business on the public port. A scraper
 * on the same host (or a sidecar) reads it; anything farther away goes
 * through the OTLP export instead.
 *
 * @module
 */

import type { Registry } from "prom-client";

/** Options for {@link serveMetrics}. */
export interface MetricsEndpointOptions {
  /** The port; 0 picks a free one. */
  readonly port: number;
  /** A loopback address: `127.0.0.1` (default), `::1` or `localhost`. */
  readonly hostname?: string;
  /**
   * What to expose: a registry, or anything that writes the exposition
   * text the same way (the supervisor's sum of its workers' registries).
   */
  readonly registry: Pick<Registry, "metrics" | "contentType">;
  /** Called once listening. */
  readonly onListen?: (addr: Deno.NetAddr) => void;
}

/** A running metrics endpoint. */
export interface MetricsEndpoint {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Stops listening and waits for open scrapes. */
  shutdown(): Promise<void>;
}

/** The path scrapers ask for, Prometheus's default. */
export const METRICS_PATH = "/metrics";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Serves `GET /metrics` on a loopback port; any other path is 404, any
 * other method 405.
 *
 * @throws {TypeError} when `hostname` is not a loopback address.
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics({ routes: ["/mcp"] });
 * const endpoint = serveMetrics({ port: 9464, registry: metrics.registry });
 * ```
 */
export function serveMetrics(options: MetricsEndpointOptions): MetricsEndpoint {
  const hostname = options.hostname ?? "127.0.0.1";
  if (!LOOPBACK.has(hostname)) {
    throw new TypeError(
      `The metrics endpoint listens on loopback only, not "${hostname}"`,
    );
  }
  const { registry } = options;
  const server = Deno.serve({
    hostname,
    port: options.port,
    onListen: (addr) => options.onListen?.(addr),
  }, async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname !== METRICS_PATH) {
      return Response.json({ error: "not_found" }, { status: 404 });
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return Response.json({ error: "method_not_allowed" }, {
        status: 405,
        headers: { Allow: "GET, HEAD" },
      });
    }
    return new Response(await registry.metrics(), {
      headers: {
        "Content-Type": registry.contentType,
        "Cache-Control": "no-store",
      },
    });
  });
  return {
    addr: server.addr,
    shutdown: () => server.shutdown(),
  };
}
