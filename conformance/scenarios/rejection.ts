/**
 * Rejection: every request without a good token is refused with 401 and a
 * Bearer challenge (RFC 6750 §3, MCP authorization §Token Handling).
 *
 * @module
 */

import { bearerChallenge } from "../challenge.ts";
import { BAD_TOKEN_KINDS, type BadTokenKind } from "../issuer/mod.ts";
import { type Answer, INITIALIZE, type ProbeRequest } from "../probe.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import { describe } from "./_helpers.ts";

/** What a refusal must look like. */
type Expectation =
  /** 401 with a challenge that carries no error code (RFC 6750 §3.1). */
  | "bare_challenge"
  /** 401 `invalid_token`, or 400 `invalid_request` (malformed header). */
  | "invalid_token_or_request"
  /** 401 with `error="invalid_token"` (the code is SHOULD). */
  | "invalid_token";

function judge(answer: Answer, expectation: Expectation, check: Checker): void {
  const challenge = bearerChallenge(answer.headers.get("www-authenticate"));
  const error = challenge?.params.error;
  if (answer.status >= 200 && answer.status < 300) {
    check.fail(
      "The server accepted a request it must refuse",
      "HTTP 401",
      describe(answer),
    );
    return;
  }
  if (expectation === "invalid_token_or_request" && answer.status === 400) {
    if (error !== undefined && error !== "invalid_request") {
      check.warn(
        'A 400 should carry error="invalid_request"',
        'HTTP 400 with error="invalid_request"',
        describe(answer),
      );
    }
    return;
  }
  if (answer.status !== 401) {
    check.fail(
      "The refusal is not a 401",
      expectation === "invalid_token_or_request"
        ? "HTTP 401 (or 400 invalid_request)"
        : "HTTP 401",
      describe(answer),
    );
    return;
  }
  if (challenge === undefined) {
    check.fail(
      "The 401 has no well-formed Bearer challenge",
      "WWW-Authenticate: Bearer …",
      describe(answer),
    );
    return;
  }
  if (challenge.params.resource_metadata === undefined) {
    check.warn(
      "The challenge does not point to the resource metadata",
      'resource_metadata="…" in every challenge',
      describe(answer),
    );
  }
  if (expectation === "bare_challenge") {
    if (error !== undefined) {
      check.warn(
        "A request without credentials should get a challenge without an error code",
        "no error= parameter (RFC 6750 §3.1)",
        describe(answer),
      );
    }
  } else if (error !== "invalid_token") {
    check.warn(
      'The challenge should say error="invalid_token"',
      'error="invalid_token"',
      describe(answer),
    );
  }
}

function refusal(
  id: string,
  title: string,
  spec: string,
  expectation: Expectation,
  request: (context: ScenarioContext) => Promise<ProbeRequest>,
): Scenario {
  return {
    id,
    title,
    spec,
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const answer = await context.probe.send({
        body: INITIALIZE,
        ...(await request(context)),
      });
      judge(answer, expectation, check);
    },
  };
}

// Every kind the issuer mints must have a scenario: a Record makes the
// compiler say so when a kind is added.
const BAD_TOKENS: Readonly<Record<BadTokenKind, readonly [string, string]>> = {
  expired: ["an expired token", "RFC 6750 §3.1; RFC 7519 §4.1.4"],
  not_yet_valid: [
    "a token not valid yet (nbf in the future)",
    "RFC 7519 §4.1.5",
  ],
  no_exp: ["a token without exp", "RFC 9068 §2.2; RFC 8725 §3.10"],
  wrong_issuer: ["a token from another issuer", "RFC 8725 §3.8; RFC 9068 §4"],
  wrong_audience: [
    "a token for an unrelated audience",
    "RFC 8707 §2; MCP authorization §Token Audience Binding",
  ],
  other_resource_audience: [
    "a token for another resource of the same environment",
    "RFC 8707 §2; MCP authorization §Token Audience Binding",
  ],
  foreign_key: [
    "a token signed by a key not in the JWKS (under a published kid)",
    "RFC 7515 §5.2",
  ],
  unknown_kid: ["a token whose kid is not published", "RFC 7515 §4.1.4"],
  alg_none: ["an unsigned token (alg none)", "RFC 8725 §3.1, §2.1"],
  hs256_with_public_key: [
    "an HS256 token keyed with the RSA public key (algorithm confusion)",
    "RFC 8725 §3.1, §2.1",
  ],
  tampered_payload: [
    "a token whose payload was changed after signing",
    "RFC 7515 §5.2",
  ],
  truncated: ["a token with its signature cut", "RFC 7515 §5.2"],
  garbage: ["a bearer value that is not a JWT", "RFC 6750 §3.1"],
};

/** The rejection scenarios. */
export const REJECTION_SCENARIOS: readonly Scenario[] = [
  refusal(
    "rejection.no_token",
    "no credentials: 401 with a challenge without an error code",
    "RFC 6750 §3.1; MCP authorization §Token Handling",
    "bare_challenge",
    () => Promise.resolve({}),
  ),
  refusal(
    "rejection.basic_scheme",
    "credentials of another scheme (Basic): 401 with a bare Bearer challenge",
    "RFC 6750 §3.1; RFC 9110 §11.6.1",
    "bare_challenge",
    () => Promise.resolve({ authorization: "Basic Y29uZm9ybWFuY2U6c2VjcmV0" }),
  ),
  refusal(
    "rejection.empty_bearer",
    "an empty Bearer header: 401 invalid_token or 400 invalid_request",
    "RFC 6750 §3.1",
    "invalid_token_or_request",
    () => Promise.resolve({ authorization: "Bearer " }),
  ),
  refusal(
    "rejection.malformed_bearer",
    "a malformed Bearer header: 401 invalid_token or 400 invalid_request",
    "RFC 6750 §2.1, §3.1",
    "invalid_token_or_request",
    () => Promise.resolve({ authorization: "Bearer not a token" }),
  ),
  ...BAD_TOKEN_KINDS.map((kind) => {
    const [what, spec] = BAD_TOKENS[kind];
    return refusal(
      `rejection.${kind}`,
      `${what}: 401 invalid_token`,
      spec,
      "invalid_token",
      async (context) => ({
        token: {
          value: await context.issuer.mintBad(kind, {
            resourceId: context.options.resourceId,
          }),
          label: `${kind.replaceAll("_", " ")} token`,
        },
      }),
    );
  }),
  refusal(
    "rejection.query_token",
    "a valid token in the query string instead of the header: 401",
    "MCP authorization §Access Token Usage; RFC 6750 §2.3; OAuth 2.1 §5.1",
    "invalid_token",
    async (context) => {
      const value = await context.issuer.mint({
        resourceId: context.options.resourceId,
      });
      const url = new URL(context.options.url);
      url.searchParams.set("access_token", value);
      return { url: url.href, redact: [{ value, label: "valid token" }] };
    },
  ),
];
