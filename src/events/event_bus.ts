/**
 * Picks the change-event bus that fits a todo store: PostgreSQL
 * `LISTEN`/`NOTIFY` when instances share a PostgreSQL database; a
 * `BroadcastChannel` between the workers of one process for SQLite with
 * `MCP_WORKERS` above 1; the SDK's in-process bus otherwise.
 *
 * @module
 */

import {
  InMemoryServerEventBus,
  type ServerEventBus,
} from "@modelcontextprotocol/server";
import { PostgresTodoStore } from "../store/postgres.ts";
import type { TodoStore } from "../store/todo_store.ts";
import { BroadcastEventBus } from "./broadcast_bus.ts";
import {
  PostgresEventBus,
  type PostgresEventBusOptions,
} from "./postgres_bus.ts";

/** A bus the server closes at shutdown. */
export interface ClosableEventBus extends ServerEventBus {
  /** Stops delivery and releases what the bus holds. */
  close(): Promise<void>;
}

/** Options for {@link openEventBus}. */
export interface OpenEventBusOptions extends PostgresEventBusOptions {
  /**
   * With several workers in this process (`MCP_WORKERS`): the
   * `BroadcastChannel` they share, so a store without a bus of its own
   * (SQLite) still tells every worker about changes. PostgreSQL ignores it:
   * its NOTIFY already reaches every worker.
   */
  readonly workerChannel?: string;
}

class LocalEventBus extends InMemoryServerEventBus implements ClosableEventBus {
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The bus for `store`: pass it to `createMcpHandler(factory, { bus })` on
 * every instance, and close it before the store at shutdown.
 *
 * @throws {Error} when PostgreSQL does not accept the LISTEN in time.
 * @example
 * ```ts
 * const store = await openTodoStore(config.databaseUrl, { dataDir: config.dataDir });
 * const bus = await openEventBus(store, { onError: (e) => logger.warn("event_bus", { message: e.message }) });
 * const handler = createMcpHandler(buildServer, { bus });
 * ```
 */
export async function openEventBus(
  store: TodoStore,
  options: OpenEventBusOptions = {},
): Promise<ClosableEventBus> {
  if (store instanceof PostgresTodoStore) {
    return await PostgresEventBus.start(store.client, options);
  }
  if (options.workerChannel !== undefined) {
    return new BroadcastEventBus({
      channel: options.workerChannel,
      onError: options.onError,
    });
  }
  return new LocalEventBus(options.onError);
}
