/**
 * Change events scoped to a tenant, so one tenant's `subscriptions/listen`
 * stream never carries anything about another tenant's todos: not the URI,
 * not the timing, not even that something changed.
 *
 * Why a seam of our own: the SDK's listen router (`createMcpHandler`)
 * subscribes each stream to the one bus it was given and filters events only
 * by the client's own `SubscriptionFilter`, matching resource URIs exactly.
 * This server's URIs name no tenant (`todo://todos` is always the caller's
 * own list), so two tenants subscribed to `todo://todos` hold the same filter,
 * and a filter is whatever the client asks for. The tenant therefore has to
 * be decided by the bus a stream subscribes to:
 *
 * - every event is published with its tenant marked ({@link tenantEvent});
 * - each stream subscribes through a view for the caller's tenant
 *   ({@link tenantView}), which drops every event not marked with exactly
 *   that tenant, unmarked ones included (fail closed), and removes the mark
 *   before the SDK turns the event into a notification.
 *
 * The mark travels inside the event (`params._meta`), so it crosses
 * instances on the PostgreSQL bus with the event, and the view decides on
 * every instance the same way.
 *
 * @module
 */

import type { ServerEvent, ServerEventBus } from "@modelcontextprotocol/server";

/**
 * Where an event carries its tenant inside this server, in `params._meta`.
 * Removed before delivery, so never sent to a client.
 */
export const TENANT_META_KEY = "io.scalekit/tenant";

/** Publishes change notifications to the subscribers of one tenant. */
export interface TenantNotifier {
  /**
   * Tells `tenant`'s `subscriptions/listen` streams that subscribed to
   * `uri` that the resource changed (`notifications/resources/updated`).
   */
  resourceUpdated(tenant: string, uri: string): void;
}

/** `event`, marked as belonging to `tenant`. */
export function tenantEvent(tenant: string, event: ServerEvent): ServerEvent {
  if (tenant === "") throw new TypeError("An event needs a tenant");
  const params = event.params ?? {};
  return {
    ...event,
    params: {
      ...params,
      _meta: { ...params._meta, [TENANT_META_KEY]: tenant },
    },
  };
}

/**
 * What `tenant`'s subscribers may see of `event`: the event without its
 * tenant mark, or `undefined` when it is marked for another tenant or not
 * marked at all.
 */
export function eventFor(
  tenant: string,
  event: ServerEvent,
): ServerEvent | undefined {
  const meta = event.params?._meta;
  if (
    meta === undefined || meta === null || typeof meta !== "object" ||
    (meta as Record<string, unknown>)[TENANT_META_KEY] !== tenant
  ) {
    return undefined;
  }
  const { [TENANT_META_KEY]: _mark, ...otherMeta } = meta as Record<
    string,
    unknown
  >;
  const { _meta: _old, ...otherParams } = event.params!;
  const params = Object.keys(otherMeta).length === 0
    ? otherParams
    : { ...otherParams, _meta: otherMeta };
  const { params: _params, ...bare } = event;
  return (Object.keys(params).length === 0
    ? bare
    : { ...bare, params }) as ServerEvent;
}

/**
 * The part of `bus` that `tenant` may see: subscribers receive only that
 * tenant's events, unmarked. Publishing through a view is a programmer
 * error (publish with {@link tenantEvent} on the bus itself).
 */
export function tenantView(
  bus: ServerEventBus,
  tenant: string,
): ServerEventBus {
  if (tenant === "") throw new TypeError("A view needs a tenant");
  return {
    publish() {
      throw new TypeError(
        "A tenant's view of the bus only delivers; publish on the bus",
      );
    },
    subscribe(listener) {
      return bus.subscribe((event) => {
        const own = eventFor(tenant, event);
        if (own !== undefined) listener(own);
      });
    },
  };
}

/** A {@link TenantNotifier} that publishes on `bus`. */
export function tenantNotifier(bus: ServerEventBus): TenantNotifier {
  return {
    resourceUpdated(tenant, uri) {
      bus.publish(tenantEvent(tenant, { kind: "resource_updated", uri }));
    },
  };
}

/**
 * A bus that never delivers anything: for an SDK handler that must have a
 * bus but whose streams, if any ever opened, must learn nothing.
 */
export const SILENT_BUS: ServerEventBus = Object.freeze({
  publish() {},
  subscribe() {
    return () => {};
  },
});
