/**
 * The public shape of the mock Scalekit issuer: what the conformance runner,
 * `deno task dev` and the server's own tests rely on.
 *
 * @module
 */

/** A user the issuer logs in automatically at `/oauth/authorize`. */
export interface TestUser {
  /** Subject, Scalekit style (`usr_…`). */
  readonly id: string;
  /** Organisation id (`org_…`), sent as `oid`. */
  readonly organizationId: string;
  /** Shown nowhere important; for logs and `whoami`. */
  readonly email?: string;
}

/** A protected resource (an MCP server registered in the environment). */
export interface ResourceRegistration {
  /** Resource id (`res_…`). */
  readonly id: string;
  /** The MCP server URL as typed in the dashboard; first entry of `aud`. */
  readonly url?: string;
  /** Scopes the resource defines; authorize/token never grant others. */
  readonly scopes: readonly string[];
}

/** Options for {@link MockIssuer}. */
export interface MockIssuerOptions {
  /** Address to bind. Default `127.0.0.1`; anything else must be asked for. */
  readonly hostname?: string;
  /** Port; default 0 (a free one). */
  readonly port?: number;
  /** Resources this environment knows. Default one: `res_conformance` with scopes `todo:read todo:write todo:admin`. */
  readonly resources?: readonly ResourceRegistration[];
  /** The user logged in at `/oauth/authorize`. */
  readonly user?: TestUser;
  /** Access token lifetime in seconds. Default 3600. */
  readonly accessTokenTtlSeconds?: number;
  /** A JSON file that keeps signing keys and registered clients across restarts (dev mode). */
  readonly statePath?: string;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** `iss` form of tokens the token endpoint issues (see {@link MintOptions.issuerForm}). Default `environment`. */
  readonly issuerForm?: "environment" | "resource";
  /** Refresh token lifetime in seconds. Default 2592000 (30 days). */
  readonly refreshTokenTtlSeconds?: number;
  /** Fetch used to load client ID metadata documents. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Time limit for loading one client ID metadata document, in milliseconds. Default 5000. */
  readonly clientMetadataTimeoutMs?: number;
  /**
   * How `/oauth/authorize` gets consent: `auto` (default) consents at once,
   * as tests and the conformance suite need; `prompt` shows a page with the
   * user, the organisation and the scopes as checkboxes (`deno task dev`).
   */
  readonly consent?: "auto" | "prompt";
}

/** Client authentication methods the issuer supports at its token endpoint. */
export type TokenEndpointAuthMethod =
  | "none"
  | "client_secret_post"
  | "client_secret_basic";

/** A registered client as dynamic client registration returns it (RFC 7591 §3.2.1). */
export interface RegisteredClient {
  /** `m2m_…`. */
  readonly client_id: string;
  /** Only for confidential clients. */
  readonly client_secret?: string;
  /** Seconds since the epoch. */
  readonly client_id_issued_at: number;
  /** `0` (never) for confidential clients; absent for public ones. */
  readonly client_secret_expires_at?: number;
  /** Exact redirect URIs; may be empty for a `client_credentials`-only client. */
  readonly redirect_uris: readonly string[];
  /** Grant types the client registered. */
  readonly grant_types: readonly string[];
  /** Always `["code"]`. */
  readonly response_types: readonly string[];
  /** `none` for public clients. */
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Human-readable name, when given. */
  readonly client_name?: string;
  /** Space-separated scopes, when given. */
  readonly scope?: string;
  /** Informational URLs and contacts, echoed when given. */
  readonly client_uri?: string;
  /** See `client_uri`. */
  readonly logo_uri?: string;
  /** See `client_uri`. */
  readonly tos_uri?: string;
  /** See `client_uri`. */
  readonly policy_uri?: string;
  /** See `client_uri`. */
  readonly contacts?: readonly string[];
}

/** Claims a scenario can set or override when minting. */
export interface MintOptions {
  /** Resource the token is for. Default the first resource. */
  readonly resourceId?: string;
  /** Scopes granted; written as `scope` (space-separated) and `scopes` (array). Default all of the resource's scopes. */
  readonly scopes?: readonly string[];
  /** `sub`. Default the test user's id. */
  readonly subject?: string;
  /** `client_id`. Default `m2m_conformance`. */
  readonly clientId?: string;
  /** `oid`; `null` leaves it out. Default the test user's organisation. */
  readonly organizationId?: string | null;
  /** `iss` form: the environment URL (`environment`, default) or `<env>/resources/<res>` (`resource`). */
  readonly issuerForm?: "environment" | "resource";
  /** `aud`. Default `[<resource url>, <resource id>]` (or `[<resource id>]` when the resource has no URL). */
  readonly audience?: string | readonly string[];
  /** Lifetime in seconds from now. Default the issuer's access token TTL. */
  readonly ttlSeconds?: number;
  /** Sign with this published key instead of the current one (see `publishKey`). */
  readonly kid?: string;
  /** Extra or replacing claims, applied last. A key set to `undefined` is removed. */
  readonly claims?: Record<string, unknown>;
}

/**
 * Every malformed or hostile token the issuer can make. Each one must be
 * refused with 401 `invalid_token` by a correct resource server.
 */
export type BadTokenKind =
  | "expired"
  | "not_yet_valid"
  | "no_exp"
  | "wrong_issuer"
  | "wrong_audience"
  | "other_resource_audience"
  | "foreign_key"
  | "unknown_kid"
  | "alg_none"
  | "hs256_with_public_key"
  | "tampered_payload"
  | "truncated"
  | "garbage";

/** A running mock Scalekit environment. */
export interface MockIssuer {
  /** The environment URL (`http://127.0.0.1:<port>`), no trailing slash. */
  readonly url: string;
  /** The resources it knows. */
  readonly resources: readonly ResourceRegistration[];
  /** The auto-login user. */
  readonly user: TestUser;
  /** `<url>/resources/<id>`: the per-resource issuer and authorization server. */
  resourceIssuer(resourceId?: string): string;
  /** Signs a valid token (see {@link MintOptions}). */
  mint(options?: MintOptions): Promise<string>;
  /** Makes one of the bad tokens; options shape the otherwise-valid claims. */
  mintBad(kind: BadTokenKind, options?: MintOptions): Promise<string>;
  /** Adds a new current signing key; the old one stays published unless `dropOld`. Returns the new `kid`. */
  rotateKey(options?: { readonly dropOld?: boolean }): Promise<string>;
  /**
   * Publishes a new key in the JWKS without signing with it, the first half
   * of a careful rotation; `mint({ kid })` then signs with it. Returns the `kid`.
   */
  publishKey?(): Promise<string>;
  /** How many times `/keys` has been fetched (to test JWKS caching). */
  readonly jwksFetchCount: number;
  /** The `kid` tokens are signed with now. */
  readonly currentKid?: string;
  /**
   * Sets (or with `undefined` clears) a resource's URL, the first `aud`
   * entry, for when the server under test learns its port after the issuer
   * started. Throws on an unknown resource or a URL that is not absolute.
   */
  setResourceUrl?(resourceId: string, url: string | undefined): void;
  /**
   * Registers a client as `POST /api/v1/resources/<res>/clients:register`
   * would (the body's fields, RFC 7591 §2), for tests that need one without
   * HTTP. Default resource: the first. Rejects with the endpoint's error.
   */
  registerClient?(
    metadata: Readonly<Record<string, unknown>>,
    resourceId?: string,
  ): Promise<RegisteredClient>;
  /** Stops the server. */
  close(): Promise<void>;
}
