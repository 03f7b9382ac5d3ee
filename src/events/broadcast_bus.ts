/**
 * A `ServerEventBus` (MCP SDK v2) shared by the isolates of one process
 * (`MCP_WORKERS` above 1) over a `BroadcastChannel`, for the stores that
 * have no bus of their own across isolates (SQLite). A change written
 * through one worker then reaches the `subscriptions/listen` streams every
 * other worker holds, whichever isolate the client's connection landed on.
 *
 * Events go to this isolate's listeners at once and to the others through
 * the channel (which never echoes a message to its sender). Messages are
 * the PostgreSQL bus's envelopes and are read with the same checks, so a
 * stray message on the channel is dropped, not delivered. Delivery is at
 * most once and within the process only: separate processes on one SQLite
 * file do not hear each other (README, "Storage").
 *
 * @module
 */

import {
  InMemoryServerEventBus,
  type ServerEvent,
} from "@modelcontextprotocol/server";
import type { ClosableEventBus } from "./event_bus.ts";
import { readEnvelope } from "./postgres_bus.ts";

/** Options for {@link BroadcastEventBus}. */
export interface BroadcastEventBusOptions {
  /**
   * The channel name every worker of this process shares; unique per
   * process run, so two servers in one test process never cross-talk.
   */
  readonly channel: string;
  /** Told when a message on the channel is not an envelope. Default: ignored. */
  readonly onError?: (error: Error) => void;
}

/** A {@link ClosableEventBus} over a `BroadcastChannel`. */
export class BroadcastEventBus implements ClosableEventBus {
  readonly #local: InMemoryServerEventBus;
  readonly #channel: BroadcastChannel;
  readonly #origin = crypto.randomUUID();
  readonly #onError: (error: Error) => void;
  #closed = false;

  /** Joins `options.channel`. */
  constructor(options: BroadcastEventBusOptions) {
    this.#onError = options.onError ?? (() => {});
    this.#local = new InMemoryServerEventBus(this.#onError);
    this.#channel = new BroadcastChannel(options.channel);
    this.#channel.onmessage = (message: MessageEvent) => {
      if (this.#closed) return;
      const envelope = typeof message.data === "string"
        ? readEnvelope(message.data)
        : undefined;
      if (envelope === undefined) {
        this.#onError(new Error("Dropped a malformed message between workers"));
        return;
      }
      for (const event of envelope.e) this.#local.publish(event);
    };
  }

  /** Delivers `event` here at once and to every other worker of the process. */
  publish(event: ServerEvent): void {
    if (this.#closed) return;
    this.#local.publish(event);
    this.#channel.postMessage(JSON.stringify({ o: this.#origin, e: [event] }));
  }

  /** Registers a listener for every event, local or from another worker. */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    return this.#local.subscribe(listener);
  }

  /** Leaves the channel; later events are neither sent nor delivered. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#channel.close();
    }
    return Promise.resolve();
  }
}
