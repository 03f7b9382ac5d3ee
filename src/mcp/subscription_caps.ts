/**
 * Caps on open `subscriptions/listen` streams: per caller, per tenant and
 * in all. A stream holds a connection, a handler and a bus subscription for
 * as long as the client keeps it open, so each open stream takes a slot
 * and gives it back when it ends, whichever way it ends.
 *
 * Three levels, because one alone leaves a tenant able to lock the others
 * out: a per-caller cap (subject and client id, as every per-caller limit
 * here) stops one client from taking its organisation's share; a
 * per-tenant cap stops one organisation, however many users and clients
 * it has, from taking the server's; the total bounds the process. The
 * most specific cap is checked first, so the refusal names the limit the
 * client can do something about.
 *
 * @module
 */

/** The caps, each from its setting. */
export interface SubscriptionCapOptions {
  /** Most streams open at once, all callers together (`MCP_MAX_SUBSCRIPTIONS`). */
  readonly maxTotal: number;
  /** Most streams one tenant's callers may hold (`MCP_MAX_SUBSCRIPTIONS_PER_TENANT`). */
  readonly maxPerTenant: number;
  /** Most streams one caller may hold (`MCP_MAX_SUBSCRIPTIONS_PER_CALLER`). */
  readonly maxPerCaller: number;
}

/** Which cap a refused stream ran into. */
export type SubscriptionCapKind = "caller" | "tenant" | "server";

/** Why a stream was refused. */
export interface SubscriptionCapRefusal {
  /** Which cap: for the JSON-RPC error's `data` and the log. */
  readonly kind: SubscriptionCapKind;
  /** The cap's value. */
  readonly limit: number;
  /** For the client: which limit, and what to do. */
  readonly message: string;
}

/** A slot an open stream holds; `release` gives it back (once, however often it is called). */
export interface SubscriptionSlot {
  release(): void;
}

/** Counts open streams by caller, by tenant and in all. */
export interface SubscriptionCaps {
  /** Takes a slot for a stream of `caller` in `tenant`, or says which cap is full. */
  admit(
    caller: string,
    tenant: string,
  ): SubscriptionSlot | SubscriptionCapRefusal;
  /** Streams open in all. */
  readonly open: number;
  /** Streams `caller` holds. */
  openBy(caller: string): number;
  /** Streams `tenant`'s callers hold. */
  openIn(tenant: string): number;
}

/** Whether {@link SubscriptionCaps.admit} refused. */
export function isRefusal(
  outcome: SubscriptionSlot | SubscriptionCapRefusal,
): outcome is SubscriptionCapRefusal {
  return "kind" in outcome;
}

/** Builds the counters. */
export function createSubscriptionCaps(
  options: SubscriptionCapOptions,
): SubscriptionCaps {
  const { maxTotal, maxPerTenant, maxPerCaller } = options;
  const byCaller = new Map<string, number>();
  const byTenant = new Map<string, number>();
  let total = 0;

  function add(counts: Map<string, number>, key: string, delta: number): void {
    const next = (counts.get(key) ?? 0) + delta;
    // Keys of callers with nothing open are dropped, so the maps hold only
    // what is open now (bounded by maxTotal), not every caller ever seen.
    if (next <= 0) counts.delete(key);
    else counts.set(key, next);
  }

  return {
    admit(caller, tenant) {
      if ((byCaller.get(caller) ?? 0) >= maxPerCaller) {
        return {
          kind: "caller",
          limit: maxPerCaller,
          message:
            `Subscription limit reached: a caller may hold at most ${maxPerCaller} subscriptions/listen streams at once; close one first`,
        };
      }
      if ((byTenant.get(tenant) ?? 0) >= maxPerTenant) {
        return {
          kind: "tenant",
          limit: maxPerTenant,
          message:
            `Subscription limit reached: an organisation may hold at most ${maxPerTenant} subscriptions/listen streams at once; close one first`,
        };
      }
      if (total >= maxTotal) {
        return {
          kind: "server",
          limit: maxTotal,
          message:
            `Subscription limit reached: the server has ${maxTotal} subscriptions/listen streams open; retry later`,
        };
      }
      total++;
      add(byCaller, caller, 1);
      add(byTenant, tenant, 1);
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          total--;
          add(byCaller, caller, -1);
          add(byTenant, tenant, -1);
        },
      };
    },
    get open() {
      return total;
    },
    openBy: (caller) => byCaller.get(caller) ?? 0,
    openIn: (tenant) => byTenant.get(tenant) ?? 0,
  };
}
