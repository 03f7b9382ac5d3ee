/**
 * The rules the suite judges, and how binding each one is in each MCP
 * specification revision. Every level comes from the text of that revision
 * (or of the RFC it makes normative), and the sentence is quoted so a
 * reader can check the verdict without trusting the suite.
 *
 * A rule that a revision does not state (or states as an option) has level
 * `INFO` there: breaking it is reported as a note, never as a warning.
 * A few rules rest on no spec sentence at all (`basis: "practice"`); they
 * say why they exist instead of quoting.
 *
 * @module
 */

/** The MCP specification revisions the suite can judge against. */
export type SpecRevision = "2025-06-18" | "2025-11-25" | "2026-07-28";

/** Every {@link SpecRevision}, oldest first. */
export const SPEC_REVISIONS: readonly SpecRevision[] = Object.freeze([
  "2025-06-18",
  "2025-11-25",
  "2026-07-28",
]);

/** The revision a run judges against unless told otherwise: the latest. */
export const LATEST_SPEC: SpecRevision = "2026-07-28";

/**
 * How binding a rule is: a broken MUST fails the run; a broken SHOULD is a
 * warning (and fails the run only with `--strict`); `INFO` is a note.
 */
export type Level = "MUST" | "SHOULD" | "INFO";

/** What one revision says about a rule. */
export interface Clause {
  /** How binding the rule is in this revision. */
  readonly level: Level;
  /** Where it is written, e.g. `RFC 6750 §3.1` or `MCP 2025-11-25 §Token Handling`. */
  readonly cite: string;
  /** The sentence itself, verbatim (without markup); absent for practice rules. */
  readonly quote?: string;
}

/** Where a rule's level comes from. */
export type Basis = "spec" | "practice";

/** One rule the suite can find broken. */
export interface Rule {
  /** Stable id, e.g. `challenge_resource_metadata`. */
  readonly id: string;
  /** What the rule wants, in a sentence. */
  readonly summary: string;
  /** A spec sentence, or common practice (then {@link Rule.why} says why). */
  readonly basis: Basis;
  /** For practice rules: why the suite checks it anyway. */
  readonly why?: string;
  /** What each revision says. */
  readonly clauses: Readonly<Record<SpecRevision, Clause>>;
}

/** The same clause in every revision (rules from RFCs MCP makes normative). */
function always(clause: Clause): Record<SpecRevision, Clause> {
  return { "2025-06-18": clause, "2025-11-25": clause, "2026-07-28": clause };
}

// Sentences that recur.
const MCP_401 =
  "Invalid or expired tokens MUST receive a HTTP 401 response." as const;
const MCP_AUDIENCE =
  "MCP servers MUST validate that access tokens were issued specifically for them as the intended audience, according to RFC 8707 Section 2." as const;
const MCP_ONE_OF =
  "MCP servers MUST implement one of the following discovery mechanisms to provide authorization server location information to MCP clients" as const;
const MCP_PRIVILEGE =
  "MCP servers MUST validate access tokens before processing the request, ensuring the access token is issued specifically for the MCP server, and take all necessary steps to ensure no data is returned to unauthorized parties." as const;
const RFC9068_SIGNATURE =
  'The resource server MUST validate the signature of all incoming JWT access tokens according to [RFC7515] using the algorithm specified in the JWT "alg" Header Parameter. The resource server MUST reject any JWT in which the value of "alg" is "none". The resource server MUST use the keys provided by the authorization server.' as const;
const RFC6750_NO_ERROR =
  "If the request lacks any authentication information (e.g., the client was unaware that authentication is necessary or attempted using an unsupported authentication method), the resource server SHOULD NOT include an error code or other error information." as const;
const RFC6750_INSUFFICIENT =
  'The resource server SHOULD respond with the HTTP 403 (Forbidden) status code and MAY include the "scope" attribute with the scope necessary to access the protected resource.' as const;
const RUNTIME_403 =
  "When a client makes a request with an access token with insufficient scope during runtime operations, the server SHOULD respond with: HTTP 403 Forbidden status code (per RFC 6750 Section 3.1)" as const;

