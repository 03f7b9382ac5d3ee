/**
 * Access tokens shaped like Scalekit's, and every bad token a resource
 * server must refuse.
 *
 * @module
 */

import { base64url, exportSPKI, type JWTPayload, SignJWT } from "jose";
import type { BadTokenKind, MintOptions, TestUser } from "./types.ts";
import { opaqueSecret, scalekitId } from "./_ids.ts";
import {
  generateSigningKey,
  type KeyRing,
  type SigningKey,
  signJwt,
} from "./keys.ts";
import type { ResourceDirectory } from "./resources.ts";

/** The `client_id` of minted tokens when none is given. */
export const DEFAULT_MINT_CLIENT_ID = "m2m_conformance";

/** Every {@link BadTokenKind}, in a stable order (for tables of tests). */
export const BAD_TOKEN_KINDS: readonly BadTokenKind[] = Object.freeze([
  "expired",
  "not_yet_valid",
  "no_exp",
  "wrong_issuer",
  "wrong_audience",
  "other_resource_audience",
  "foreign_key",
  "unknown_kid",
  "alg_none",
  "hs256_with_public_key",
  "tampered_payload",
  "truncated",
  "garbage",
]);

/** The `iss` of a token that names another environment. */
export const WRONG_ISSUER = "https://wrong-issuer.example";
/** The `aud` of a token meant for something unrelated. */
export const UNRELATED_AUDIENCE: readonly string[] = Object.freeze([
  "https://unrelated.example/mcp",
  "res_unrelated",
]);
/** Resource id used by `other_resource_audience` when the environment has only one. */
export const OTHER_RESOURCE_ID = "res_other";

/** What minting reads from the running issuer. */
export interface TokenContext {
  /** Environment URL, no trailing slash. */
  readonly environmentUrl: string;
  /** The environment's resources. */
  readonly resources: ResourceDirectory;
  /** The default subject and organisation. */
  readonly user: TestUser;
  /** Default lifetime, seconds. */
  readonly accessTokenTtlSeconds: number;
  /** Clock, milliseconds. */
  readonly now: () => number;
  /** Signing keys. */
  readonly keys: KeyRing;
}

/** `iss` for a resource in the given form. */
export function issuerFor(
  environmentUrl: string,
  form: "environment" | "resource",
  resourceId: string,
): string {
  return form === "resource"
    ? `${environmentUrl}/resources/${resourceId}`
    : environmentUrl;
}

/** Signs valid tokens and makes bad ones. */
export class TokenMinter {
  #context: TokenContext;
  #foreignKey: Promise<SigningKey> | undefined;

  /** A minter for one issuer. */
  constructor(context: TokenContext) {
    this.#context = context;
  }

  /**
   * The claims of a valid token, as Scalekit writes them: `iss`, `aud`
   * (array), `sub`, `oid`, `resid`, `client_id`, `scope` and `scopes`, `sid`,
   * `jti`, `iat`, `nbf`, `exp`; then `options.claims` on top.
   */
  claims(options: MintOptions = {}): JWTPayload {
    const context = this.#context;
    const resource = context.resources.require(
      options.resourceId ?? context.resources.first.id,
    );
    const scopes = [...(options.scopes ?? resource.scopes)];
    const issuedAt = Math.floor(context.now() / 1000);
    const claims: JWTPayload = {
      iss: issuerFor(
        context.environmentUrl,
        options.issuerForm ?? "environment",
        resource.id,
      ),
      sub: options.subject ?? context.user.id,
      aud: options.audience === undefined
        ? context.resources.audience(resource.id)
        : typeof options.audience === "string"
        ? options.audience
        : [...options.audience],
      resid: resource.id,
      client_id: options.clientId ?? DEFAULT_MINT_CLIENT_ID,
      scope: scopes.join(" "),
      scopes,
      sid: scalekitId("ses"),
      jti: scalekitId("tkn"),
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + (options.ttlSeconds ?? context.accessTokenTtlSeconds),
    };
    const organizationId = options.organizationId === undefined
      ? context.user.organizationId
      : options.organizationId;
    if (organizationId !== null) claims.oid = organizationId;
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    return claims;
  }

  /** A valid token signed with the current key, or the published key `options.kid`. */
  async mint(options: MintOptions = {}): Promise<string> {
    // Async so that bad options reject rather than throw.
    const keys = this.#context.keys;
    const key = options.kid === undefined
      ? keys.current
      : keys.get(options.kid);
    if (key === undefined) {
      throw new TypeError(`No published key has kid "${options.kid}"`);
    }
    return await signJwt(this.claims(options), key);
  }

