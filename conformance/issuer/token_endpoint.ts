/**
 * The token endpoint (RFC 6749 §3.2): client authentication, then the
 * authorization code (with PKCE), refresh token (rotating) and client
 * credentials grants.
 *
 * @module
 */

import { base64url } from "jose";
import type { IssuerContext } from "./_context.ts";
import { OAuthError } from "./_errors.ts";
import { grantScopes, parseScopeParameter } from "./_scopes.ts";
import { PKCE_VALUE } from "./authorize.ts";
import { resolveClient, type ResolvedClient } from "./clients.ts";
import type { Grant } from "./grants.ts";
import { OFFLINE_ACCESS } from "./resources.ts";

/** A successful token response (RFC 6749 §5.1). */
export interface TokenResponse {
  /** The signed JWT. */
  readonly access_token: string;
  /** Always `Bearer`. */
  readonly token_type: "Bearer";
  /** Access token lifetime, seconds. */
  readonly expires_in: number;
  /** Granted scopes, space-separated. */
  readonly scope: string;
  /** A new refresh token, when one is issued. */
  readonly refresh_token?: string;
}

/** How the client proved who it is. */
type ClientAuthentication =
  | "none"
  | "client_secret_post"
  | "client_secret_basic";

interface AuthenticatedClient {
  readonly client: ResolvedClient;
  readonly method: ClientAuthentication;
}

/**
 * Handles one token request, already parsed from its form body, and returns
 * the token response or throws an {@link OAuthError}.
 *
 * @param pathResourceId the resource of `/resources/<res>/oauth/token`;
 *   `undefined` at the environment-level endpoint.
 * @param authorization the request's `Authorization` header, if any.
 */
export async function exchangeToken(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
  authorization: string | undefined,
): Promise<TokenResponse> {
  for (const [name] of params) {
    // RFC 6749 §3.2: parameters must not repeat. RFC 8707 allows several
    // `resource`s, but this issuer mints tokens for one resource at a time.
    if (params.getAll(name).length > 1) {
      throw new OAuthError(
        name === "resource" ? "invalid_target" : "invalid_request",
        `Parameter "${name}" is repeated`,
      );
    }
  }
  const authenticated = await authenticateClient(
    context,
    pathResourceId,
    params,
    authorization,
  );
  const grantType = params.get("grant_type");
  switch (grantType) {
    case null:
    case "":
      throw new OAuthError(
        "invalid_request",
        'Parameter "grant_type" is missing',
      );
    case "authorization_code":
      return await authorizationCodeGrant(
        context,
        pathResourceId,
        params,
        authenticated,
      );
    case "refresh_token":
      return await refreshTokenGrant(
        context,
        pathResourceId,
        params,
        authenticated,
      );
    case "client_credentials":
      return await clientCredentialsGrant(
        context,
        pathResourceId,
        params,
        authenticated,
      );
    default:
      throw new OAuthError(
        "unsupported_grant_type",
        `Grant type "${grantType}" is not supported`,
      );
  }
}

/**
 * RFC 6749 §2.3: a confidential client authenticates with its secret by
 * HTTP Basic or in the body (either method, whichever it registered); a
 * public client sends only `client_id`. Using both methods at once is
 * `invalid_request`; any failure to authenticate is 401 `invalid_client`.
 */
