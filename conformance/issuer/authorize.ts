/**
 * The authorization endpoint (RFC 6749 §4.1.1 with PKCE, RFC 7636, and
 * resource indicators, RFC 8707). The configured test user is logged in.
 * In the automatic consent mode (the default) it consents at once, so every
 * good request is answered with a redirect that carries a code; in the
 * prompt mode (`deno task dev`) a good request first gets the consent page
 * (`consent.ts`), and the code follows the user's choice.
 *
 * @module
 */

import type { ResourceRegistration } from "./types.ts";
import type { IssuerContext } from "./_context.ts";
import { OAuthError, type OAuthErrorCode } from "./_errors.ts";
import { grantScopes, parseScopeParameter } from "./_scopes.ts";
import { resolveClient, type ResolvedClient } from "./clients.ts";
import { type PendingConsent, readDecision } from "./consent.ts";
import { type AuthorizationCode, GrantStore } from "./grants.ts";

/** A PKCE code challenge or verifier: 43 to 128 unreserved characters (RFC 7636 §4.1). */
export const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

/** Parameters that must appear at most once (RFC 6749 §3.1). */
const SINGLE_PARAMETERS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "resource",
] as const;

/** An error to report to the client by redirect (RFC 6749 §4.1.2.1). */
class RedirectableError extends Error {
  readonly code: OAuthErrorCode;
  constructor(code: OAuthErrorCode, description: string) {
    super(description);
    this.code = code;
  }
}

/** What an authorization request leads to. */
export type AuthorizeOutcome =
  | { readonly kind: "redirect"; readonly location: URL }
  | { readonly kind: "consent"; readonly consent: PendingConsent };

/**
 * Handles one authorization request: a redirect to the client, or (in the
 * prompt consent mode) a validated request waiting for the user.
 *
 * Errors before the client and redirect URI are known good (missing or
 * unknown client, redirect URI not registered exactly) throw an
 * {@link OAuthError} to answer directly with 400: redirecting then would
 * make the issuer an open redirector (RFC 6749 §4.1.2.1). Later errors come
 * back as a redirect carrying `error`, `error_description` and `state`.
 *
 * @param pathResourceId the resource of a `/resources/<res>/oauth/authorize`
 *   request; `undefined` at the environment-level endpoint, which uses the
 *   resource named by `resource`, else the client's, else the first.
 */
export async function authorize(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
): Promise<AuthorizeOutcome> {
  for (const name of ["client_id", "redirect_uri"] as const) {
    if (params.getAll(name).length > 1) {
      throw new OAuthError(
        "invalid_request",
        `Parameter "${name}" is repeated`,
      );
    }
  }
  const clientId = params.get("client_id");
  if (clientId === null || clientId === "") {
    throw new OAuthError("invalid_request", 'Parameter "client_id" is missing');
  }
  const client = await resolveClient(
    clientId,
    context.clients,
    context.loadClientMetadata,
  ).catch((error) => {
    // 401 belongs to the token endpoint; here an unknown client is a bad request.
    if (error instanceof OAuthError && error.code === "invalid_client") {
      throw new OAuthError(error.code, error.message, { status: 400 });
    }
    throw error;
  });
  if (
    pathResourceId !== undefined && client.resourceId !== undefined &&
    client.resourceId !== pathResourceId
  ) {
    // Each resource is its own authorization server: a client registered
    // with another one is unknown here.
    throw new OAuthError(
      "invalid_client",
      `Client "${clientId}" is not registered for resource "${pathResourceId}"`,
      { status: 400 },
    );
  }
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === null || redirectUri === "") {
    throw new OAuthError(
      "invalid_request",
      'Parameter "redirect_uri" is missing',
    );
  }
  if (!client.redirectUris.includes(redirectUri)) {
    throw new OAuthError(
      "invalid_request",
      `Redirect URI "${redirectUri}" is not registered for client "${clientId}"`,
    );
  }

  const state = params.get("state");
  let grant;
  try {
    grant = checkRequest(context, pathResourceId, params, client, redirectUri);
  } catch (error) {
    if (!(error instanceof RedirectableError)) throw error;
    return {
      kind: "redirect",
      location: redirectTo(redirectUri, {
        error: error.code,
        error_description: error.message,
        state,
      }),
    };
  }
  if (context.settings.consent === "prompt") {
    const resourceUrl = context.resources.get(grant.resourceId)?.url;
    const consent = {
      grant,
      state,
      clientName: context.clients.get(clientId)?.client_name,
      resourceUrl,
    };
    return { kind: "consent", consent };
  }
  const code = context.grants.issueCode(grant);
  return {
    kind: "redirect",
    location: redirectTo(redirectUri, { code, state }),
  };
}