function rule(definition: Rule): Rule {
  return Object.freeze(definition);
}

/** Every rule, by id. */
export const RULES = {
  refuse_with_401: rule({
    id: "refuse_with_401",
    summary: "A request without a usable token is refused with 401",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Token Handling; RFC 6750 §3.1",
        quote: MCP_401,
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Token Handling; RFC 6750 §3.1",
        quote: MCP_401,
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Token Handling; RFC 6750 §3.1",
        quote: MCP_401,
      },
    },
  }),
  bearer_challenge: rule({
    id: "bearer_challenge",
    summary: "A 401 carries a WWW-Authenticate Bearer challenge",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 6750 §3",
      quote:
        'If the protected resource request does not include authentication credentials or does not contain an access token that enables access to the protected resource, the resource server MUST include the HTTP "WWW-Authenticate" response header field',
    }),
  }),
  challenge_syntax: rule({
    id: "challenge_syntax",
    summary:
      "Every WWW-Authenticate header is valid challenge syntax, its values within RFC 6750's character set",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 6750 §3; RFC 9110 §11.6.1, §5.6.4",
      quote:
        'All challenges defined by this specification MUST use the auth-scheme value "Bearer". This scheme MUST be followed by one or more auth-param values. … Values for the "error" and "error_description" attributes (specified in Appendixes A.7 and A.8 of [RFC6749]) MUST NOT include characters outside the set %x20-21 / %x23-5B / %x5D-7E.',
    }),
  }),
  challenge_resource_metadata: rule({
    id: "challenge_resource_metadata",
    summary: "A 401 challenge names the resource metadata URL",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Authorization Server Location; RFC 9728 §5.1",
        quote:
          'MCP servers MUST use the HTTP header WWW-Authenticate when returning a 401 Unauthorized to indicate the location of the resource server metadata URL as described in RFC9728 Section 5.1 "WWW-Authenticate Response".',
      },
      "2025-11-25": {
        level: "INFO",
        cite:
          "MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements",
        quote: MCP_ONE_OF,
      },
      "2026-07-28": {
        level: "INFO",
        cite:
          "MCP 2026-07-28 authorization-server-discovery §Protected Resource Metadata Discovery Requirements",
        quote: MCP_ONE_OF,
      },
    },
  }),
  challenge_scope: rule({
    id: "challenge_scope",
    summary: "A 401 challenge names the scopes the request needs",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "INFO",
        cite: "RFC 6750 §3 (the scope attribute is optional)",
        quote:
          'The "scope" attribute is defined in Section 3.3 of [RFC6749]. The "scope" attribute is a space-delimited list of case-sensitive scope values indicating the required scope of the access token for accessing the requested resource.',
      },
      "2025-11-25": {
        level: "SHOULD",
        cite:
          "MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements",
        quote:
          "MCP servers SHOULD include a scope parameter in the WWW-Authenticate header as defined in RFC 6750 Section 3 to indicate the scopes required for accessing the resource.",
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Scope Selection Strategy",
        quote:
          "MCP servers SHOULD include a scope parameter in the WWW-Authenticate header as defined in RFC 6750 Section 3 to indicate the scopes required for accessing the resource.",
      },
    },
  }),
  bare_challenge_without_credentials: rule({
    id: "bare_challenge_without_credentials",
    summary:
      "A request without credentials gets a challenge without an error code",
    basis: "spec",
    clauses: always({
      level: "SHOULD",
      cite: "RFC 6750 §3.1",
      quote: RFC6750_NO_ERROR,
    }),
  }),
  invalid_token_error_code: rule({
    id: "invalid_token_error_code",
    summary: 'A refused token gets error="invalid_token"',
    basis: "spec",
    clauses: always({
      level: "SHOULD",
      cite: "RFC 6750 §3, §3.1",
      quote:
        'If the protected resource request included an access token and failed authentication, the resource server SHOULD include the "error" attribute to provide the client with the reason why the access request was declined.',
    }),
  }),
  invalid_request_status: rule({
    id: "invalid_request_status",
    summary: 'A malformed request answered 400 says error="invalid_request"',
    basis: "spec",
    clauses: always({
      level: "SHOULD",
      cite: "RFC 6750 §3.1",
      quote:
        "invalid_request: The request is missing a required parameter, includes an unsupported parameter or parameter value, repeats the same parameter, uses more than one method for including an access token, or is otherwise malformed. The resource server SHOULD respond with the HTTP 400 (Bad Request) status code.",
    }),
  }),
  token_expiry: rule({
    id: "token_expiry",
    summary: "An expired token is refused",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9068 §4; RFC 7519 §4.1.4",
      quote:
        'The current time MUST be before the time represented by the "exp" claim. Implementers MAY provide for some small leeway, usually no more than a few minutes, to account for clock skew.',
    }),
  }),
  token_exp_required: rule({
    id: "token_exp_required",
    summary: "A token without exp is refused",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9068 §2.2, §4; OAuth 2.1 §5.2",
      quote:
        'exp: REQUIRED - as defined in Section 4.1.4 of [RFC7519]. … The current time MUST be before the time represented by the "exp" claim.',
    }),
  }),
  token_not_before: rule({
    id: "token_not_before",
    summary: "A token used before its nbf is refused",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 7519 §4.1.5",
      quote:
        'The "nbf" (not before) claim identifies the time before which the JWT MUST NOT be accepted for processing.',
    }),
  }),
  token_issuer: rule({
    id: "token_issuer",
    summary: "A token from another issuer is refused",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9068 §4",
      quote:
        'The issuer identifier for the authorization server (which is typically obtained during discovery) MUST exactly match the value of the "iss" claim.',
    }),
  }),
  token_audience: rule({
    id: "token_audience",
    summary: "A token for another audience is refused",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Token Handling; RFC 8707 §2",
        quote: MCP_AUDIENCE,
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Token Handling; RFC 8707 §2",
        quote: MCP_AUDIENCE,
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Token Handling; RFC 8707 §2",
        quote: MCP_AUDIENCE,
      },
    },
  }),
  token_signature: rule({
    id: "token_signature",
    summary:
      "A token not signed by a published key, with a published algorithm, is refused",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9068 §4; RFC 8725 §3.1",
      quote: RFC9068_SIGNATURE,
    }),
  }),
  token_well_formed: rule({
    id: "token_well_formed",
    summary: "A bearer value that is not a token is refused",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Token Handling; OAuth 2.1 §5.2",
        quote: MCP_401,
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Token Handling; OAuth 2.1 §5.2",
        quote: MCP_401,
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Token Handling; OAuth 2.1 §5.2",
        quote: MCP_401,
      },
    },
  }),
  no_query_token: rule({
    id: "no_query_token",
    summary: "A token in the query string is not accepted",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Token Requirements; OAuth 2.1 §5",
        quote: "Access tokens MUST NOT be included in the URI query string",
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Token Requirements; OAuth 2.1 §5",
        quote: "Access tokens MUST NOT be included in the URI query string",
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Token Requirements; OAuth 2.1 §5",
        quote: "Access tokens MUST NOT be included in the URI query string",
      },
    },
  }),
  expired_before_scope: rule({
    id: "expired_before_scope",
    summary: "An expired token that also lacks scopes gets 401, not 403",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Token Handling",
        quote: MCP_401,
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Token Handling",
        quote: MCP_401,
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Token Handling",
        quote: MCP_401,
      },
    },
  }),
  key_rotation: rule({
    id: "key_rotation",
    summary: "A token signed by a newly published key is accepted",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9068 §4; RFC 8414 §2 (jwks_uri)",
      quote:
        "The resource server MUST use the keys provided by the authorization server.",
    }),
  }),
  jwks_fetch_bounded: rule({
    id: "jwks_fetch_bounded",
    summary:
      "Tokens with unknown kids do not make the server refetch the issuer's keys each time",
    basis: "practice",
    why:
      "a server that refetches the JWKS for every unknown kid lets anyone make it hammer the issuer, which then rate-limits every tenant",
    clauses: always({
      level: "SHOULD",
      cite:
        "no spec sentence (denial-of-service hygiene; RFC 8725 §3 asks for careful key handling)",
    }),
  }),
  scope_enforced: rule({
    id: "scope_enforced",
    summary: "An operation does not run for a token without its scopes",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite:
          "MCP 2025-06-18 §Access Token Privilege Restriction; RFC 6750 §3.1 (insufficient_scope)",
        quote: MCP_PRIVILEGE,
      },
      "2025-11-25": {
        level: "MUST",
        cite:
          "MCP 2025-11-25 §Access Token Privilege Restriction; RFC 6750 §3.1 (insufficient_scope)",
        quote: MCP_PRIVILEGE,
      },
      "2026-07-28": {
        level: "MUST",
        cite:
          "MCP 2026-07-28 security-considerations §Access Token Privilege Restriction; RFC 6750 §3.1 (insufficient_scope)",
        quote: MCP_PRIVILEGE,
      },
    },
  }),
  insufficient_scope_status: rule({
    id: "insufficient_scope_status",
    summary: "A token without the needed scopes is answered 403, not 401",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Error Handling",
        quote:
          "Servers MUST return appropriate HTTP status codes for authorization errors: … 403 … Forbidden … Invalid scopes or insufficient permissions",
      },
      "2025-11-25": {
        level: "SHOULD",
        cite: "MCP 2025-11-25 §Runtime Insufficient Scope Errors",
        quote: RUNTIME_403,
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors",
        quote: RUNTIME_403,
      },
    },
  }),
  scope_refusal_over_http: rule({
    id: "scope_refusal_over_http",
    summary:
      "A call without its scopes is refused with HTTP 403 (a step-up challenge), not only in-band",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "SHOULD",
        cite: "RFC 6750 §3.1 (insufficient_scope)",
        quote: RFC6750_INSUFFICIENT,
      },
      "2025-11-25": {
        level: "SHOULD",
        cite: "MCP 2025-11-25 §Runtime Insufficient Scope Errors",
        quote: RUNTIME_403,
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors",
        quote: RUNTIME_403,
      },
    },
  }),
  insufficient_scope_error_code: rule({
    id: "insufficient_scope_error_code",
    summary: 'A 403 for missing scopes says error="insufficient_scope"',
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "SHOULD",
        cite: "RFC 6750 §3.1",
        quote:
          "insufficient_scope: The request requires higher privileges than provided by the access token. " +
          RFC6750_INSUFFICIENT,
      },
      "2025-11-25": {
        level: "SHOULD",
        cite: "MCP 2025-11-25 §Runtime Insufficient Scope Errors",
        quote:
          'the server SHOULD respond with: … WWW-Authenticate header with the Bearer scheme and additional parameters: error="insufficient_scope"',
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors",
        quote:
          'the server SHOULD respond with: … WWW-Authenticate header with the Bearer scheme and additional parameters: error="insufficient_scope"',
      },
    },
  }),
  insufficient_scope_names_scopes: rule({
    id: "insufficient_scope_names_scopes",
    summary: "A 403 names every scope the operation needs, in one challenge",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "INFO",
        cite: "RFC 6750 §3.1 (scope is optional)",
        quote: RFC6750_INSUFFICIENT,
      },
      "2025-11-25": {
        level: "SHOULD",
        cite: "MCP 2025-11-25 §Runtime Insufficient Scope Errors",
        quote:
          "When responding with insufficient scope errors, servers SHOULD include the scopes needed to satisfy the current request in the scope parameter.",
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors",
        quote:
          "Whatever scope-inclusion strategy a server adopts, servers SHOULD include all scopes required for the current operation in a single challenge.",
      },
    },
  }),
  insufficient_scope_only_needed: rule({
    id: "insufficient_scope_only_needed",
    summary: "A 403 names the current operation's scopes, not others",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "INFO",
        cite: "RFC 6750 §3.1",
        quote: RFC6750_INSUFFICIENT,
      },
      "2025-11-25": {
        level: "INFO",
        cite: "MCP 2025-11-25 §Runtime Insufficient Scope Errors",
        quote:
          "Recommended approach: Include both existing relevant scopes and newly required scopes to prevent clients from losing previously granted permissions",
      },
      "2026-07-28": {
        level: "INFO",
        cite: "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors",
        quote:
          "The scope attribute describes the scopes necessary to access the requested resource — servers are not required to include the client's previously granted scopes.",
      },
    },
  }),
  insufficient_scope_resource_metadata: rule({
    id: "insufficient_scope_resource_metadata",
    summary: "A 403 challenge names the resource metadata URL",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "INFO",
        cite: "RFC 9728 §5.1 (optional)",
        quote:
          "A protected resource MAY use the WWW-Authenticate HTTP response header field, as discussed in [RFC9110], to return a URL to its protected resource metadata to the client.",
      },
      "2025-11-25": {
        level: "SHOULD",
        cite: "MCP 2025-11-25 §Runtime Insufficient Scope Errors",
        quote:
          "the server SHOULD respond with: … resource_metadata - the URI of the Protected Resource Metadata document (for consistency with 401 responses)",
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Runtime Insufficient Scope Errors",
        quote:
          "the server SHOULD respond with: … resource_metadata - the URI of the Protected Resource Metadata document (for consistency with 401 responses)",
      },
    },
  }),
  no_offline_access: rule({
    id: "no_offline_access",
    summary:
      "offline_access is advertised neither in scopes_supported nor in a challenge's scope",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "INFO",
        cite: "not in MCP 2025-06-18 (2026-07-28 §Refresh Tokens adds it)",
      },
      "2025-11-25": {
        level: "INFO",
        cite: "not in MCP 2025-11-25 (2026-07-28 §Refresh Tokens adds it)",
      },
      "2026-07-28": {
        level: "SHOULD",
        cite: "MCP 2026-07-28 authorization §Refresh Tokens",
        quote:
          "MCP Servers (Protected Resources) SHOULD NOT include offline_access in WWW-Authenticate scope or Protected Resource Metadata scopes_supported, as refresh tokens are not a resource requirement.",
      },
    },
  }),
  metadata_discoverable: rule({
    id: "metadata_discoverable",
    summary:
      "A client that knows only the URL finds the protected resource metadata",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Authorization Server Location; RFC 9728 §3",
        quote:
          "MCP servers MUST implement the OAuth 2.0 Protected Resource Metadata (RFC9728) specification to indicate the locations of authorization servers.",
      },
      "2025-11-25": {
        level: "MUST",
        cite:
          "MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements",
        quote: MCP_ONE_OF,
      },
      "2026-07-28": {
        level: "MUST",
        cite:
          "MCP 2026-07-28 authorization-server-discovery §Protected Resource Metadata Discovery Requirements",
        quote: MCP_ONE_OF,
      },
    },
  }),
  metadata_link_works: rule({
    id: "metadata_link_works",
    summary: "The challenge's resource_metadata URL serves the metadata",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9728 §3.2, §5.1",
      quote:
        "A successful response MUST use the 200 OK HTTP status code and return a JSON object using the application/json content type that contains a set of metadata parameters as its members that are a subset of the metadata parameters defined in Section 2.",
    }),
  }),
  metadata_path_suffixed: rule({
    id: "metadata_path_suffixed",
    summary: "The metadata is served at the path-suffixed well-known URL",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "RFC 9728 §3, §3.1 (MCP 2025-06-18 makes RFC 9728 a MUST)",
        quote:
          "Protected resources supporting metadata MUST make a JSON document containing metadata as specified in Section 2 available at a URL formed by inserting a well-known URI string into the protected resource's resource identifier between the host component and the path and/or query components, if any.",
      },
      "2025-11-25": {
        level: "INFO",
        cite:
          "MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements",
        quote: MCP_ONE_OF,
      },
      "2026-07-28": {
        level: "INFO",
        cite:
          "MCP 2026-07-28 authorization-server-discovery §Protected Resource Metadata Discovery Requirements",
        quote: MCP_ONE_OF,
      },
    },
  }),
  metadata_resource_matches: rule({
    id: "metadata_resource_matches",
    summary: "The metadata's resource is exactly the URL clients connect to",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9728 §3.3",
      quote:
        "If the protected resource metadata was retrieved from a URL returned by the protected resource via the WWW-Authenticate resource_metadata parameter, then the resource value returned MUST be identical to the URL that the client used to make the request to the resource server. If these values are not identical, the data contained in the response MUST NOT be used.",
    }),
  }),
  authorization_servers_listed: rule({
    id: "authorization_servers_listed",
    summary:
      "The metadata lists at least one authorization server, and it is the one whose tokens the server accepts",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Authorization Server Location",
        quote:
          "The Protected Resource Metadata document returned by the MCP server MUST include the authorization_servers field containing at least one authorization server.",
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Authorization Server Location",
        quote:
          "The Protected Resource Metadata document returned by the MCP server MUST include the authorization_servers field containing at least one authorization server.",
      },
      "2026-07-28": {
        level: "MUST",
        cite:
          "MCP 2026-07-28 authorization-server-discovery §Authorization Server Location",
        quote:
          "The Protected Resource Metadata document returned by the MCP server MUST include the authorization_servers field containing at least one authorization server.",
      },
    },
  }),
  scalekit_resource_issuer: rule({
    id: "scalekit_resource_issuer",
    summary:
      "authorization_servers names Scalekit's per-resource authorization server",
    basis: "practice",
    why:
      "Scalekit's environment-level metadata has no registration endpoint, so clients that register dynamically or by metadata document need <env>/resources/<res_id>, the value Scalekit's dashboard shows",
    clauses: always({ level: "SHOULD", cite: "Scalekit resource metadata" }),
  }),
  authorization_server_metadata: rule({
    id: "authorization_server_metadata",
    summary:
      "The listed authorization server publishes RFC 8414 or OpenID metadata with its endpoints",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Overview; RFC 8414 §3",
        quote:
          "Authorization servers MUST provide OAuth 2.0 Authorization Server Metadata (RFC8414).",
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Overview; RFC 8414 §3",
        quote:
          "MCP authorization servers MUST provide at least one of the following discovery mechanisms: OAuth 2.0 Authorization Server Metadata (RFC8414) … OpenID Connect Discovery 1.0",
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Overview; RFC 8414 §3",
        quote:
          "MCP authorization servers MUST provide at least one of the following discovery mechanisms: OAuth 2.0 Authorization Server Metadata (RFC8414) … OpenID Connect Discovery 1.0",
      },
    },
  }),
  scopes_supported: rule({
    id: "scopes_supported",
    summary: "The metadata's scopes_supported lists the scopes clients need",
    basis: "spec",
    clauses: always({
      level: "SHOULD",
      cite: "RFC 9728 §2",
      quote:
        "scopes_supported: RECOMMENDED. JSON array containing a list of scope values, as defined in OAuth 2.0 [RFC6749], that are used in authorization requests to request access to this protected resource.",
    }),
  }),
  no_empty_parameters: rule({
    id: "no_empty_parameters",
    summary:
      "The metadata omits parameters with no values instead of sending []",
    basis: "spec",
    clauses: always({
      level: "MUST",
      cite: "RFC 9728 §3.2",
      quote:
        "Parameters with multiple values are represented as JSON arrays. Parameters with zero values MUST be omitted from the response.",
    }),
  }),
  as_metadata_agrees: rule({
    id: "as_metadata_agrees",
    summary:
      "Authorization-server metadata the MCP server serves itself agrees with the issuer's own",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "RFC 8414 §3.3",
        quote:
          'The "issuer" value returned MUST be identical to the authorization server\'s issuer identifier value into which the well-known URI string was inserted to create the URL used to retrieve the metadata. If these values are not identical, the data contained in the response MUST NOT be used.',
      },
      "2025-11-25": {
        level: "MUST",
        cite: "RFC 8414 §3.3",
        quote:
          'The "issuer" value returned MUST be identical to the authorization server\'s issuer identifier value into which the well-known URI string was inserted to create the URL used to retrieve the metadata. If these values are not identical, the data contained in the response MUST NOT be used.',
      },
      "2026-07-28": {
        level: "MUST",
        cite:
          "MCP 2026-07-28 authorization-server-discovery §Authorization Server Metadata Discovery; RFC 8414 §3.3",
        quote:
          "the issuer value in the document MUST be identical to the issuer identifier used to construct the well-known URL. If they differ, the client MUST NOT use the metadata.",
      },
    },
  }),
  origin_validated: rule({
    id: "origin_validated",
    summary: "A request from a foreign Origin is refused",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 transports §Security Warning",
        quote:
          "Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks",
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 transports §Security Warning",
        quote:
          "If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden.",
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 transports/streamable-http §Security & Endpoint",
        quote:
          "If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden.",
      },
    },
  }),
  cors_preflight: rule({
    id: "cors_preflight",
    summary:
      "A CORS preflight is never answered 401, and 401s let browser clients read the challenge",
    basis: "practice",
    why:
      "browsers send preflights without credentials and fail the real request unless the preflight gets an ok status (Fetch §4.8); a challenge not listed in Access-Control-Expose-Headers is invisible to browser clients such as MCP Inspector",
    clauses: always({
      level: "SHOULD",
      cite: "WHATWG Fetch §3.2, §4.8 (CORS protocol)",
    }),
  }),
  valid_token_served: rule({
    id: "valid_token_served",
    summary: "A valid token with the needed scopes is served",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Token Requirements",
        quote:
          "MCP client MUST use the Authorization request header field defined in OAuth 2.1 Section 5.1.1: Authorization: Bearer <access-token>",
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Token Requirements",
        quote:
          "MCP client MUST use the Authorization request header field defined in OAuth 2.1 Section 5.1.1: Authorization: Bearer <access-token>",
      },
      "2026-07-28": {
        level: "MUST",
        cite: "MCP 2026-07-28 authorization §Token Requirements",
        quote:
          "MCP client MUST use the Authorization request header field defined in OAuth 2.1 Section 5.1.1: Authorization: Bearer <access-token>",
      },
    },
  }),
  scalekit_token_forms: rule({
    id: "scalekit_token_forms",
    summary:
      "Every token form Scalekit issues is accepted (both issuer forms, aud holding only the resource id)",
    basis: "practice",
    why:
      "Scalekit issues iss = <env> and is migrating to <env>/resources/<res_id>; its aud is an array that may hold only the resource id",
    clauses: always({ level: "SHOULD", cite: "Scalekit token format" }),
  }),
  client_journey: rule({
    id: "client_journey",
    summary:
      "A client that knows only the URL gets from the 401 to a working token",
    basis: "spec",
    clauses: {
      "2025-06-18": {
        level: "MUST",
        cite: "MCP 2025-06-18 §Overview, §Authorization Flow Steps",
        quote:
          "MCP servers MUST implement OAuth 2.0 Protected Resource Metadata (RFC9728). MCP clients MUST use OAuth 2.0 Protected Resource Metadata for authorization server discovery.",
      },
      "2025-11-25": {
        level: "MUST",
        cite: "MCP 2025-11-25 §Overview, §Authorization Flow Steps",
        quote:
          "MCP servers MUST implement OAuth 2.0 Protected Resource Metadata (RFC9728). MCP clients MUST use OAuth 2.0 Protected Resource Metadata for authorization server discovery.",
      },
      "2026-07-28": {
        level: "MUST",
        cite:
          "MCP 2026-07-28 authorization §Overview, §Authorization Flow Steps",
        quote:
          "MCP servers MUST implement OAuth 2.0 Protected Resource Metadata (RFC9728). MCP clients MUST use OAuth 2.0 Protected Resource Metadata for authorization server discovery.",
      },
    },
  }),
} as const satisfies Record<string, Rule>;

/** A rule's id. */
export type RuleId = keyof typeof RULES;

/** What `rule` says in `revision`. */
export function clauseOf(rule: RuleId, revision: SpecRevision): Clause {
  return RULES[rule].clauses[revision];
}

/** Whether `value` names a revision. */
export function isSpecRevision(value: string): value is SpecRevision {
  return (SPEC_REVISIONS as readonly string[]).includes(value);
}
