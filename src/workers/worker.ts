/**
 * The worker side of `MCP_WORKERS`: waits for the supervisor's `start`,
 * then runs the same `serve()` a single-isolate server runs, on the shared
 * port, until the supervisor says `stop`; reports each step back
 * (`protocol.ts`). `main.ts` calls {@link runWorker} when it finds itself
 * loaded as a worker, so the bundle and the compiled binary need no second
 * entry point.
 *
 * @module
 */

import type { Registry } from "prom-client";
import { serve } from "../serve.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

/**
 * Serves as one worker until stopped, then reports its status. Never
 * calls `Deno.exit`, which would end the whole process: the supervisor
 * decides the exit status from what every worker reports.
 */
export async function runWorker(): Promise<void> {
  const scope = globalThis as unknown as WorkerScope;
  let requestStop: (signal: string) => void = () => {};
  const stop = new Promise<string>((resolve) => (requestStop = resolve));
  let registry: Registry | undefined;
  const start = new Promise<Extract<ToWorker, { type: "start" }>>(
    (resolve) => {
      scope.onmessage = (event) => {
        const message = event.data;
        switch (message.type) {
          case "start":
            resolve(message);
            return;
          case "stop":
            requestStop(message.signal);
            return;
          case "metrics":
            void answerMetrics(scope, message.request, registry);
            return;
        }
      };
    },
  );
  const { env, id, count, port, channel } = await start;
  const status = await serve(env, {
    stop,
    worker: {
      id,
      count,
      port,
      channel,
      onListening: () => scope.postMessage({ type: "listening" }),
      onRegistry: (value) => (registry = value),
    },
    onReady: () => scope.postMessage({ type: "ready" }),
  });
  // The supervisor terminates this isolate once it has the status.
  scope.postMessage({ type: "exited", status });
}

async function answerMetrics(
  scope: WorkerScope,
  request: number,
  registry: Registry | undefined,
): Promise<void> {
  const json = registry === undefined
    ? undefined
    : await registry.getMetricsAsJSON();
  scope.postMessage({ type: "metrics", request, json });
}