/**
 * Answers the consent page: a code for the scopes the user ticked (among
 * those offered), or `access_denied` (RFC 6749 §4.1.2.1) for "Deny" or for
 * "Allow" with none ticked. The request was validated when the page was
 * shown; nothing in `form` but the decision and the ticks is read.
 */
export function completeConsent(
  context: IssuerContext,
  consent: PendingConsent,
  form: URLSearchParams,
): URL {
  const { grant, state } = consent;
  const decision = readDecision(consent, form);
  if (decision.kind === "deny") {
    return redirectTo(grant.redirectUri, {
      error: "access_denied",
      error_description: decision.reason,
      state,
    });
  }
  const code = context.grants.issueCode({ ...grant, scopes: decision.scopes });
  return redirectTo(grant.redirectUri, { code, state });
}

/** Every check of RFC 6749 §4.1.1 and RFC 7636 past the client: the code a consent would issue. */
function checkRequest(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
  client: ResolvedClient,
  redirectUri: string,
): Omit<AuthorizationCode, "expiresAt"> {
  for (const name of SINGLE_PARAMETERS) {
    if (params.getAll(name).length > 1) {
      throw new RedirectableError(
        "invalid_request",
        `Parameter "${name}" is repeated`,
      );
    }
  }
  const responseType = params.get("response_type");
  if (responseType === null || responseType === "") {
    throw new RedirectableError(
      "invalid_request",
      'Parameter "response_type" is missing',
    );
  }
  if (responseType !== "code") {
    throw new RedirectableError(
      "unsupported_response_type",
      `Response type "${responseType}" is not supported; use "code"`,
    );
  }
  const codeChallenge = params.get("code_challenge");
  if (codeChallenge === null || codeChallenge === "") {
    throw new RedirectableError(
      "invalid_request",
      'Parameter "code_challenge" is missing; PKCE is required',
    );
  }
  if (!PKCE_VALUE.test(codeChallenge)) {
    throw new RedirectableError(
      "invalid_request",
      'Parameter "code_challenge" is malformed',
    );
  }
  const method = params.get("code_challenge_method");
  if (method !== "S256") {
    throw new RedirectableError(
      "invalid_request",
      method === null
        ? 'Parameter "code_challenge_method" is missing; use "S256"'
        : `Code challenge method "${method}" is not supported; use "S256"`,
    );
  }

  const resourceIndicator = params.get("resource") ?? undefined;
  const resource = chooseResource(
    context,
    pathResourceId,
    resourceIndicator,
    client,
  );

  let requested: string[] | undefined;
  let scopes: string[];
  try {
    requested = parseScopeParameter(params.get("scope"));
    scopes = grantScopes(resource, requested, true);
  } catch (error) {
    if (error instanceof OAuthError) {
      throw new RedirectableError(error.code, error.message);
    }
    throw error;
  }

  const user = context.settings.user;
  return {
    ...GrantStore.newSession(),
    clientId: client.clientId,
    resourceId: resource.id,
    resourceIndicator,
    scopes,
    userId: user.id,
    organizationId: user.organizationId,
    redirectUri,
    codeChallenge,
  };
}

/** {@link ResourceDirectory.forGrant}, with its refusal sent back by redirect. */
function chooseResource(
  context: IssuerContext,
  pathResourceId: string | undefined,
  indicator: string | undefined,
  client: ResolvedClient,
): ResourceRegistration {
  try {
    return context.resources.forGrant(pathResourceId, indicator, client);
  } catch (error) {
    if (error instanceof OAuthError) {
      throw new RedirectableError(error.code, error.message);
    }
    throw error;
  }
}

function redirectTo(
  redirectUri: string,
  params: Readonly<Record<string, string | null>>,
): URL {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null) url.searchParams.set(name, value);
  }
  return url;
}
