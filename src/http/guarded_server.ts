/**
 * An HTTP server no client can take down: `Deno.serve` behind a small
 * connection layer of our own that owns the public socket.
 *
 * Why a layer of our own: Deno 2.9's `Deno.serve` has no header, body or
 * keep-alive timeout and no connection cap (`ServeTcpOptions` offers only
 * `tcpBacklog` and `reusePort`; a `keepAliveTimeout` option is still an open
 * pull request, denoland/deno#34172), so a connection that sends nothing is
 * kept forever. It sees connections only through requests, so nothing in a
 * handler can close an idle one. And its accept loop ends on the first
 * accept error: at `EMFILE` ("Too many open files") `server.finished`
 * rejects, unhandled, and the process exits 1 (reproduced with 1,100 idle
 * connections under `ulimit -n 1024`). Its only per-connection API,
 * `Deno.serveHttp`, is deprecated and gone from the types.
 *
 * So this module accepts connections itself (`Deno.listen`) and hands each
 * one to an internal `Deno.serve` on a loopback port, copying bytes both
 * ways (`_proxied_connection.ts`). Deno still parses HTTP; this layer:
 * - caps the number of connections (`maxConnections`); over the cap, a new
 *   connection gets a 503 and is closed at once;
 * - survives running out of descriptors: a failed accept is retried with
 *   backoff (10 ms doubling to 1 s) while the kernel queues connections in
 *   the backlog, and serving resumes as soon as descriptors are free; if
 *   the internal server's own accept loop dies the same way, it is
 *   restarted;
 * - closes connections whose headers, body or writes stall, and idle ones,
 *   after the times in {@link CONNECTION_DEFAULTS} (checked every quarter
 *   of the shortest, at most every second, so up to a second late);
 * - closes a connection after a response that says `Connection: close`
 *   (Deno 2.9 sends the header but keeps the connection open) and after a
 *   response to a request whose body was not read (a 401 or 413 answered
 *   before the body arrived, which Deno would otherwise wait for forever);
 * - advertises its keep-alive timeout (`Keep-Alive: timeout=N`).
 *
 * The cost: three descriptors per connection instead of one, and one copy
 * of every byte in JavaScript (measured here: about 50 µs more CPU for a
 * `/health` request, about 150 µs more for a `tools/list`). Not supported:
 * protocol upgrades (WebSocket), which this server does not use; the idle
 * timeout would close them.
 *
 * @module
 */

import { delay, within } from "../timers.ts";
import {
  cannedResponse,
  closeQuietly,
  type ConnectionTimeouts,
  ProxiedConnection,
  type TimeoutPhase,
} from "./_proxied_connection.ts";

/** Descriptors one client connection uses: its socket, and both ends of the loopback hop. */
export const FDS_PER_CONNECTION = 3;

/**
 * Defaults of {@link GuardedServeOptions}: the timeouts in milliseconds.
 *
 * `maxConnections` fits the usual soft open-file limit of 1024: 300 × 3
 * descriptors, plus about 25 the process holds at rest and room for JWKS
 * fetches and logs. Raise the limit with it (`ulimit -n`, or `LimitNOFILE=`
 * in a systemd unit) to at least 3 × `maxConnections` + 64. Deno offers no
 * `getrlimit`, and reading `/proc/self/limits` needs `--allow-all`, so the
 * limit is not read at start.
 */
export const CONNECTION_DEFAULTS = Object.freeze({
  maxConnections: 300,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  sendTimeoutMs: 30_000,
  maxHeaderBytes: 16_384,
  maxHeaderCount: 64,
});

