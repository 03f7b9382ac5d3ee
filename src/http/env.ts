/**
 * The per-request values the HTTP layer's middlewares share.
 *
 * @module
 */

import type { RequestIdVariables } from "hono/request-id";
import type { InvalidTokenCheck } from "../auth/errors.ts";
import type { Identity } from "../auth/identity.ts";
import type { ProtocolEra } from "../authz/policy.ts";

/** Hono environment of the app: what middlewares `c.set` and `c.get`. */
export interface AppEnv {
  /** Per-request values. */
  Variables: RequestIdVariables & {
    /** The verified caller, once authenticated. */
    identity?: Identity;
    /** Tool names a `tools/call` request asks for, for the request log. */
    tools?: readonly string[];
    /** Which protocol era served an MCP request, for the request log. */
    era?: ProtocolEra;
    /**
     * The request is a 2026-07-28 `subscriptions/listen`: its stream, once
     * open, is counted by the endpoint's subscription caps, not as a
     * request in flight.
     */
    listen?: boolean;
    /** Why the request was refused, for the request log. */
    denial?: {
      readonly code: string;
      readonly reason: string;
      /** For `invalid_token`: which check failed (for metrics). */
      readonly kind?: InvalidTokenCheck;
    };
  };
}
