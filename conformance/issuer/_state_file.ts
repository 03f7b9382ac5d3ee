/**
 * The optional JSON file that keeps signing keys and registered clients
 * across restarts (dev mode). It holds private keys and client secrets, so
 * it is written with mode 0600.
 *
 * @module
 */

import type { ClientRecord } from "./clients.ts";
import type { KeyRingSnapshot } from "./keys.ts";

/** The file's content. */
export interface IssuerState {
  /** Format version. */
  readonly version: 1;
  /** Signing keys, the current one last. */
  readonly keys: KeyRingSnapshot["keys"];
  /** Registered clients. */
  readonly clients: readonly ClientRecord[];
}

/**
 * Reads the state file; `undefined` when it does not exist. Throws an error
 * naming the file when it exists but is unreadable or malformed.
 */
export async function readStateFile(
  path: string,
): Promise<IssuerState | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read issuer state file "${path}"`, {
      cause: error,
    });
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new Error(`Issuer state file "${path}" is not JSON`, {
      cause: error,
    });
  }
  if (
    typeof state !== "object" || state === null ||
    (state as { version?: unknown }).version !== 1 ||
    !Array.isArray((state as { keys?: unknown }).keys) ||
    !Array.isArray((state as { clients?: unknown }).clients)
  ) {
    throw new Error(
      `Issuer state file "${path}" is not a version 1 state with keys and clients`,
    );
  }
  return state as IssuerState;
}

/** Writes the state file atomically (a temporary file, then rename). */
export async function writeStateFile(
  path: string,
  state: IssuerState,
): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temporary, JSON.stringify(state, null, 2) + "\n", {
      mode: 0o600,
    });
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw new Error(`Cannot write issuer state file "${path}"`, {
      cause: error,
    });
  }
}

/**
 * Serialises writes: each `save()` writes the latest state after any write
 * already under way, so the file never goes backwards.
 */
export class StateWriter {
  #path: string;
  #snapshot: () => IssuerState;
  #queue: Promise<void> = Promise.resolve();

  /** A writer of `snapshot()` to `path`. */
  constructor(path: string, snapshot: () => IssuerState) {
    this.#path = path;
    this.#snapshot = snapshot;
  }

  /** Writes the current state; resolves once it is on disk. */
  save(): Promise<void> {
    const write = this.#queue.then(() =>
      writeStateFile(this.#path, this.#snapshot())
    );
    // A failed write must not block later ones; its caller sees the error.
    this.#queue = write.catch(() => {});
    return write;
  }

  /** Resolves when every write started so far has finished. */
  flush(): Promise<void> {
    return this.#queue;
  }
}
