/**
 * The messages between the supervisor (the main isolate) and its workers
 * (`MCP_WORKERS` above 1). Structured clones, so plain data only.
 *
 * @module
 */

import type { Env } from "../config/load.ts";

/** Supervisor to worker. */
export type ToWorker =
  | {
    /** Serve: read `env` as the main isolate did, as worker `id` of `count`. */
    readonly type: "start";
    readonly env: Env;
    readonly id: number;
    readonly count: number;
    readonly port: number;
    readonly channel: string;
  }
  | {
    /** Drain and stop, as on SIGTERM. */
    readonly type: "stop";
    readonly signal: string;
  }
  | {
    /** Send the Prometheus registry's `getMetricsAsJSON()`, tagged `request`. */
    readonly type: "metrics";
    readonly request: number;
  };

/** Worker to supervisor. */
export type FromWorker =
  | {
    /** The store is open and the port is bound. */
    readonly type: "listening";
  }
  | {
    /** The store answered: ready for traffic. */
    readonly type: "ready";
  }
  | {
    /** `serve()` returned this status (0 after a clean stop). */
    readonly type: "exited";
    readonly status: number;
  }
  | {
    /** The answer to a `metrics` request; `json` absent when metrics are off. */
    readonly type: "metrics";
    readonly request: number;
    readonly json?: readonly object[];
  };

/** The name a worker isolate is given: how `main.ts` knows it is one. */
export const WORKER_NAME_PREFIX = "mcp-scalekit-worker-";

/**
 * Whether this isolate is a worker the supervisor started (as opposed to
 * the process's main isolate).
 */
export function isWorkerIsolate(): boolean {
  const scope = globalThis as {
    WorkerGlobalScope?: abstract new () => unknown;
    name?: unknown;
  };
  return scope.WorkerGlobalScope !== undefined &&
    globalThis instanceof scope.WorkerGlobalScope &&
    typeof scope.name === "string" &&
    scope.name.startsWith(WORKER_NAME_PREFIX);
}
