/**
 * Bounded waits that leave no timer behind, for the stop paths (drain,
 * store close, workers) and the connection layer.
 *
 * @module
 */

/**
 * Resolves after `ms`, or at once when `signal` aborts (already aborted:
 * at once). The timer is cleared either way.
 *
 * @example
 * ```ts
 * await delay(100, AbortSignal.timeout(50)); // after about 50 ms
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Whether `promise` fulfilled within `ms`: `true` if it did, `false` when
 * the time ran out first; a rejection within `ms` is rethrown. No timer is
 * left behind.
 *
 * @example
 * ```ts
 * const closed = await within(5_000, store.close());
 * ```
 */
export async function within(
  ms: number,
  promise: Promise<unknown>,
): Promise<boolean> {
  // A bare timer, cleared: an AbortController for it would throw away a
  // DOMException with its stack on every call (the connection layer calls
  // this once per refused request).
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