/** Options for {@link serveGuarded}. */
export interface GuardedServeOptions {
  /** Address to bind. */
  readonly hostname: string;
  /** Port to bind; 0 for a free one. */
  readonly port: number;
  /**
   * Share the port with other listeners that set it (`SO_REUSEPORT`; the
   * kernel spreads new connections over them): how `MCP_WORKERS` isolates
   * serve one port. Needs `--unstable-net` in Deno 2.9. Default false.
   */
  readonly reusePort?: boolean;
  /**
   * Most client connections open at once; more are answered 503 and closed.
   * Each takes {@link FDS_PER_CONNECTION} descriptors. Default 300.
   */
  readonly maxConnections?: number;
  /**
   * From accept, or from the first byte after a response, until a request's
   * headers are complete, in ms; then 408 and close. Default 10 000.
   */
  readonly headersTimeoutMs?: number;
  /**
   * From a request's headers until its body has been read, in ms; then the
   * read fails, the answer is 408, and the connection closes. Default
   * 30 000 (a 1 MiB body must arrive at 35 KB/s or more).
   */
  readonly bodyTimeoutMs?: number;
  /**
   * Idle time between requests before the connection is closed, in ms;
   * advertised as `Keep-Alive: timeout=<seconds>`. Default 5 000.
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * How long one write of response bytes to the client may make no
   * progress, in ms, before the connection is dropped. Default 30 000.
   */
  readonly sendTimeoutMs?: number;
  /**
   * Largest request head (request line and headers), in bytes; a larger one
   * gets 431 and the connection closes. Default 16 384.
   */
  readonly maxHeaderBytes?: number;
  /** Most header fields in a request; more gets 431. Default 64. */
  readonly maxHeaderCount?: number;
  /** Called once both the public and the internal listener are up. */
  readonly onListen?: (addr: Deno.NetAddr) => void;
  /** Answers a request whose handler threw (as `Deno.serve`'s `onError`). */
  readonly onError?: (error: unknown) => Response | Promise<Response>;
  /** Told about refused connections, timeouts and accept failures, for logs. */
  readonly onEvent?: (event: ConnectionEvent) => void;
  /** The clock, in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** Something worth logging that happened to connections. */
export type ConnectionEvent =
  | {
    /** Accepting failed (typically `EMFILE`); reported once per episode. */
    readonly kind: "accept_failed";
    readonly code: string;
    readonly message: string;
  }
  | {
    /** Accepting works again after `failures` failed attempts. */
    readonly kind: "accept_recovered";
    readonly failures: number;
  }
  | {
    /** Connections answered 503 and closed, at most one report a second. */
    readonly kind: "connections_refused";
    readonly reason: "too_many_connections" | "internal_server_unavailable";
    readonly count: number;
  }
  | {
    /** A connection closed by a deadline. */
    readonly kind: "connection_timeout";
    readonly phase: Exclude<TimeoutPhase, "linger">;
  }
  | {
    /** A request head over the size or field-count limit, answered 431. */
    readonly kind: "headers_too_large";
  }
  | {
    /** A request Deno dropped unanswered (malformed framing), answered 400. */
    readonly kind: "malformed_request";
  }
  | {
    /** The internal server stopped accepting; it is being restarted. */
    readonly kind: "internal_server_failed";
    readonly message: string;
  }
  | {
    /** The internal server is serving again. */
    readonly kind: "internal_server_restarted";
  };

/** A running {@link serveGuarded} server. */
export interface GuardedServer {
  /** The public address. */
  readonly addr: Deno.NetAddr;
  /** Client connections open now. */
  readonly connections: number;
  /** The connection cap in force. */
  readonly maxConnections: number;
  /**
   * The internal server's loopback port (while it runs). Only this layer
   * connects to it; a request arriving there any other way gets a 421.
   */
  readonly internalPort: number | undefined;
  /**
   * Stops accepting, lets open connections end on their own (each closes
   * after its next response, if that says `Connection: close`, or when idle
   * for the keep-alive timeout), and at `deadline` (ms since the epoch)
   * closes whatever is left. Resolves `true` when every connection had
   * closed by then.
   */
  shutdown(deadline: number): Promise<boolean>;
}

/**
 * Over-cap connections being answered at once; more wait in the kernel's
 * backlog. Each holds a descriptor for a moment, and a burst of them must
 * not use up the reserve.
 */
const MAX_REFUSING = 16;
const ACCEPT_BACKOFF_MIN_MS = 10;
const ACCEPT_BACKOFF_MAX_MS = 1_000;
const REPORT_INTERVAL_MS = 1_000;

interface Generation {
  readonly port: number;
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  readonly controller: AbortController;
}

/**
 * Serves `handler` on `hostname:port` with every connection bounded (see
 * the module doc).
 *
 * @example
 * ```ts
 * const server = serveGuarded(
 *   { hostname: "127.0.0.1", port: 8000 },
 *   () => new Response("ok"),
 * );
 * await server.shutdown(Date.now() + 10_000);
 * ```
 */
export function serveGuarded(
  options: GuardedServeOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): GuardedServer {
  const timeouts: ConnectionTimeouts = {
    headersTimeoutMs: options.headersTimeoutMs ??
      CONNECTION_DEFAULTS.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? CONNECTION_DEFAULTS.bodyTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ??
      CONNECTION_DEFAULTS.keepAliveTimeoutMs,
    sendTimeoutMs: options.sendTimeoutMs ?? CONNECTION_DEFAULTS.sendTimeoutMs,
  };
  const headLimits = {
    maxHeaderBytes: options.maxHeaderBytes ??
      CONNECTION_DEFAULTS.maxHeaderBytes,
    maxHeaderCount: options.maxHeaderCount ??
      CONNECTION_DEFAULTS.maxHeaderCount,
  };
  for (const [name, value] of Object.entries({ ...timeouts, ...headLimits })) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new TypeError(`"${name}" must be a positive integer`);
    }
  }
  const maxConnections = options.maxConnections ??
    CONNECTION_DEFAULTS.maxConnections;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new TypeError('"maxConnections" must be a positive integer');
  }
  const now = options.now ?? Date.now;
  const emit = (event: ConnectionEvent) => options.onEvent?.(event);

  const connections = new Set<ProxiedConnection>();
  // Keyed by the local port of the loopback connection, which is the
  // `remoteAddr.port` the internal server sees for the same connection.
  const byUpstreamPort = new Map<number, ProxiedConnection>();
  const refusing = new Set<Deno.Conn>();
  const refused = new Map<
    "too_many_connections" | "internal_server_unavailable",
    number
  >();
  const stop = new AbortController();
  let stopping = false;
  let onEmpty: (() => void) | undefined;
  let refusalDone: (() => void) | undefined;

  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
    ...(options.reusePort ? { reusePort: true } : {}),
  });
  const addr = listener.addr;
  const fallbackHost = formatHost(addr);

  let internal: Generation | undefined;
  const generations = new Set<Generation>();
  try {
    internal = startInternal();
  } catch (error) {
    listener.close();
    throw error;
  }

  const context = {
    timeouts,
    headLimits,
    now,
    onHeadersTooLarge() {
      emit({ kind: "headers_too_large" });
    },
    onMalformed() {
      emit({ kind: "malformed_request" });
    },
    onTimeout(phase: TimeoutPhase) {
      if (phase !== "linger") emit({ kind: "connection_timeout", phase });
    },
    onClosed(connection: ProxiedConnection) {
      connections.delete(connection);
      const port = connection.upstreamPort;
      if (port !== undefined && byUpstreamPort.get(port) === connection) {
        byUpstreamPort.delete(port);
      }
      if (connections.size === 0) onEmpty?.();
    },
  };

  const sweepMs = Math.max(
    10,
    Math.min(1_000, Math.floor(Math.min(...Object.values(timeouts)) / 4)),
  );
  let lastReport = now();
  const sweeper = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      const deadline = connection.deadline();
      if (deadline !== undefined && at >= deadline.at) {
        connection.expire(deadline.phase);
      }
    }
    if (at - lastReport >= REPORT_INTERVAL_MS) {
      lastReport = at;
      for (const [reason, count] of refused) {
        emit({ kind: "connections_refused", reason, count });
      }
      refused.clear();
    }
  }, sweepMs);

  const accepting = acceptLoop();
  options.onListen?.(addr);

  function startInternal(): Generation {
    const controller = new AbortController();
    // deno-lint-ignore prefer-const
    let generation: Generation;
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: controller.signal,
      onListen() {},
      ...(options.onError ? { onError: options.onError } : {}),
    }, (request, info) => {
      const connection = byUpstreamPort.get(info.remoteAddr.port);
      if (
        connection === undefined ||
        connection.internalPort !== generation.port
      ) {
        // Someone on this host connected to the internal port directly.
        return Response.json({
          error: "misdirected_request",
          error_description: "Connect to the server's public address",
        }, { status: 421, headers: { Connection: "close" } });
      }
      return connection.handle(request, info, handler, fallbackHost);
    });
    generation = { port: server.addr.port, server, controller };
    generations.add(generation);
    // Deno's accept loop ends on its first error (EMFILE included) and
    // rejects `finished`; unhandled, that would end the process.
    server.finished.then(
      () => generations.delete(generation),
      (error) => {
        generations.delete(generation);
        if (stopping) return;
        emit({
          kind: "internal_server_failed",
          message: error instanceof Error ? error.message : String(error),
        });
        // Its open connections still run; let them finish, then free it.
        server.shutdown().catch(() => {});
        if (internal === generation) {
          internal = undefined;
          void restartInternal();
        }
      },
    );
    return generation;
  }

  async function restartInternal(): Promise<void> {
    let wait = ACCEPT_BACKOFF_MIN_MS;
    while (!stopping && internal === undefined) {
      await delay(wait, stop.signal);
      if (stopping) return;
      try {
        internal = startInternal();
        emit({ kind: "internal_server_restarted" });
      } catch {
        wait = Math.min(wait * 2, ACCEPT_BACKOFF_MAX_MS);
      }
    }
  }

  async function acceptLoop(): Promise<void> {
    let failures = 0;
    let wait = ACCEPT_BACKOFF_MIN_MS;
    while (!stopping) {
      if (refusing.size >= MAX_REFUSING) {
        await new Promise<void>((resolve) => {
          refusalDone = resolve;
        });
        continue;
      }
      let client: Deno.TcpConn;
      try {
        client = await listener.accept();
      } catch (error) {
        if (stopping) return;
        // Any other accept error (EMFILE, ENFILE, ENOBUFS, ECONNABORTED) is
        // about this moment, not the listener: wait, then try again; the
        // kernel queues new connections meanwhile.
        failures++;
        if (failures === 1) {
          emit({
            kind: "accept_failed",
            code: (error as { code?: string }).code ?? "unknown",
            message: error instanceof Error ? error.message : String(error),
          });
        }
        await delay(wait, stop.signal);
        wait = Math.min(wait * 2, ACCEPT_BACKOFF_MAX_MS);
        continue;
      }
      if (failures > 0) {
        emit({ kind: "accept_recovered", failures });
        failures = 0;
        wait = ACCEPT_BACKOFF_MIN_MS;
      }
      if (connections.size >= maxConnections) {
        refuse(client, "too_many_connections");
        continue;
      }
      void adopt(client);
    }
  }

  async function adopt(client: Deno.TcpConn): Promise<void> {
    // `Deno.serve` turns Nagle's algorithm off on the sockets it accepts;
    // `Deno.listen` and `Deno.connect` leave it on. With it on, a response
    // that reaches us in pieces (any stream: SSE, a chunked body) waits
    // for the client's delayed ACK, about 40 ms on Linux, at every piece
    // after the first.
    client.setNoDelay(true);
    const connection = new ProxiedConnection(client, context);
    connections.add(connection);
    const generation = internal;
    if (generation === undefined) {
      connections.delete(connection);
      refuse(client, "internal_server_unavailable");
      return;
    }
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: generation.port,
      });
    } catch {
      // No descriptor left for the loopback side (or the internal server
      // just died): shed this client rather than hold it.
      connections.delete(connection);
      if (connections.size === 0) onEmpty?.();
      refuse(client, "internal_server_unavailable");
      return;
    }
    if (connection.isClosed || stopping) {
      closeQuietly(upstream);
      connection.destroy();
      return;
    }
    // And a request body we forward in pieces, for the same reason.
    upstream.setNoDelay(true);
    byUpstreamPort.set(upstream.localAddr.port, connection);
    connection.attach(upstream, generation.port);
  }

  function refuse(
    client: Deno.Conn,
    reason: "too_many_connections" | "internal_server_unavailable",
  ): void {
    refused.set(reason, (refused.get(reason) ?? 0) + 1);
    refusing.add(client);
    const answer = reason === "too_many_connections"
      ? cannedResponse(
        503,
        "Service Unavailable",
        "too_many_connections",
        "The server has too many open connections; retry shortly",
        "Retry-After: 1\r\n",
      )
      : cannedResponse(
        503,
        "Service Unavailable",
        "server_unavailable",
        "The server cannot take connections right now; retry shortly",
        "Retry-After: 1\r\n",
      );
    // A fresh socket's send buffer takes this at once; never wait on it.
    client.write(answer).catch(() => {}).finally(() => {
      refusing.delete(client);
      closeQuietly(client);
      refusalDone?.();
      refusalDone = undefined;
    });
  }

  return {
    addr,
    get connections() {
      return connections.size;
    },
    maxConnections,
    get internalPort() {
      return internal?.port;
    },
    async shutdown(deadline) {
      if (!stopping) {
        stopping = true;
        stop.abort();
        refusalDone?.();
        try {
          listener.close();
        } catch {
          // Already closed.
        }
      }
      await accepting;
      const allClosed = connections.size === 0 || await within(
        Math.max(0, deadline - now()),
        new Promise<void>((resolve) => {
          onEmpty = resolve;
        }),
      );
      clearInterval(sweeper);
      for (const connection of [...connections]) connection.destroy();
      for (const client of refusing) closeQuietly(client);
      for (const generation of [...generations]) {
        generation.controller.abort();
        await within(1_000, generation.server.finished.catch(() => {}));
      }
      return allClosed;
    },
  };
}

function formatHost(addr: Deno.NetAddr): string {
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `${host}:${addr.port}`;
}
