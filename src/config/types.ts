/**
 * The parsed, frozen configuration of the server. Only `src/config/` reads
 * the environment; everything else receives a {@link Config}.
 *
 * @module
 */

import type { SettingValues } from "./settings.ts";
import type { SERVER_SETTINGS } from "./table.ts";

/** Which token verifier protects the MCP endpoint. */
export type ProviderKind = "scalekit" | "jwt" | "none";

/** Log verbosity (`LOG_LEVEL`). */
export type LogLevel = ServerSettings["logLevel"];

/** How a tool call without its scopes is answered (`MCP_SCOPE_DENIAL`). */
export type ScopeDenialMode = ServerSettings["scopeDenial"];

/** How a POST is answered: one JSON body or an SSE stream (`MCP_RESPONSE_MODE`). */
export type ResponseMode = ServerSettings["responseMode"];

/** Token verification settings shared by the Scalekit and JWT providers. */
export interface TokenAuthConfig {
  /** `scalekit` or `jwt`. */
  readonly kind: "scalekit" | "jwt";
  /** Where the signing keys are published (Scalekit: `<environment_url>/keys`). */
  readonly jwksUri: string;
  /** Accepted `iss` values; a token must match one exactly. */
  readonly issuers: readonly string[];
  /** Accepted audiences; the token's `aud` must contain at least one. */
  readonly audiences: readonly string[];
  /** Accepted JWS algorithms (Scalekit: RS256 only). Never contains `none`. */
  readonly algorithms: readonly string[];
  /** Scopes every request must carry, whatever the tool. */
  readonly requiredScopes: readonly string[];
  /** What the protected resource metadata advertises as `authorization_servers`. */
  readonly authorizationServers: readonly string[];
  /**
   * Where the authorization server's own metadata lives, for the optional
   * `/.well-known/oauth-authorization-server` forwarder; `undefined` when the
   * provider has no single such document.
   */
  readonly authorizationServerMetadataUrl?: string;
}

/** No authentication at all (loopback only). */
export interface NoAuthConfig {
  /** `none`. */
  readonly kind: "none";
  /** Always empty: nothing is required without authentication. */
  readonly requiredScopes: readonly string[];
}

/** The selected provider's settings. */
export type AuthConfig = TokenAuthConfig | NoAuthConfig;

/** The fields `load.ts` derives from several settings. */
export interface DerivedConfig {
  /** The selected provider and its settings. */
  readonly auth: AuthConfig;
  /** The exact public MCP endpoint URL: base URL + MCP path. The RFC 9728 `resource`. */
  readonly mcpUrl: string;
  /** The path-suffixed protected resource metadata URL (RFC 9728 §3.1), as sent in challenges. */
  readonly resourceMetadataUrl: string;
  /** Browser origins allowed to call the MCP endpoint, as exact origins. */
  readonly allowedOrigins: readonly string[];
}

/**
 * The settings used as parsed, one field per entry of `SERVER_SETTINGS`
 * (see `table.ts` for each one's variable, default and meaning).
 */
export type ServerSettings = SettingValues<typeof SERVER_SETTINGS>;

/** Everything the server needs, parsed once and frozen. */
export type Config = DerivedConfig & ServerSettings;

/** A warning found while reading the configuration, logged once at start. */
export interface ConfigWarning {
  /** Stable identifier, for tests and log filters. */
  readonly code:
    | "deprecated_variable"
    | "ignored_variable"
    | "insecure_base_url"
    | "mcp_path_in_base_url"
    | "no_authentication";
  /** The variable the warning is about. */
  readonly variable: string;
  /** A sentence for the operator. */
  readonly message: string;
}
