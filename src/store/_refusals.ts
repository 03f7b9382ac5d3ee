/**
 * Refusals and option checks the backends share, so each says the same
 * thing in the same words.
 *
 * @module
 */

import { TODO_LIMITS, TodoStoreError } from "./todo_store.ts";

/**
 * Checks a `maxTodosPerTenant` option: a whole number of at least 1.
 *
 * @throws {RangeError} for anything else (a programmer error: configuration
 * is checked before a store is built).
 */
export function checkQuota(value: number | undefined): number {
  const quota = value ?? TODO_LIMITS.maxTodosPerTenant;
  if (!Number.isSafeInteger(quota) || quota < 1) {
    throw new RangeError(
      `maxTodosPerTenant must be a whole number of at least 1, got ${quota}`,
    );
  }
  return quota;
}

/** The refusal for a tenant at its quota. */
export function quotaExceeded(max: number): TodoStoreError {
  return new TodoStoreError(
    "quota_exceeded",
    `A tenant may keep at most ${max} todos; delete some first`,
  );
}

/**
 * An outage: the caller sees one plain sentence; `detail` (for the log and
 * the readiness reason) says what happened.
 */
export function unavailable(detail: string, cause?: unknown): TodoStoreError {
  return new TodoStoreError(
    "unavailable",
    "The todo store is unavailable; try again shortly",
    { detail, cause },
  );
}

/** The refusal for a call after `close()`. */
export function closedError(): TodoStoreError {
  return new TodoStoreError("unavailable", "The todo store is closed", {
    detail: "closed",
  });
}