  /**
   * One of the {@link BadTokenKind}s. The otherwise-valid claims come from
   * `options`; the defect is applied last, so options cannot undo it.
   */
  async mintBad(
    kind: BadTokenKind,
    options: MintOptions = {},
  ): Promise<string> {
    const context = this.#context;
    const claims = this.claims(options);
    const now = Math.floor(context.now() / 1000);
    const hour = 3600;
    switch (kind) {
      case "expired":
        // An hour: far beyond any clock leeway a server may allow.
        return this.#sign({
          ...claims,
          iat: now - 2 * hour,
          nbf: now - 2 * hour,
          exp: now - hour,
        });
      case "not_yet_valid":
        return this.#sign({
          ...claims,
          iat: now,
          nbf: now + hour,
          exp: now + 2 * hour,
        });
      case "no_exp": {
        const { exp: _exp, ...rest } = claims;
        return this.#sign(rest);
      }
      case "wrong_issuer":
        return this.#sign({ ...claims, iss: WRONG_ISSUER });
      case "wrong_audience":
        return this.#sign({
          ...claims,
          aud: [...UNRELATED_AUDIENCE],
          resid: UNRELATED_AUDIENCE[1],
        });
      case "other_resource_audience":
        return this.#sign(this.#forOtherResource(claims, options));
      case "foreign_key": {
        // A key nobody published, under the current key's kid: the
        // signature cannot verify against the published key.
        const foreign = await this.#foreign();
        return signJwt(claims, {
          kid: context.keys.current.kid,
          privateKey: foreign.privateKey,
        });
      }
      case "unknown_kid":
        return signJwt(claims, await this.#foreign());
      case "alg_none":
        return [
          encodeJson({ alg: "none", typ: "JWT" }),
          encodeJson(claims),
          "",
        ].join(".");
      case "hs256_with_public_key": {
        // Algorithm confusion: HMAC keyed with the published public key's
        // PEM bytes, which a naive verifier would use as the HS256 secret.
        const pem = await exportSPKI(context.keys.current.publicKey);
        return new SignJWT(claims)
          .setProtectedHeader({
            alg: "HS256",
            kid: context.keys.current.kid,
            typ: "JWT",
          })
          .sign(new TextEncoder().encode(pem));
      }
      case "tampered_payload": {
        const token = await this.#sign(claims);
        const [header, , signature] = token.split(".");
        const resource = context.resources.require(String(claims.resid));
        const widened = [
          ...new Set([...scopesOf(claims), ...resource.scopes]),
        ];
        const edited = {
          ...claims,
          scope: widened.join(" "),
          scopes: widened,
          // Also an hour longer, so the payload differs even when the scopes
          // were already complete; no more, so a server that skipped the
          // signature would still find every other claim acceptable
          // (servers cap token lifetimes).
          exp: (typeof claims.exp === "number" ? claims.exp : now) + hour,
        };
        return [header, encodeJson(edited), signature].join(".");
      }
      case "truncated": {
        const token = await this.#sign(claims);
        const [header, payload, signature] = token.split(".");
        return [
          header,
          payload,
          signature.slice(0, Math.floor(signature.length / 2)),
        ].join(".");
      }
      case "garbage":
        // Legal as an RFC 6750 b64token, but not a JWT.
        return `not-a-jwt-${opaqueSecret(16)}`;
      default: {
        const unknown: never = kind;
        throw new TypeError(`Unknown bad token kind "${unknown}"`);
      }
    }
  }

  #sign(claims: JWTPayload): Promise<string> {
    return signJwt(claims, this.#context.keys.current);
  }

  #foreign(): Promise<SigningKey> {
    this.#foreignKey ??= generateSigningKey();
    return this.#foreignKey;
  }

  /** The claims a genuine token for a different resource of this environment would carry. */
  #forOtherResource(claims: JWTPayload, options: MintOptions): JWTPayload {
    const context = this.#context;
    const other = context.resources.list.find((resource) =>
      resource.id !== claims.resid
    );
    const otherId = other?.id ?? OTHER_RESOURCE_ID;
    return {
      ...claims,
      aud: other === undefined
        ? [otherId]
        : context.resources.audience(otherId),
      resid: otherId,
      iss: issuerFor(
        context.environmentUrl,
        options.issuerForm ?? "environment",
        otherId,
      ),
    };
  }
}

function scopesOf(claims: JWTPayload): string[] {
  if (Array.isArray(claims.scopes)) {
    return claims.scopes.filter((s): s is string => typeof s === "string");
  }
  return typeof claims.scope === "string"
    ? claims.scope.split(" ").filter((s) => s !== "")
    : [];
}

function encodeJson(value: unknown): string {
  return base64url.encode(new TextEncoder().encode(JSON.stringify(value)));
}
