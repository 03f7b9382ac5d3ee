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
import type { RuleId } from "../spec.ts";
import {
  checkChallengeSyntax,
  describe,
  NEEDS_ISSUER,
  newMarker,
  requireIssuer,
  scopesWithout,
  withMarker,
} from "./_helpers.ts";

/** What a refusal must look like. */
type Expectation =
  /** No credentials: 401 with a challenge that carries no error code (RFC 6750 §3.1). */
  | "no_credentials"
  /** A malformed header: 401 (any challenge) or 400 `invalid_request`. */
  | "malformed"
  /** A token that fails a check: 401 with `error="invalid_token"` (the code is SHOULD). */
  | "bad_token"
  /** Any 401 that refuses: a server that never reads the token sees no credentials. */
  | "any_refusal";

/** Judges a refusal; `accepted` is what accepting the request breaks. */
function judge(
  answer: Answer,
  expectation: Expectation,
  check: Checker,
): void {
  const header = answer.headers.get("www-authenticate");
  const challenge = bearerChallenge(header);
  const error = challenge?.params.error;
  if (answer.status >= 200 && answer.status < 300) {
    check.fail(
      "The server accepted a request it must refuse",
      "HTTP 401",
      describe(answer),
    );
    return;
  }
  checkChallengeSyntax(header, check);
  if (expectation === "malformed" && answer.status === 400) {
    if (error !== undefined && error !== "invalid_request") {
      check.violates(
        "invalid_request_status",
        'A 400 should say error="invalid_request"',
        'HTTP 400 with error="invalid_request"',
        describe(answer),
      );
    }
    return;
  }
  if (answer.status !== 401) {
    check.violates(
      "refuse_with_401",
      "The refusal is not a 401",
      expectation === "malformed"
        ? "HTTP 401 (or 400 invalid_request)"
        : "HTTP 401",
      describe(answer),
    );
    return;
  }
  if (challenge === undefined) {
    check.violates(
      "bearer_challenge",
      "The 401 has no well-formed Bearer challenge",
      "WWW-Authenticate: Bearer …",
      describe(answer),
    );
    return;
  }
  if (challenge.params.resource_metadata === undefined) {
    check.violates(
      "challenge_resource_metadata",
      "The 401 challenge has no resource_metadata",
      'a resource_metadata="<metadata URL>" parameter',
      describe(answer),
    );
  }
  switch (expectation) {
    case "no_credentials":
      if (error !== undefined) {
        check.violates(
          "bare_challenge_without_credentials",
          "A request without credentials got a challenge with an error code",
          "no error= parameter",
          describe(answer),
        );
      }
      return;
    case "bad_token":
      if (error !== "invalid_token") {
        check.violates(
          "invalid_token_error_code",
          'The challenge for a refused token does not say error="invalid_token"',
          'error="invalid_token"',
          describe(answer),
        );
      }
      return;
    case "malformed":
    case "any_refusal":
      if (
        error !== undefined && error !== "invalid_token" &&
        error !== "invalid_request"
      ) {
        check.violates(
          "invalid_token_error_code",
          "The challenge carries an error code that does not describe the refusal",
          'no error, error="invalid_token" or error="invalid_request"',
          describe(answer),
        );
      }
      return;
  }
}

function refusal(
  id: string,
  title: string,
  rule: RuleId,
  expectation: Expectation,
  request: (context: ScenarioContext, check: Checker) => Promise<ProbeRequest>,
): Scenario {
  return {
    id,
    title,
    rule,
    async run(context: ScenarioContext, check: Checker) {
      const answer = await context.probe.send({
        body: INITIALIZE,
        ...(await request(context, check)),
      });
      judge(answer, expectation, check);
    },
  };
}

// Every kind the issuer mints must have a scenario: a Record makes the
// compiler say so when a kind is added.
const BAD_TOKENS: Readonly<Record<BadTokenKind, readonly [string, RuleId]>> = {
  expired: ["an expired token", "token_expiry"],
  not_yet_valid: [
    "a token not valid yet (nbf in the future)",
    "token_not_before",
  ],
  no_exp: ["a token without exp", "token_exp_required"],
  wrong_issuer: ["a token from another issuer", "token_issuer"],
  wrong_audience: ["a token for an unrelated audience", "token_audience"],
  other_resource_audience: [
    "a token for another resource of the same environment",
    "token_audience",
  ],
  foreign_key: [
    "a token signed by a key not in the JWKS (under a published kid)",
    "token_signature",
  ],
  unknown_kid: ["a token whose kid is not published", "token_signature"],
  alg_none: ["an unsigned token (alg none)", "token_signature"],
  hs256_with_public_key: [
    "an HS256 token keyed with the issuer's RSA public key (algorithm confusion)",
    "token_signature",
  ],
  tampered_payload: [
    "a token whose payload was changed after signing",
    "token_signature",
  ],
  truncated: ["a token with its signature cut", "token_signature"],
  garbage: ["a bearer value that is not a JWT", "token_well_formed"],
};

/** How many tokens with unknown kids the flood sends. */
const FLOOD_SIZE = 25;
/** How many JWKS fetches the flood may cause: a refetch or two is caching, more is not. */
const FLOOD_FETCH_BUDGET = 3;

