/**
 * A `ServerEventBus` (MCP SDK v2) over PostgreSQL `LISTEN`/`NOTIFY`, so a
 * change published by one server instance reaches the `subscriptions/listen`
 * streams that every other instance holds.
 *
 * Events are delivered to this instance's listeners at once, in process (so
 * they arrive even while the database is down), and sent to the others as a
 * NOTIFY on one channel; each instance skips the copy of its own events that
 * comes back. Delivery to other instances is at most once: a NOTIFY sent
 * while an instance's LISTEN connection is down is lost to it (PostgreSQL
 * keeps no backlog for absent listeners), which suits change notifications,
 * since clients re-read what changed.
 *
 * Events published in the same turn of the event loop travel together, as
 * few NOTIFYs as fit PostgreSQL's payload limit: a bulk delete of thousands
 * of todos is a handful of NOTIFYs, not thousands of round trips that would
 * hold the pool's connections.
 *
 * @module
 */

import {
  InMemoryServerEventBus,
  type ServerEvent,
  type ServerEventBus,
} from "@modelcontextprotocol/server";
import type postgres from "postgres";

/** Options for {@link PostgresEventBus.start}. */
export interface PostgresEventBusOptions {
  /** The NOTIFY channel every instance shares. Default `mcp_scalekit_events`. */
  readonly channel?: string;
  /** Told when an event cannot be sent or a notification cannot be read. Default: ignored. */
  readonly onError?: (error: Error) => void;
  /** How long `start` waits for the first LISTEN, in ms. Default 10 000. */
  readonly listenTimeoutMs?: number;
}

/** The default NOTIFY channel. */
export const DEFAULT_EVENT_CHANNEL = "mcp_scalekit_events";

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (docs, NOTIFY). */
export const MAX_PAYLOAD_BYTES = 7999;
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
const KINDS = new Set([
  "tools_list_changed",
  "prompts_list_changed",
  "resources_list_changed",
  "resource_updated",
]);

/** What travels in a NOTIFY: the publishing instance and its events. */
export interface Envelope {
  /** Origin: the publishing bus's random id. */
  readonly o: string;
  /** The events, in the order they were published. */
  readonly e: readonly ServerEvent[];
}

/**
 * Reads the events of a notification payload (`e` one event or a list),
 * keeping only the fields a `ServerEvent` has; `undefined` when the
 * payload or any event in it is malformed (another program may NOTIFY on
 * the channel too).
 */
export function readEnvelope(payload: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { o, e } = parsed as { o?: unknown; e?: unknown };
  if (typeof o !== "string") return undefined;
  const events: ServerEvent[] = [];
  for (const item of Array.isArray(e) ? e : [e]) {
    const event = readEvent(item);
    if (event === undefined) return undefined;
    events.push(event);
  }
  return events.length === 0 ? undefined : { o, e: events };
}

function readEvent(e: unknown): ServerEvent | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const { kind, uri, params } = e as {
    kind?: unknown;
    uri?: unknown;
    params?: unknown;
  };
  if (typeof kind !== "string" || !KINDS.has(kind)) return undefined;
  if (kind === "resource_updated" && typeof uri !== "string") return undefined;
  if (
    params !== undefined &&
    (typeof params !== "object" || params === null || Array.isArray(params))
  ) {
    return undefined;
  }
  return {
    kind,
    ...(kind === "resource_updated" ? { uri } : {}),
    ...(params === undefined ? {} : { params }),
  } as ServerEvent;
}

/**
 * Packs events into as few payloads as fit `maxBytes` (UTF-8), in order.
 * An event too large on its own is left out and returned in `tooLarge`.
 */
