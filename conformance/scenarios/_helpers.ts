/**
 * Small pieces several scenario groups share: describing answers, getting
 * tokens in mock and live mode, and the challenge checks every refusal gets.
 *
 * @module
 */

import { decodeJwt } from "jose";
import { challengeSyntaxProblems } from "../challenge.ts";
import type { MintOptions, MockIssuer } from "../issuer/types.ts";
import { MARKER } from "../options.ts";
import { type Answer, type LabelledToken, summarizeBody } from "../probe.ts";
import type { Checker, ScenarioContext } from "../scenario.ts";

/** A compact description of an answer, for `actual`. */
export function describe(answer: Answer): string {
  const challenge = answer.headers.get("www-authenticate");
  const body = summarizeBody(answer.text, answer.headers.get("content-type"));
  return `HTTP ${answer.status}${
    challenge === null
      ? ", no WWW-Authenticate"
      : `, WWW-Authenticate: ${challenge}`
  }${
    body ? `, body ${body.length > 200 ? `${body.slice(0, 200)}…` : body}` : ""
  }`;
}

/** A compact description of a raw response (status and challenge), for `actual`. */
export function describeResponse(response: Response | undefined): string {
  if (response === undefined) return "no HTTP response";
  const challenge = response.headers.get("www-authenticate");
  return `HTTP ${response.status}${
    challenge ? `, WWW-Authenticate: ${challenge}` : ""
  }`;
}

/** The reason live-mode scenarios that must mint tokens are skipped. */
export const NEEDS_ISSUER =
  "live mode: needs the mock issuer to sign this token (nobody the suite controls can sign for a real issuer)";

/** The reason live-mode journeys are skipped. */
export const NEEDS_LOGIN =
  "live mode: needs the mock issuer to log a test user in (a real issuer needs a real user)";

/** The mock issuer, or a skip in live mode (with `reason`). */
export function requireIssuer(
  context: ScenarioContext,
  check: Checker,
  reason = NEEDS_ISSUER,
): MockIssuer {
  if (context.issuer === undefined) check.skip(reason);
  return context.issuer;
}

/** Mints a token for the resource under test and labels it (mock mode only). */
export async function token(
  context: ScenarioContext,
  check: Checker,
  label: string,
  options: MintOptions = {},
): Promise<LabelledToken> {
  const issuer = requireIssuer(context, check);
  return {
    value: await issuer.mint({
      resourceId: context.options.resourceId,
      ...options,
    }),
    label,
  };
}

/**
 * A token with every scope: minted in mock mode, the `--token-file` token in
 * live mode (a skip without one).
 */
export async function fullToken(
  context: ScenarioContext,
  check: Checker,
  label = "fully scoped token",
): Promise<LabelledToken> {
  if (context.issuer !== undefined) return await token(context, check, label);
  if (context.liveToken === undefined) {
    check.skip("live mode without --token-file: no token to call with");
  }
  return { value: context.liveToken, label: "token from --token-file" };
}

/**
 * A token that lacks every one of `lacking`: minted with all other scopes
 * in mock mode; in live mode the `--token-file` token if it happens to lack
 * them, else a skip.
 */
export async function tokenLacking(
  context: ScenarioContext,
  check: Checker,
  lacking: readonly string[],
): Promise<LabelledToken> {
  const label = `token without ${lacking.join(" ")}`;
  if (context.issuer !== undefined) {
    return await token(context, check, label, {
      scopes: scopesWithout(context, lacking),
    });
  }
  if (context.liveToken === undefined) {
    check.skip("live mode without --token-file: no token to call with");
  }
  const granted = tokenScopes(context.liveToken);
  if (lacking.some((scope) => granted.includes(scope))) {
    check.skip(
      `live mode: the --token-file token has ${
        lacking.filter((s) => granted.includes(s)).join(" ")
      }, so it cannot show a refusal`,
    );
  }
  return { value: context.liveToken, label: "token from --token-file" };
}

/** Scopes that a token carrying everything except `without` has. */
export function scopesWithout(
  context: ScenarioContext,
  without: readonly string[],
): string[] {
  return context.options.scopes.filter((scope) => !without.includes(scope));
}

/**
 * The scopes a JWT claims to grant (`scope`, else `scopes`, else `scp`),
 * read without verifying it: only to decide which live checks apply.
 */
export function tokenScopes(jwt: string): string[] {
  try {
    const claims = decodeJwt(jwt);
    for (const value of [claims.scope, claims.scopes, claims.scp]) {
      if (typeof value === "string") return value.split(" ").filter(Boolean);
      if (Array.isArray(value)) {
        return value.filter((s): s is string => typeof s === "string");
      }
    }
  } catch { /* not a JWT: it grants nothing we can see */ }
  return [];
}

/** A marker unique to one call, to find what the call wrote. */
export function newMarker(): string {
  return `cf-${crypto.randomUUID().slice(0, 8)}`;
}

/** `args` with every {@link MARKER} in its string values replaced by `marker`. */
export function withMarker(
  args: Readonly<Record<string, unknown>>,
  marker: string,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [
      name,
      typeof value === "string" ? value.replaceAll(MARKER, marker) : value,
    ]),
  );
}

/** Whether any string in `args` carries the {@link MARKER}. */
export function hasMarker(args: Readonly<Record<string, unknown>>): boolean {
  return Object.values(args).some((value) =>
    typeof value === "string" && value.includes(MARKER)
  );
}

/**
 * Records a `challenge_syntax` finding for each problem in a
 * `WWW-Authenticate` header (a broken header hides every other parameter
 * from clients).
 */
export function checkChallengeSyntax(
  header: string | null,
  check: Checker,
): void {
  if (header === null) return;
  for (const problem of challengeSyntaxProblems(header)) {
    check.violates(
      "challenge_syntax",
      problem.kind === "syntax"
        ? "The WWW-Authenticate header is not valid challenge syntax, so clients read nothing from it"
        : "The Bearer challenge breaks RFC 6750 §3 (no auth-param, or a value with characters it forbids)",
      "auth-params of RFC 9110 §11.6.1 with RFC 6750 §3's characters",
      `${problem.text}; header: ${header}`,
    );
  }
}