/** The rejection scenarios. */
export const REJECTION_SCENARIOS: readonly Scenario[] = [
  refusal(
    "rejection.no_token",
    "no credentials: 401 with a challenge without an error code",
    "refuse_with_401",
    "no_credentials",
    () => Promise.resolve({}),
  ),
  refusal(
    "rejection.basic_scheme",
    "credentials of another scheme (Basic): 401 with a bare Bearer challenge",
    "refuse_with_401",
    "no_credentials",
    () => Promise.resolve({ authorization: "Basic Y29uZm9ybWFuY2U6c2VjcmV0" }),
  ),
  refusal(
    "rejection.empty_bearer",
    // fetch trims header values: `Bearer ` goes out as `Bearer`.
    "the Bearer scheme with no token: 401, or 400 invalid_request",
    "refuse_with_401",
    "malformed",
    () => Promise.resolve({ authorization: "Bearer" }),
  ),
  refusal(
    "rejection.malformed_bearer",
    "a malformed Bearer header: 401, or 400 invalid_request",
    "refuse_with_401",
    "malformed",
    () => Promise.resolve({ authorization: "Bearer not a token" }),
  ),
  ...BAD_TOKEN_KINDS.map((kind) => {
    const [what, rule] = BAD_TOKENS[kind];
    return refusal(
      `rejection.${kind}`,
      `${what}: 401 invalid_token`,
      rule,
      "bad_token",
      async (context: ScenarioContext, check: Checker) => {
        const value = context.issuer
          ? await context.issuer.mintBad(kind, {
            resourceId: context.options.resourceId,
          })
          : await context.forger?.forge(kind);
        if (value === undefined) check.skip(NEEDS_ISSUER);
        return {
          token: { value, label: `${kind.replaceAll("_", " ")} token` },
        };
      },
    );
  }),
  refusal(
    "rejection.query_token",
    "a valid token in the query string instead of the header: refused with 401",
    "no_query_token",
    "any_refusal",
    async (context: ScenarioContext, check: Checker) => {
      const issuer = context.issuer;
      const value = issuer
        ? await issuer.mint({ resourceId: context.options.resourceId })
        : context.liveToken;
      if (value === undefined) {
        check.skip(
          "live mode without --token-file: no valid token to misplace",
        );
      }
      const url = new URL(context.options.url);
      url.searchParams.set("access_token", value);
      return { url: url.href, redact: [{ value, label: "valid token" }] };
    },
  ),
  {
    id: "rejection.expired_and_unscoped",
    title:
      "a token that is expired and lacks the needed scopes: 401 invalid_token, not 403",
    rule: "expired_before_scope",
    async run(context: ScenarioContext, check: Checker) {
      const issuer = requireIssuer(context, check);
      const lacking = [
        ...new Set([
          ...context.options.requiredScopes,
          ...(context.options.tool?.scopes ?? []),
        ]),
      ];
      const expired = await issuer.mintBad("expired", {
        resourceId: context.options.resourceId,
        scopes: scopesWithout(context, lacking),
      });
      const answer = await context.probe.send({
        body: context.options.tool
          ? {
            jsonrpc: "2.0",
            id: 2,
            method: "tools/call",
            params: {
              name: context.options.tool.name,
              arguments: withMarker(context.options.tool.args, newMarker()),
            },
          }
          : INITIALIZE,
        token: { value: expired, label: "expired token without scopes" },
      });
      if (answer.status === 403) {
        check.fail(
          "An expired token was judged on its scopes (403) instead of refused (401): the client steps up instead of refreshing",
          'HTTP 401 error="invalid_token"',
          describe(answer),
        );
        return;
      }
      judge(answer, "bad_token", check);
    },
  },
  {
    id: "rejection.jwks_flood",
    title:
      `${FLOOD_SIZE} tokens with unknown kids cause at most ${FLOOD_FETCH_BUDGET} fetches of the issuer's keys`,
    rule: "jwks_fetch_bounded",
    async run(context: ScenarioContext, check: Checker) {
      const issuer = requireIssuer(context, check);
      const before = issuer.jwksFetchCount;
      for (let i = 0; i < FLOOD_SIZE; i++) {
        const answer = await context.probe.send({
          body: INITIALIZE,
          token: {
            value: await issuer.mintBad("unknown_kid", {
              resourceId: context.options.resourceId,
            }),
            label: `unknown kid token ${i + 1}`,
          },
        });
        if (answer.status >= 200 && answer.status < 300) {
          check.violates(
            "token_signature",
            "The server accepted a request it must refuse",
            "HTTP 401",
            describe(answer),
          );
          return;
        }
      }
      const fetches = issuer.jwksFetchCount - before;
      if (fetches > FLOOD_FETCH_BUDGET) {
        check.fail(
          "Tokens with unknown kids made the server refetch the issuer's keys each time",
          `at most ${FLOOD_FETCH_BUDGET} JWKS fetches for ${FLOOD_SIZE} tokens`,
          `${fetches} JWKS fetches`,
        );
      } else {
        check.note(`${fetches} JWKS fetches for ${FLOOD_SIZE} tokens`);
      }
    },
  },
];