export function packEvents(
  origin: string,
  events: readonly ServerEvent[],
  maxBytes: number = MAX_PAYLOAD_BYTES,
): { readonly payloads: string[]; readonly tooLarge: ServerEvent[] } {
  const encoder = new TextEncoder();
  const head = `{"o":${JSON.stringify(origin)},"e":[`;
  const tail = "]}";
  const frame = encoder.encode(head + tail).length;
  const payloads: string[] = [];
  const tooLarge: ServerEvent[] = [];
  let batch: string[] = [];
  let bytes = frame;
  for (const event of events) {
    const json = JSON.stringify(event);
    const size = encoder.encode(json).length;
    if (frame + size > maxBytes) {
      tooLarge.push(event);
      continue;
    }
    // One comma between events.
    if (batch.length > 0 && bytes + 1 + size > maxBytes) {
      payloads.push(head + batch.join(",") + tail);
      batch = [];
      bytes = frame;
    }
    bytes += (batch.length > 0 ? 1 : 0) + size;
    batch.push(json);
  }
  if (batch.length > 0) payloads.push(head + batch.join(",") + tail);
  return { payloads, tooLarge };
}

/** A {@link ServerEventBus} shared by every instance on one PostgreSQL database. */
export class PostgresEventBus implements ServerEventBus {
  readonly #sql: postgres.Sql;
  readonly #channel: string;
  readonly #origin = crypto.randomUUID();
  readonly #local: InMemoryServerEventBus;
  readonly #onError: (error: Error) => void;
  #unlisten: (() => Promise<unknown>) | undefined;
  #outbox: ServerEvent[] = [];
  #closed = false;

  private constructor(sql: postgres.Sql, options: PostgresEventBusOptions) {
    this.#sql = sql;
    this.#channel = options.channel ?? DEFAULT_EVENT_CHANNEL;
    if (!CHANNEL.test(this.#channel)) {
      throw new RangeError(
        "channel must be a lowercase SQL identifier of at most 63 characters",
      );
    }
    this.#onError = options.onError ?? (() => {});
    this.#local = new InMemoryServerEventBus(this.#onError);
  }

  /**
   * Starts listening on the channel through `sql` (postgres.js keeps a
   * dedicated connection for it and LISTENs again after reconnecting), and
   * resolves once the first LISTEN is in place.
   *
   * @throws {Error} when the first LISTEN fails or takes longer than
   * `listenTimeoutMs`.
   */
  static async start(
    sql: postgres.Sql,
    options: PostgresEventBusOptions = {},
  ): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(sql, options);
    const timeoutMs = options.listenTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const listening = sql.listen(
      bus.#channel,
      (payload) => bus.#receive(payload),
    );
    try {
      const { unlisten } = await Promise.race([
        listening,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(`LISTEN did not succeed within ${timeoutMs} ms`),
              ),
            timeoutMs,
          );
        }),
      ]);
      bus.#unlisten = unlisten;
    } catch (error) {
      // A LISTEN that succeeds after the timeout must not leak.
      listening.then(({ unlisten }) => unlisten(), () => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return bus;
  }

  /**
   * Delivers `event` to this instance's listeners now, and sends it to the
   * other instances. Never throws: a failed send goes to `onError`.
   */
  publish(event: ServerEvent): void {
    if (this.#closed) return;
    this.#local.publish(event);
    this.#outbox.push(event);
    // Everything published in this turn goes out together.
    if (this.#outbox.length === 1) queueMicrotask(() => this.#send());
  }

  #send(): void {
    const events = this.#outbox;
    this.#outbox = [];
    if (this.#closed) return;
    const { payloads, tooLarge } = packEvents(this.#origin, events);
    for (const event of tooLarge) {
      this.#onError(
        new Error(
          `Event "${event.kind}" is too large for NOTIFY (limit ${MAX_PAYLOAD_BYTES} bytes); other instances miss it`,
        ),
      );
    }
    for (const payload of payloads) {
      this.#sql.notify(this.#channel, payload).catch((error: unknown) =>
        this.#onError(
          error instanceof Error ? error : new Error(String(error)),
        )
      );
    }
  }

  /** Registers a listener for every event, local or remote; returns an idempotent unsubscribe. */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    return this.#local.subscribe(listener);
  }

  /** Stops listening; later events are neither sent nor delivered. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#unlisten?.().catch(() => {});
  }

  #receive(payload: string): void {
    if (this.#closed) return;
    const envelope = readEnvelope(payload);
    if (envelope === undefined) {
      this.#onError(
        new Error(`Ignored a malformed notification on "${this.#channel}"`),
      );
      return;
    }
    // Our own events came back: their listeners had them when published.
    if (envelope.o === this.#origin) return;
    for (const event of envelope.e) this.#local.publish(event);
  }
}
