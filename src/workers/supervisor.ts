/**
 * `MCP_WORKERS`: serve one port from several isolates, so a compiled binary
 * uses every core (`deno serve --parallel` does not work inside one,
 * denoland/deno#27210).
 *
 * With `MCP_WORKERS` at 1 this is `serve()` and nothing more. Above 1, the
 * main isolate becomes a supervisor that serves no requests itself: it
 * starts N web workers, each running the whole server (`serve()`, with its
 * own store connection, token cache, limits and metrics) on the same port
 * with `SO_REUSEPORT`, so the kernel spreads connections over them. N
 * workers rather than N−1 plus the main isolate: every request takes the
 * same path, and the supervisor stays free to watch the workers, answer
 * signals and sum the workers' metrics for a scrape; its own isolate
 * loads only the configuration and the command line (measured: two
 * workers 155 MB RSS at rest, against 91 MB for one isolate).
 *
 * Start-up: worker 1 opens the store first (running any migration, alone)
 * and binds the port; only then do the others start, so migrations are
 * never raced and a port that is taken or a store that is down is found
 * once, by one worker. Any worker failing to start stops the ones already
 * up, and the process exits with that worker's status (69 store, 71 port),
 * never half up. A worker that fails later stops the whole process (70),
 * for the supervisor (systemd) to restart it whole.
 *
 * Stop: SIGTERM or SIGINT reaches the supervisor, which tells every worker
 * to stop; each drains its in-flight requests as a single server does
 * (`stopWithin` in `src/serve.ts`), and the process exits when all have.
 *
 * @module
 */

import { within } from "../timers.ts";
import type { Registry } from "prom-client";
import { ConfigError } from "../config/errors.ts";
import { type Env, loadConfig } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { createLogger, describeError, type Logger } from "../log/logger.ts";
import {
  EXIT_CONFIG,
  EXIT_LISTEN_FAILED,
  EXIT_WORKER_FAILED,
  isListenError,
  logListenFailed,
  stopSignal,
} from "../lifecycle.ts";
import { METRICS_PATH, serveMetrics } from "../metrics/endpoint.ts";
import type { ServeOptions } from "../serve.ts";
import {
  type FromWorker,
  type ToWorker,
  WORKER_NAME_PREFIX,
} from "./protocol.ts";

/** How long a scrape waits for every worker's series, in ms. */
const SCRAPE_TIMEOUT_MS = 5_000;
/** Time past the grace period before unfinished workers are terminated, in ms. */
const STOP_MARGIN_MS = 2_000;

/** Options for {@link serveWithWorkers}. */
export interface WorkersOptions extends ServeOptions {
  /**
   * The module each worker loads; it must call `runWorker()` when it finds
   * itself in a worker (`main.ts` does). Default `Deno.mainModule`, which
   * is right for `deno run main.ts`, the bundle and the compiled binary.
   */
  readonly workerModule?: string | URL;
}

/**
 * Serves with `MCP_WORKERS` isolates (see the module doc); returns the
 * process exit status as `serve()` does.
 */
export async function serveWithWorkers(
  env: Env,
  options: WorkersOptions = {},
): Promise<number> {
  let config: Config;
  try {
    ({ config } = loadConfig(env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_CONFIG;
  }
  if (config.workers <= 1) {
    // Loaded here, not at the top: the supervisor's isolate never serves,
    // and the server's module graph would cost it about 45 MB.
    const { serve } = await import("../serve.ts");
    return await serve(env, options);
  }
  return await supervise(env, config, options);
}

/** One worker, seen from the supervisor. */
class WorkerHandle {
  readonly id: number;
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    (json: readonly object[] | undefined) => void
  >();
  #nextRequest = 1;
  #terminated = false;
  /** Resolves when the worker listens. */
  readonly listening: Promise<void>;
  /** Resolves when the store answered. */
  readonly ready: Promise<void>;
  /** Resolves with the worker's status: `serve()`'s, or 70 if it failed. */
  readonly exited: Promise<number>;

  constructor(id: number, module: string | URL, logger: Logger) {
    this.id = id;
    this.#worker = new Worker(module, {
      type: "module",
      name: `${WORKER_NAME_PREFIX}${id}`,
    });
    let listening!: () => void;
    let ready!: () => void;
    let exited!: (status: number) => void;
    this.listening = new Promise((resolve) => (listening = resolve));
    this.ready = new Promise((resolve) => (ready = resolve));
    this.exited = new Promise((resolve) => (exited = resolve));
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      switch (message.type) {
        case "listening":
          return listening();
        case "ready":
          return ready();
        case "exited":
          return exited(message.status);
        case "metrics":
          this.#pending.get(message.request)?.(message.json);
          this.#pending.delete(message.request);
          return;
      }
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      // Handled here: unhandled, it would end the process at once, with
      // the other workers' requests cut off mid-flight.
      event.preventDefault();
      logger.error("worker_failed", {
        worker: id,
        message: event.message,
        ...(event.error ? describeError(event.error) : {}),
      });
      exited(EXIT_WORKER_FAILED);
    };
  }

  send(message: ToWorker): void {
    if (!this.#terminated) this.#worker.postMessage(message);
  }

  /** The worker's `getMetricsAsJSON()`, or a rejection after `timeoutMs`. */
  metrics(timeoutMs: number): Promise<readonly object[] | undefined> {
    const request = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(request);
        reject(new Error(`Worker ${this.id} sent no metrics in time`));
      }, timeoutMs);
      this.#pending.set(request, (json) => {
        clearTimeout(timer);
        resolve(json);
      });
      this.send({ type: "metrics", request });
    });
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#worker.terminate();
  }
}

