/**
 * One client connection of the guarded server (`guarded_server.ts`): it
 * copies bytes between the client's socket and a loopback connection to
 * the internal `Deno.serve`, learns from the request handler where each
 * request begins and ends, and so can put a deadline on every phase of
 * the connection and close it properly after a `Connection: close`.
 *
 * Phases and their deadlines:
 * - waiting for a request's headers (from accept, or from the first byte
 *   after a response): `headersTimeoutMs`; bytes but no headers get a 408;
 * - receiving a request's body (from its headers to the body's end, as the
 *   handler reads it): `bodyTimeoutMs`; the body then fails, the handler's
 *   answer becomes a 408, and the connection closes after it;
 * - idle between requests: `keepAliveTimeoutMs`;
 * - one write to the client that does not progress: `sendTimeoutMs`.
 * A handler working on a request, or a response streaming steadily, has no
 * deadline here: those are the application's to bound.
 *
 * Closing after a response (RFC 9112 §9.6: a server that sends `close`
 * MUST close the connection after that response) is done in the order that
 * loses no byte: once the response is written (`info.completed`), the
 * internal connection is half-closed; Deno then closes it, so everything it
 * wrote has been read and forwarded; the client side is half-closed and
 * read and discarded for a moment ("lingering close", RFC 9112 §9.6), so a
 * request body still arriving does not turn the close into a reset that
 * destroys the response before the client reads it.
 *
 * @module
 */

import { within } from "../timers.ts";
import { withHeader } from "./_response_headers.ts";

/** The deadlines a connection enforces, in milliseconds. */
export interface ConnectionTimeouts {
  /** From accept, or from the first byte after a response, to a request's complete headers. */
  readonly headersTimeoutMs: number;
  /** From a request's headers to the end of its body. */
  readonly bodyTimeoutMs: number;
  /** Idle between requests. */
  readonly keepAliveTimeoutMs: number;
  /** One write to the client that makes no progress. */
  readonly sendTimeoutMs: number;
}

/** Limits on a request head, checked on the bytes before Deno parses them. */
export interface HeadLimits {
  /** Largest request line plus headers, in bytes. */
  readonly maxHeaderBytes: number;
  /** Most header fields. */
  readonly maxHeaderCount: number;
}

/** Which deadline closed a connection. */
export type TimeoutPhase = "headers" | "body" | "idle" | "send" | "linger";

/** What a connection needs from its server. */
export interface ConnectionContext {
  /** The deadlines. */
  readonly timeouts: ConnectionTimeouts;
  /** Head size limits. */
  readonly headLimits: HeadLimits;
  /** Told when a request head was over a limit (before the 431 is sent). */
  readonly onHeadersTooLarge: () => void;
  /** Told when Deno dropped a request it could not parse (before the 400 is sent). */
  readonly onMalformed: () => void;
  /** The clock, in ms. */
  readonly now: () => number;
  /** Told when a deadline passes (before the connection reacts). */
  readonly onTimeout: (phase: TimeoutPhase) => void;
  /** Told once, when both sockets are closed. */
  readonly onClosed: (connection: ProxiedConnection) => void;
}

// Requests are small; responses can be large, so they move in bigger reads.
// An idle connection holds both buffers while it waits, hence not larger.
const CLIENT_READ_BYTES = 4 * 1024;
const UPSTREAM_READ_BYTES = 16 * 1024;
/** How long a closing connection reads and discards what the client still sends. */
export const LINGER_MS = 2_000;
/** After a body times out, how long the handler has to answer before the connection is dropped. */
export const ANSWER_GRACE_MS = 5_000;
/**
 * Largest body left unread by the handler that is read and discarded so
 * the connection can carry the next request; a larger one closes it.
 */
export const DRAIN_MAX_BYTES = 64 * 1024;
/**
 * How long the response to such a request waits for the rest of its body.
 * Deno keeps a connection only if the body is complete when the response
 * is written: a body sent with its headers is, at once; one still on its
 * way closes the connection after this short wait.
 */