async function authenticateClient(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
  authorization: string | undefined,
): Promise<AuthenticatedClient> {
  const basic = authorization === undefined
    ? undefined
    : parseBasic(authorization, context.url);
  const bodyId = params.get("client_id") ?? undefined;
  const bodySecret = params.get("client_secret") ?? undefined;
  const challenge: Record<string, string> = basic === undefined
    ? {}
    : { "www-authenticate": `Basic realm="${context.url}"` };
  const fail = (description: string) =>
    new OAuthError("invalid_client", description, { headers: challenge });

  if (basic !== undefined && bodySecret !== undefined) {
    throw new OAuthError(
      "invalid_request",
      "Client authenticated both with HTTP Basic and client_secret; use one",
    );
  }
  if (basic !== undefined && bodyId !== undefined && bodyId !== basic.id) {
    throw new OAuthError(
      "invalid_request",
      'Parameter "client_id" differs from the HTTP Basic user',
    );
  }
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined || clientId === "") {
    throw fail(
      "No client authentication: send client_id, client_secret or HTTP Basic",
    );
  }
  let client: ResolvedClient;
  try {
    client = await resolveClient(
      clientId,
      context.clients,
      context.loadClientMetadata,
    );
  } catch (error) {
    if (error instanceof OAuthError) throw fail(error.message);
    throw error;
  }
  if (
    pathResourceId !== undefined && client.resourceId !== undefined &&
    client.resourceId !== pathResourceId
  ) {
    throw fail(
      `Client "${clientId}" is not registered for resource "${pathResourceId}"`,
    );
  }
  const secret = basic?.secret ?? bodySecret;
  if (client.secret === undefined) {
    if (secret !== undefined) {
      throw fail(`Client "${clientId}" is public and has no secret`);
    }
    return { client, method: "none" };
  }
  if (secret === undefined) {
    throw fail(`Client "${clientId}" is confidential and must authenticate`);
  }
  if (!timingSafeEqual(secret, client.secret)) {
    throw fail(`Client secret for "${clientId}" is wrong`);
  }
  return {
    client,
    method: basic === undefined ? "client_secret_post" : "client_secret_basic",
  };
}