async function supervise(
  env: Env,
  config: Config,
  options: WorkersOptions,
): Promise<number> {
  const logger = createLogger({ level: config.logLevel });
  const module = options.workerModule ?? Deno.mainModule;
  const stop = options.stop ?? stopSignal();
  const count = config.workers;
  // Unique per run: servers started by one test process never cross-talk.
  const channel = `mcp-scalekit-events-${crypto.randomUUID()}`;

  // With PORT=0 each worker would pick its own port: pick one here, and
  // hold it (sharing it, like the workers) until worker 1 has bound it.
  let port = config.port;
  let probe: Deno.Listener | undefined;
  if (port === 0) {
    try {
      probe = Deno.listen({ hostname: config.host, port: 0, reusePort: true });
    } catch (error) {
      if (!isListenError(error)) throw error;
      logListenFailed(logger, `${config.host}:0`, error);
      return EXIT_LISTEN_FAILED;
    }
    port = (probe.addr as Deno.NetAddr).port;
  }
  logger.info("workers_starting", { workers: count, port });

  const handles: WorkerHandle[] = [];
  const spawn = (id: number) => {
    const handle = new WorkerHandle(id, module, logger);
    handles.push(handle);
    handle.send({ type: "start", env, id, count, port, channel });
    return handle;
  };
  const started = (handle: WorkerHandle) =>
    Promise.race([
      handle.listening.then(() => undefined),
      handle.exited,
    ]);

  // Worker 1 alone first: it migrates the store and finds a taken port.
  let failure = await started(spawn(1));
  probe?.close();
  if (failure === undefined) {
    const rest = [];
    for (let id = 2; id <= count; id++) rest.push(spawn(id));
    const outcomes = await Promise.all(rest.map(started));
    failure = outcomes.find((status) => status !== undefined);
  }
  if (failure !== undefined) {
    logger.error("workers_failed_to_start", { status: failure });
    await stopAll(handles, "startup_failed", config, logger);
    return failure === 0 ? EXIT_WORKER_FAILED : failure;
  }
  logger.info("workers_listening", {
    workers: count,
    address: `${config.host}:${port}`,
  });

  let metricsEndpoint;
  if (config.metricsPort !== undefined) {
    const registry = await summedRegistry(handles);
    try {
      metricsEndpoint = serveMetrics({
        port: config.metricsPort,
        registry,
        onListen: ({ hostname, port }) =>
          logger.info("metrics_listening", {
            address: `${hostname}:${port}`,
            path: METRICS_PATH,
            workers: count,
          }),
      });
    } catch (error) {
      if (!isListenError(error)) throw error;
      logListenFailed(logger, `127.0.0.1:${config.metricsPort}`, error);
      await stopAll(handles, "startup_failed", config, logger);
      return EXIT_LISTEN_FAILED;
    }
  }

  let stopping = false;
  void Promise.all(handles.map((h) => h.ready)).then(() => {
    if (stopping) return;
    logger.info("workers_ready", { workers: count });
    options.onReady?.(config);
  });

  const outcome = await Promise.race([
    stop.then((signal) => ({ signal })),
    ...handles.map((handle) =>
      handle.exited.then((status) => ({ worker: handle.id, status }))
    ),
  ]);
  stopping = true;
  let status = 0;
  if ("signal" in outcome) {
    logger.info("workers_stopping", { signal: outcome.signal });
    status = Math.max(
      0,
      ...await stopAll(handles, outcome.signal, config, logger),
    );
  } else {
    logger.error("worker_exited", {
      worker: outcome.worker,
      status: outcome.status,
    });
    await stopAll(handles, "worker_failed", config, logger);
    status = outcome.status === 0 ? EXIT_WORKER_FAILED : outcome.status;
  }
  await metricsEndpoint?.shutdown();
  logger.info("workers_stopped", { status });
  return status;
}

/**
 * Tells every worker to stop and waits for them, within the grace period
 * and a margin; terminates any still running then. Returns the statuses
 * of those that reported one.
 */
async function stopAll(
  handles: readonly WorkerHandle[],
  signal: string,
  config: Config,
  logger: Logger,
): Promise<number[]> {
  for (const handle of handles) handle.send({ type: "stop", signal });
  const statuses: number[] = [];
  await within(
    config.shutdownGraceMs + STOP_MARGIN_MS,
    Promise.all(handles.map((h) => h.exited.then((s) => statuses.push(s)))),
  );
  if (statuses.length < handles.length) {
    logger.warn("workers_terminated", {
      workers: handles.length - statuses.length,
      reason: "grace period over",
    });
  }
  for (const handle of handles) handle.terminate();
  return statuses;
}

/**
 * What the metrics endpoint exposes with several workers: every worker's
 * registry, summed by `prom-client`'s own aggregation (`AggregatorRegistry`,
 * the way it sums Node cluster workers), so a scrape shows the process.
 */
async function summedRegistry(
  handles: readonly WorkerHandle[],
): Promise<Pick<Registry, "metrics" | "contentType">> {
  const { AggregatorRegistry, Registry } = await import("prom-client");
  return {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    async metrics() {
      const parts = await Promise.all(
        handles.map((handle) => handle.metrics(SCRAPE_TIMEOUT_MS)),
      );
      const present = parts.filter((part) => part !== undefined);
      return await AggregatorRegistry.aggregate(present as object[]).metrics();
    },
  };
}