export const DRAIN_WAIT_MS = 25;

const HTTP2_PREFACE = new TextEncoder().encode("PRI * HTTP/2.0");

interface Exchange {
  readonly startedAt: number;
  /** `reading` until the handler has read the whole body, or gave up on it. */
  body: "none" | "reading" | "done" | "abandoned";
  timedOutAt: number | undefined;
  abortBody?: (error: Error) => void;
  releaseBody?: () => void;
  /** Reads the rest of the body and discards it; `true` once it ended in full. */
  drainBody?: () => Promise<boolean>;
}

/** The request body did not arrive within `bodyTimeoutMs`. */
export class BodyTimeoutError extends Error {
  /** Stable reason, for logs. */
  readonly code = "body_timeout";
  /** The message says which deadline passed, never what was received. */
  constructor() {
    super("The request body did not arrive in time");
    this.name = "BodyTimeoutError";
  }
}

/** One client connection, from accept to close. */
export class ProxiedConnection {
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr;
  /** Port of the internal server this connection is attached to, once attached. */
  internalPort: number | undefined;
  /** Local port of the loopback connection, as the internal server sees it, once attached. */
  upstreamPort: number | undefined;

  readonly #client: Deno.TcpConn;
  readonly #context: ConnectionContext;
  #upstream: Deno.TcpConn | undefined;
  #upstreamWritable = true;
  #state: "open" | "closing" | "lingering" | "closed" = "open";
  #inFlight = 0;
  readonly #exchanges = new Set<Exchange>();
  #awaitingHeadersSince: number | undefined;
  #bytesSinceResponse = false;
  #idleSince: number;
  #writeStartedAt: number | undefined;
  #lingerUntil = 0;
  #multiplexed = false;
  #firstChunk = true;
  #clientEnded = false;
  // The head scanner, for a connection's first request: on from accept, off
  // once its blank line is seen. Later requests on the connection are
  // checked in `handle()` instead: with keep-alive, the next request's
  // bytes can arrive before the last response is known to be sent, so
  // the bytes alone cannot say where a head starts.
  #scanning = true;
  // Whether the client sent bytes that nothing from Deno has answered yet.
  #unanswered = false;
  #headBytes = 0;
  #headLines = 0;
  #lastTwo = 0;

  /** Takes ownership of an accepted client connection. */
  constructor(client: Deno.TcpConn, context: ConnectionContext) {
    this.#client = client;
    this.#context = context;
    this.remoteAddr = client.remoteAddr;
    const now = context.now();
    this.#awaitingHeadersSince = now;
    this.#idleSince = now;
  }

  /** Whether the connection is closed. */
  get isClosed(): boolean {
    return this.#state === "closed";
  }

  /** Starts copying bytes to and from `upstream`, a connection to the internal server on `internalPort`. */
  attach(upstream: Deno.TcpConn, internalPort: number): void {
    if (this.#state === "closed") {
      closeQuietly(upstream);
      return;
    }
    this.#upstream = upstream;
    this.internalPort = internalPort;
    this.upstreamPort = upstream.localAddr.port;
    void this.#pumpClient();
    void this.#pumpUpstream(upstream);
  }

