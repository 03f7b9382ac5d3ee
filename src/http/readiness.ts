/**
 * `GET /ready`: 200 only while the todo store answers, else 503 with the
 * reason, so a load balancer or an orchestrator sends traffic only to an
 * instance that can serve it. `/health` stays plain liveness: a process
 * whose database is down is alive (and recovers by itself), not ready.
 *
 * Requests that arrive while a check is running share it, so probing
 * `/ready` often (or a flood of it) costs the database one trivial query at
 * a time per instance.
 *
 * @module
 */

import type { Handler } from "hono";
import { type TodoStore, TodoStoreError } from "../store/todo_store.ts";
import type { AppEnv } from "./env.ts";

/**
 * The `/ready` handler for `store`. The 503's `reason` is the store's
 * `detail` (such as `cannot reach PostgreSQL at db:5432 (ECONNREFUSED)`),
 * which names the database's address but never a password or a query.
 */
export function readiness(store: TodoStore): Handler<AppEnv> {
  let running: Promise<void> | undefined;
  function check(): Promise<void> {
    running ??= store.ping().finally(() => running = undefined);
    return running;
  }
  return async function ready(c) {
    // A probe must see the present, never a cached answer.
    c.header("Cache-Control", "no-store");
    try {
      await check();
    } catch (error) {
      if (!(error instanceof TodoStoreError)) throw error;
      return c.json({
        status: "unavailable",
        store: store.backend,
        reason: error.detail ?? error.message,
      }, 503);
    }
    return c.json({ status: "ready", store: store.backend });
  };
}
