/**
 * Small pieces several scenario groups share.
 *
 * @module
 */

import { bearerChallenge, type Challenge } from "../challenge.ts";
import { type Answer, INITIALIZE, type LabelledToken } from "../probe.ts";
import type { ScenarioContext } from "../scenario.ts";
import type { MintOptions } from "../issuer/types.ts";

/** The well-known suffix of RFC 9728 §3. */
export const PRM_SUFFIX = "/.well-known/oauth-protected-resource";

/** A compact description of an answer, for `actual`. */
export function describe(answer: Answer): string {
  const challenge = answer.headers.get("www-authenticate");
  const body = answer.text.length > 200
    ? `${answer.text.slice(0, 200)}…`
    : answer.text;
  return `HTTP ${answer.status}${
    challenge === null
      ? ", no WWW-Authenticate"
      : `, WWW-Authenticate: ${challenge}`
  }${body ? `, body ${body}` : ""}`;
}

/** Sends `initialize` without credentials and returns the answer and its Bearer challenge. */
export async function unauthenticated(
  context: ScenarioContext,
): Promise<{ answer: Answer; challenge?: Challenge }> {
  const answer = await context.probe.send({ body: INITIALIZE });
  return {
    answer,
    challenge: bearerChallenge(answer.headers.get("www-authenticate")),
  };
}

/** Mints a token for the resource under test and labels it. */
export async function token(
  context: ScenarioContext,
  label: string,
  options: MintOptions = {},
): Promise<LabelledToken> {
  return {
    value: await context.issuer.mint({
      resourceId: context.options.resourceId,
      ...options,
    }),
    label,
  };
}

/** Scopes that a token carrying everything except `without` has. */
export function scopesWithout(
  context: ScenarioContext,
  without: readonly string[],
): string[] {
  return context.options.scopes.filter((scope) => !without.includes(scope));
}

/** The RFC 9728 §3.1 metadata URL for a resource URL: well-known before the path. */
export function pathSuffixedMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return `${url.origin}${PRM_SUFFIX}${path}`;
}

/** Whether a JSON value is a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