/** Decodes `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1). */
function parseBasic(
  header: string,
  realm: string,
): { id: string; secret: string } {
  const malformed = () =>
    new OAuthError(
      "invalid_client",
      "Authorization header is not valid HTTP Basic",
      {
        headers: { "www-authenticate": `Basic realm="${realm}"` },
      },
    );
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (match === null) throw malformed();
  let decoded: string;
  try {
    const binary = atob(match[1]);
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw malformed();
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw malformed();
  try {
    return {
      id: formDecode(decoded.slice(0, colon)),
      secret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw malformed();
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll("+", " "));
}

function timingSafeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  const length = Math.max(left.length, right.length);
  let difference = left.length ^ right.length;
  for (let i = 0; i < length; i++) {
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return difference === 0;
}

async function authorizationCodeGrant(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
  { client }: AuthenticatedClient,
): Promise<TokenResponse> {
  const code = params.get("code");
  if (code === null || code === "") {
    throw new OAuthError("invalid_request", 'Parameter "code" is missing');
  }
  const verifier = params.get("code_verifier");
  if (verifier === null || verifier === "") {
    throw new OAuthError(
      "invalid_request",
      'Parameter "code_verifier" is missing; PKCE is required',
    );
  }
  const redemption = context.grants.redeemCode(code);
  if (redemption.status !== "ok") {
    throw new OAuthError(
      "invalid_grant",
      redemption.status === "expired"
        ? "Authorization code has expired"
        : redemption.status === "reused"
        ? "Authorization code was already used"
        : "Authorization code is unknown",
    );
  }
  const grant = redemption.value;
  if (grant.clientId !== client.clientId) {
    throw new OAuthError(
      "invalid_grant",
      "Authorization code was issued to another client",
    );
  }
  if (pathResourceId !== undefined && grant.resourceId !== pathResourceId) {
    throw new OAuthError(
      "invalid_grant",
      `Authorization code is for resource "${grant.resourceId}", not "${pathResourceId}"`,
    );
  }
  // OAuth 2.1 §4.1.3 leaves redirect_uri out of the token request; when a
  // client sends it anyway (RFC 6749 §4.1.3) it must be identical.
  const redirectUri = params.get("redirect_uri");
  if (redirectUri !== null && redirectUri !== grant.redirectUri) {
    throw new OAuthError(
      "invalid_grant",
      'Parameter "redirect_uri" differs from the authorization request',
    );
  }
  if (
    !PKCE_VALUE.test(verifier) || await s256(verifier) !== grant.codeChallenge
  ) {
    throw new OAuthError(
      "invalid_grant",
      "PKCE code_verifier does not match the code_challenge",
    );
  }
  checkResourceParameter(context, params, grant);
  return await issueTokens(context, client, grant, grant.scopes);
}

async function refreshTokenGrant(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
  { client }: AuthenticatedClient,
): Promise<TokenResponse> {
  const token = params.get("refresh_token");
  if (token === null || token === "") {
    throw new OAuthError(
      "invalid_request",
      'Parameter "refresh_token" is missing',
    );
  }
  const requested = parseScopeParameter(params.get("scope"));
  // Every check that is the client's mistake comes before the token is used
  // up, so a bad request neither burns it nor lets another client do so.
  const peeked = context.grants.peekRefreshToken(token);
  if (peeked !== undefined) {
    if (peeked.clientId !== client.clientId) {
      throw new OAuthError(
        "invalid_grant",
        "Refresh token was issued to another client",
      );
    }
    if (pathResourceId !== undefined && peeked.resourceId !== pathResourceId) {
      throw new OAuthError(
        "invalid_grant",
        `Refresh token is for resource "${peeked.resourceId}", not "${pathResourceId}"`,
      );
    }
    checkResourceParameter(context, params, peeked);
    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    const extra = requested?.filter((scope) =>
      !peeked.scopes.includes(scope)
    ) ?? [];
    if (extra.length > 0) {
      throw new OAuthError(
        "invalid_scope",
        `Scopes "${extra.join(" ")}" were not granted originally`,
      );
    }
  }
  const redemption = context.grants.redeemRefreshToken(token);
  if (redemption.status !== "ok") {
    throw new OAuthError(
      "invalid_grant",
      redemption.status === "expired"
        ? "Refresh token has expired"
        : redemption.status === "reused"
        ? "Refresh token was already used; its grant is revoked"
        : "Refresh token is unknown",
    );
  }
  const grant = redemption.value;
  return await issueTokens(context, client, grant, requested ?? grant.scopes);
}

async function clientCredentialsGrant(
  context: IssuerContext,
  pathResourceId: string | undefined,
  params: URLSearchParams,
  { client, method }: AuthenticatedClient,
): Promise<TokenResponse> {
  // RFC 6749 §4.4: confidential clients only.
  if (method === "none") {
    throw new OAuthError(
      "unauthorized_client",
      `Client "${client.clientId}" is public; client_credentials needs a confidential client`,
    );
  }
  const indicator = params.get("resource") ?? undefined;
  const resource = context.resources.forGrant(
    pathResourceId,
    indicator,
    client,
  );
  // No user, so no refresh token and no offline access (RFC 6749 §4.4.3).
  const scopes = grantScopes(
    resource,
    parseScopeParameter(params.get("scope")),
    false,
  );
  const accessToken = await context.minter.mint({
    resourceId: resource.id,
    scopes,
    subject: client.clientId,
    clientId: client.clientId,
    // A dynamically registered client belongs to no organisation, and a
    // machine token has no session.
    organizationId: null,
    issuerForm: context.settings.issuerForm,
    claims: { sid: undefined },
  });
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: context.settings.accessTokenTtlSeconds,
    scope: scopes.join(" "),
  };
}

/** RFC 8707 §2.2: a `resource` at the token endpoint must name the grant's resource. */
function checkResourceParameter(
  context: IssuerContext,
  params: URLSearchParams,
  grant: Grant,
): void {
  const indicator = params.get("resource");
  if (
    indicator !== null &&
    !context.resources.accepts(grant.resourceId, indicator)
  ) {
    throw new OAuthError(
      "invalid_target",
      `Resource "${indicator}" was not part of the authorization`,
    );
  }
}

/**
 * An access token for the grant, and a new refresh token when the grant
 * included `offline_access` (Scalekit's rule) or the client registered the
 * `refresh_token` grant type: MCP clients such as MCP Inspector register
 * that grant but never ask for `offline_access`, and expect to refresh.
 */
async function issueTokens(
  context: IssuerContext,
  client: ResolvedClient,
  grant: Grant,
  scopes: readonly string[],
): Promise<TokenResponse> {
  const accessToken = await context.minter.mint({
    resourceId: grant.resourceId,
    scopes,
    subject: grant.userId,
    clientId: grant.clientId,
    organizationId: grant.organizationId,
    issuerForm: context.settings.issuerForm,
    claims: { sid: grant.sessionId },
  });
  const wantsRefresh = grant.scopes.includes(OFFLINE_ACCESS) ||
    (client.grantTypes?.includes("refresh_token") ?? false);
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: context.settings.accessTokenTtlSeconds,
    scope: scopes.join(" "),
  };
  if (!wantsRefresh) return response;
  return {
    ...response,
    refresh_token: context.grants.issueRefreshToken(
      grant,
      context.settings.refreshTokenTtlSeconds,
    ),
  };
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(verifier),
  );
  return base64url.encode(new Uint8Array(digest));
}