  /**
   * Runs `handler` for a request that arrived on this connection, tracking
   * its body and its end, and decides whether the connection stays open.
   */
  async handle(
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    handler: Deno.ServeHandler<Deno.NetAddr>,
    fallbackHost: string,
  ): Promise<Response> {
    const { now, timeouts } = this.#context;
    this.#awaitingHeadersSince = undefined;
    this.#bytesSinceResponse = false;
    this.#inFlight++;
    const exchange: Exchange = {
      startedAt: now(),
      body: request.body === null ? "none" : "reading",
      timedOutAt: undefined,
    };
    this.#exchanges.add(exchange);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.#exchanges.delete(exchange);
      this.#inFlight--;
      if (this.#inFlight === 0) {
        this.#idleSince = now();
        if (this.#state === "closing") this.#endUpstream();
      }
    };
    info.completed.then(finish, finish);

    const oversized = headTooLarge(request, this.#context.headLimits);
    if (oversized) {
      this.#context.onHeadersTooLarge();
      // Unread, the body would keep the response from completing.
      if (exchange.body === "reading") exchange.body = "abandoned";
      await request.body?.cancel().catch(() => {});
      this.#closeAfterResponses();
      return headersTooLargeResponse(this.#context.headLimits);
    }

    let forwarded = request;
    // Without `Host` (HTTP/1.0), Deno would name the internal address.
    if (!request.headers.has("host")) {
      const url = new URL(request.url);
      url.host = fallbackHost;
      forwarded = new Request(url, forwarded);
    }
    if (request.body !== null) {
      forwarded = new Request(forwarded, {
        body: trackBody(request.body, exchange),
      });
    }

    let response: Response;
    try {
      response = await handler(forwarded, {
        remoteAddr: this.remoteAddr,
        completed: info.completed,
      });
    } catch (error) {
      if (exchange.timedOutAt === undefined) {
        // Deno's onError answers; the body may be unread, so do not reuse.
        if (exchange.body === "reading") this.#closeAfterResponses();
        throw error;
      }
      response = requestTimeout(timeouts.bodyTimeoutMs);
    }
    if (exchange.timedOutAt !== undefined) {
      await response.body?.cancel().catch(() => {});
      response = requestTimeout(timeouts.bodyTimeoutMs);
    }
    if (this.#multiplexed) return response; // HTTP/2: no connection headers
    if (
      (exchange.body === "reading" || exchange.body === "abandoned") &&
      !await this.#drainUnread(request, exchange)
    ) {
      // A body the handler did not read (a 401 or 413 answered before it
      // arrived) makes the connection unusable for another request. While
      // a reader holds Deno's body stream, Deno leaves the connection to
      // that reader after the response and `completed` never settles: the
      // connection would wait for a body that may never come. Cancelling
      // the stream lets the response complete, and the close follow.
      exchange.releaseBody?.();
      this.#closeAfterResponses();
      return withHeader(response, "Connection", "close");
    }
    if (
      this.#state !== "open" ||
      /\bclose\b/i.test(response.headers.get("connection") ?? "")
    ) {
      // A response that says `close` (the drain's) must end the connection.
      this.#closeAfterResponses();
      return withHeader(response, "Connection", "close");
    }
    const seconds = Math.floor(timeouts.keepAliveTimeoutMs / 1000);
    return seconds >= 1
      ? withHeader(response, "Keep-Alive", `timeout=${seconds}`)
      : response;
  }

  /**
   * Reads and discards the rest of a small body the handler did not read
   * (typically a 401 answered before reading it), so the connection can
   * carry the client's next request instead of being closed: refusals
   * would otherwise cost a new connection each (Go's `net/http` does the
   * same up to 256 KiB). Only a body whose `Content-Length` is at most
   * {@link DRAIN_MAX_BYTES}, and only if it arrives within
   * {@link DRAIN_WAIT_MS}. `true` once it was read in full.
   */
  async #drainUnread(request: Request, exchange: Exchange): Promise<boolean> {
    if (exchange.drainBody === undefined) return false;
    // No `Content-Length`: a chunked body, of unknown size.
    const length = Number(request.headers.get("content-length") ?? NaN);
    if (!(length <= DRAIN_MAX_BYTES)) return false;
    const drained = exchange.drainBody();
    return await within(DRAIN_WAIT_MS, drained) && await drained;
  }

  /** The next deadline, if any: when it passes, call {@link expire}. */
  deadline():
    | { readonly at: number; readonly phase: TimeoutPhase }
    | undefined {
    if (this.#state === "closed") return undefined;
    const { timeouts } = this.#context;
    let best: { at: number; phase: TimeoutPhase } | undefined;
    const consider = (at: number, phase: TimeoutPhase) => {
      if (best === undefined || at < best.at) best = { at, phase };
    };
    if (this.#writeStartedAt !== undefined) {
      consider(this.#writeStartedAt + timeouts.sendTimeoutMs, "send");
    }
    if (this.#state === "lingering") {
      consider(this.#lingerUntil, "linger");
      return best;
    }
    if (this.#inFlight === 0) {
      if (this.#awaitingHeadersSince !== undefined) {
        consider(
          this.#awaitingHeadersSince + timeouts.headersTimeoutMs,
          "headers",
        );
      } else {
        consider(this.#idleSince + timeouts.keepAliveTimeoutMs, "idle");
      }
    }
    for (const exchange of this.#exchanges) {
      if (exchange.timedOutAt !== undefined) {
        consider(exchange.timedOutAt + ANSWER_GRACE_MS, "body");
      } else if (exchange.body === "reading") {
        consider(exchange.startedAt + timeouts.bodyTimeoutMs, "body");
      }
    }
    return best;
  }

  /** Acts on the deadline {@link deadline} returned, once it has passed. */
  expire(phase: TimeoutPhase): void {
    if (this.#state === "closed") return;
    const now = this.#context.now();
    if (phase === "body") {
      for (const exchange of this.#exchanges) {
        if (exchange.timedOutAt !== undefined) {
          if (now >= exchange.timedOutAt + ANSWER_GRACE_MS) {
            this.#context.onTimeout(phase);
            this.destroy();
            return;
          }
        } else if (
          exchange.body === "reading" &&
          now >= exchange.startedAt + this.#context.timeouts.bodyTimeoutMs
        ) {
          this.#context.onTimeout(phase);
          exchange.timedOutAt = now;
          this.#closeAfterResponses();
          exchange.abortBody?.(new BodyTimeoutError());
        }
      }
      return;
    }
    if (phase !== "linger") this.#context.onTimeout(phase);
    if (
      phase === "headers" && this.#bytesSinceResponse && !this.#multiplexed &&
      this.#writeStartedAt === undefined
    ) {
      void this.#answerHeadersTimeout();
      return;
    }
    this.destroy();
  }

  /** Closes both sockets now. */
  destroy(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    closeQuietly(this.#client);
    if (this.#upstream) closeQuietly(this.#upstream);
    this.#context.onClosed(this);
  }

  #closeAfterResponses(): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    if (this.#inFlight === 0) this.#endUpstream();
  }

  // Half-close towards Deno: it finishes writing, reads EOF and closes, so
  // the upstream pump sees every byte it wrote before it sees the end.
  #endUpstream(): void {
    if (!this.#upstreamWritable) return;
    this.#upstreamWritable = false;
    if (this.#upstream === undefined) {
      this.destroy();
      return;
    }
    this.#upstream.closeWrite().catch(() => this.destroy());
  }

  async #pumpClient(): Promise<void> {
    const buffer = new Uint8Array(CLIENT_READ_BYTES);
    while (true) {
      let read: number | null;
      try {
        read = await this.#client.read(buffer);
      } catch {
        this.destroy();
        return;
      }
      if (read === null) {
        this.#clientEnded = true;
        if (this.#state === "lingering") this.destroy();
        // The client is done sending: let Deno finish what it has and close.
        else this.#endUpstream();
        return;
      }
      if (this.#state === "lingering" || !this.#upstreamWritable) continue;
      const chunk = buffer.subarray(0, read);
      if (this.#firstChunk) {
        this.#firstChunk = false;
        this.#multiplexed = startsWith(chunk, HTTP2_PREFACE);
      }
      this.#bytesSinceResponse = true;
      if (this.#inFlight === 0 && this.#awaitingHeadersSince === undefined) {
        this.#awaitingHeadersSince = this.#context.now();
      }
      this.#unanswered = true;
      if (this.#scanning && !this.#multiplexed && this.#headTooLarge(chunk)) {
        this.#context.onHeadersTooLarge();
        void this.#answerHeadersTooLarge();
        continue;
      }
      try {
        await writeAll(this.#upstream!, chunk);
      } catch {
        this.destroy();
        return;
      }
    }
  }

  async #pumpUpstream(upstream: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(UPSTREAM_READ_BYTES);
    while (true) {
      let read: number | null;
      try {
        read = await upstream.read(buffer);
      } catch {
        this.destroy();
        return;
      }
      if (read === null) {
        this.#linger();
        return;
      }
      this.#unanswered = false;
      this.#writeStartedAt = this.#context.now();
      try {
        await writeAll(this.#client, buffer.subarray(0, read));
      } catch {
        this.destroy();
        return;
      }
      this.#writeStartedAt = undefined;
    }
  }

  // Deno closed its side, after everything it wrote: pass the end on.
  #linger(): void {
    if (this.#state === "closed") return;
    if (this.#clientEnded) {
      this.destroy();
      return;
    }
    if (this.#unanswered && !this.#multiplexed && this.#state === "open") {
      // Deno dropped a request it could not parse without a word (a
      // malformed chunked body): the client gets a 400, not a bare close.
      void this.#answerMalformed();
      return;
    }
    this.#state = "lingering";
    this.#lingerUntil = this.#context.now() + LINGER_MS;
    this.#upstreamWritable = false;
    if (this.#upstream) closeQuietly(this.#upstream);
    this.#client.closeWrite().catch(() => this.destroy());
  }

  /**
   * Feeds head bytes to the scanner; `true` once the head is over a limit.
   * The head ends at its first empty line (RFC 9112 §2.1); the body after
   * it is not scanned.
   */
  #headTooLarge(chunk: Uint8Array): boolean {
    const { maxHeaderBytes, maxHeaderCount } = this.#context.headLimits;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      this.#headBytes++;
      if (byte === 0x0a) {
        // An empty line: this "\n" follows "\n", or "\n\r".
        if ((this.#lastTwo & 0xff) === 0x0a || this.#lastTwo === 0x0a0d) {
          this.#scanning = false;
          return false;
        }
        this.#headLines++;
      }
      this.#lastTwo = ((this.#lastTwo << 8) | byte) & 0xffff;
      // Lines: the request line, then one per field.
      if (
        this.#headBytes > maxHeaderBytes ||
        this.#headLines > maxHeaderCount + 1
      ) {
        return true;
      }
    }
    return false;
  }

  async #answerMalformed(): Promise<void> {
    this.#context.onMalformed();
    await this.#answerAndLinger(cannedResponse(
      400,
      "Bad Request",
      "bad_request",
      "The request could not be read (malformed framing)",
    ));
  }

  /** Drops the internal side, sends `response` and closes after a linger. */
  async #answerAndLinger(response: Uint8Array): Promise<void> {
    this.#scanning = false;
    this.#state = "lingering";
    this.#lingerUntil = this.#context.now() + LINGER_MS;
    this.#upstreamWritable = false;
    if (this.#upstream) closeQuietly(this.#upstream);
    this.#writeStartedAt = this.#context.now();
    try {
      await writeAll(this.#client, response);
      await this.#client.closeWrite();
    } catch {
      this.destroy();
    }
    this.#writeStartedAt = undefined;
  }

  // RFC 6585 §5: 431 Request Header Fields Too Large.
  async #answerHeadersTooLarge(): Promise<void> {
    const { maxHeaderBytes, maxHeaderCount } = this.#context.headLimits;
    await this.#answerAndLinger(cannedResponse(
      431,
      "Request Header Fields Too Large",
      "request_header_fields_too_large",
      `The request headers exceed ${maxHeaderBytes} bytes or ${maxHeaderCount} fields`,
    ));
  }

  async #answerHeadersTimeout(): Promise<void> {
    this.#state = "lingering";
    this.#lingerUntil = this.#context.now() + LINGER_MS;
    this.#upstreamWritable = false;
    // Deno holds a partial request: drop it, so nothing more comes from there.
    if (this.#upstream) closeQuietly(this.#upstream);
    this.#writeStartedAt = this.#context.now();
    try {
      await writeAll(
        this.#client,
        cannedResponse(
          408,
          "Request Timeout",
          "request_timeout",
          `The request headers did not arrive within ${this.#context.timeouts.headersTimeoutMs} ms`,
        ),
      );
      await this.#client.closeWrite();
    } catch {
      this.destroy();
    }
    this.#writeStartedAt = undefined;
  }
}

/**
 * Passes a request body through while recording whether the handler read
 * it to the end, and lets the connection fail it when it stalls. Pulls
 * only when the handler reads, so a body the handler never reads stays
 * unread (and the connection is then not reused).
 */
function trackBody(
  body: ReadableStream<Uint8Array>,
  exchange: Exchange,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  exchange.releaseBody = () => {
    if (exchange.body === "reading") exchange.body = "abandoned";
    reader.cancel().catch(() => {});
  };
  exchange.drainBody = async () => {
    try {
      while (exchange.body === "reading") {
        const { done } = await reader.read();
        if (done && exchange.body === "reading") exchange.body = "done";
      }
    } catch {
      if (exchange.body === "reading") exchange.body = "abandoned";
    }
    return exchange.body === "done";
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      exchange.abortBody = (error) => {
        if (exchange.body !== "reading") return;
        exchange.body = "abandoned";
        controller.error(error);
        reader.cancel(error).catch(() => {});
      };
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (exchange.body !== "reading") return;
        if (done) {
          exchange.body = "done";
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        if (exchange.body !== "reading") return;
        exchange.body = "abandoned";
        controller.error(error);
      }
    },
    cancel(reason) {
      if (exchange.body === "reading") exchange.body = "abandoned";
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** Whether a parsed request's headers are over the limits (sizes as on the wire). */
function headTooLarge(request: Request, limits: HeadLimits): boolean {
  // The request target as sent: the URL from the path on (Deno's URLs
  // carry no fragment). Found by position: parsing the URL again costs 3%
  // of a tools/call.
  const url = request.url;
  const path = url.indexOf("/", url.indexOf("//") + 2);
  let bytes = request.method.length + (path === -1 ? 1 : url.length - path) +
    12;
  let count = 0;
  for (const [name, value] of request.headers) {
    count++;
    bytes += name.length + value.length + 4;
  }
  return count > limits.maxHeaderCount || bytes > limits.maxHeaderBytes;
}

function headersTooLargeResponse(limits: HeadLimits): Response {
  return Response.json({
    error: "request_header_fields_too_large",
    error_description:
      `The request headers exceed ${limits.maxHeaderBytes} bytes or ${limits.maxHeaderCount} fields`,
  }, { status: 431, headers: { Connection: "close" } });
}

function requestTimeout(bodyTimeoutMs: number): Response {
  return Response.json({
    error: "request_timeout",
    error_description:
      `The request body did not arrive within ${bodyTimeoutMs} ms`,
  }, { status: 408, headers: { Connection: "close" } });
}

/** A complete HTTP/1.1 response with a JSON error body that closes the connection. */
export function cannedResponse(
  status: number,
  reason: string,
  error: string,
  description: string,
  extraHeaders = "",
): Uint8Array {
  const body = JSON.stringify({ error, error_description: description });
  return new TextEncoder().encode(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${new TextEncoder().encode(body).length}\r\n` +
      extraHeaders +
      "Connection: close\r\n\r\n" + body,
  );
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, index) => bytes[index] === byte);
}

/** Closes a connection that may already be closed. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
