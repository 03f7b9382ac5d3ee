/**
 * Authorization server metadata (RFC 8414) in Scalekit's two shapes: one
 * document per resource, which carries the registration endpoint, and an
 * environment-level one (also served as OpenID configuration) which does not.
 *
 * @module
 */

import type { ResourceRegistration } from "./types.ts";
import { OFFLINE_ACCESS } from "./resources.ts";
import {
  SUPPORTED_AUTH_METHODS,
  SUPPORTED_GRANT_TYPES,
} from "./registration.ts";

/** An authorization server metadata document. */
export type AuthorizationServerMetadata = Readonly<Record<string, unknown>>;

function common(issuer: string, environmentUrl: string, scopes: string[]) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${environmentUrl}/keys`,
    response_types_supported: ["code"],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: [...SUPPORTED_AUTH_METHODS],
    client_id_metadata_document_supported: true,
    scopes_supported: scopes,
  };
}

/**
 * The metadata of one resource's authorization server: issuer
 * `<E>/resources/<res>`, endpoints under it, registration under
 * `<E>/api/v1/…`, keys at `<E>/keys`.
 */
export function resourceMetadata(
  environmentUrl: string,
  resource: ResourceRegistration,
): AuthorizationServerMetadata {
  const issuer = `${environmentUrl}/resources/${resource.id}`;
  return {
    ...common(issuer, environmentUrl, withOfflineAccess(resource.scopes)),
    registration_endpoint:
      `${environmentUrl}/api/v1/resources/${resource.id}/clients:register`,
  };
}

/**
 * The environment-level document, served at both
 * `/.well-known/oauth-authorization-server` and
 * `/.well-known/openid-configuration`. No registration endpoint: Scalekit
 * registers clients per resource only.
 */
export function environmentMetadata(
  environmentUrl: string,
  resources: readonly ResourceRegistration[],
): AuthorizationServerMetadata {
  const scopes = resources.flatMap((resource) => resource.scopes);
  return {
    ...common(environmentUrl, environmentUrl, withOfflineAccess(scopes)),
    // Required by OpenID Connect Discovery 1.0 §3 for the openid-configuration form.
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
  };
}

function withOfflineAccess(scopes: readonly string[]): string[] {
  return [...new Set([...scopes, OFFLINE_ACCESS])];
}
