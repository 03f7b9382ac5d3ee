/**
 * Live mode's bad tokens: what an attacker can make for a server that
 * trusts a real issuer, with nothing but public information (the issuer's
 * metadata and public keys) and, when the user gives one, a real token to
 * tamper with. The issuer's private key is never involved: it is not ours.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/auth"
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import {
  base64url,
  decodeJwt,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import type { Discovery } from "./discovery_facts.ts";
import type { BadTokenKind } from "./issuer/types.ts";
import type { Probe } from "./probe.ts";

/** Makes the bad tokens a forger can make. */
export interface Forger {
  /**
   * A token of `kind`, or `undefined` when making it needs the issuer's
   * private key (or a real token that was not given).
   */
  forge(kind: BadTokenKind): Promise<string | undefined>;
}

/** Options for {@link createForger}. */
export interface ForgerOptions {
  /** Records what the forger fetches (metadata, keys). */
  readonly probe: Probe;
  /** The MCP endpoint, the forged tokens' audience. */
  readonly mcpUrl: string;
  /** Where the server's metadata is. */
  readonly discovery: () => Promise<Discovery>;
  /** A real token (`--token-file`): its claims make forgeries realistic. */
  readonly realToken?: string;
  /** Scopes to claim in forged tokens. */
  readonly scopes: readonly string[];
}

/** What the forger learns once: the issuer and a published RSA key. */
interface PublicFacts {
  readonly issuer?: string;
  readonly publishedKey?: JWK & { kid: string };
}

/** Builds a forger; it looks the issuer up on first use. */
export function createForger(options: ForgerOptions): Forger {
  let facts: Promise<PublicFacts> | undefined;
  let foreign: ReturnType<typeof generateKeyPair> | undefined;
  const publicFacts = () => facts ??= learn(options);
  const foreignKey = () => foreign ??= generateKeyPair("RS256");

  async function claims(): Promise<JWTPayload> {
    const now = Math.floor(Date.now() / 1000);
    const base: JWTPayload = options.realToken
      ? decodeJwt(options.realToken)
      : {
        iss: (await publicFacts()).issuer ?? "https://issuer.invalid",
        sub: "usr_forged",
        aud: [options.mcpUrl],
        scope: options.scopes.join(" "),
      };
    return { ...base, iat: now, nbf: now, exp: now + 3600 };
  }

  return {
    async forge(kind) {
      switch (kind) {
        case "alg_none":
          return [
            encode({ alg: "none", typ: "JWT" }),
            encode(await claims()),
            "",
          ].join(".");
        case "hs256_with_public_key": {
          const key = (await publicFacts()).publishedKey;
          if (key === undefined) return undefined;
          // The published key's PEM bytes as an HMAC secret: what a verifier
          // that trusts the token's alg would check against.
          const pem = await exportSPKI(
            await importJWK({ ...key, alg: "RS256" }, "RS256") as CryptoKey,
          );
          return await new SignJWT(await claims())
            .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
            .sign(new TextEncoder().encode(pem));
        }
        case "foreign_key": {
          const kid = (await publicFacts()).publishedKey?.kid;
          if (kid === undefined) return undefined;
          return await new SignJWT(await claims())
            .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
            .sign((await foreignKey()).privateKey);
        }
        case "unknown_kid":
          return await new SignJWT(await claims())
            .setProtectedHeader({
              alg: "RS256",
              kid: `forged_${crypto.randomUUID().slice(0, 8)}`,
              typ: "JWT",
            })
            .sign((await foreignKey()).privateKey);
        case "garbage":
          return `not-a-jwt-${crypto.randomUUID()}`;
        case "tampered_payload": {
          if (options.realToken === undefined) return undefined;
          const [header, , signature] = options.realToken.split(".");
          const real = decodeJwt(options.realToken);
          const edited = {
            ...real,
            scope: options.scopes.join(" "),
            scopes: [...options.scopes],
            // An hour longer: changed even when the scopes were complete,
            // and still within the lifetime servers accept, so only the
            // signature gives the forgery away.
            exp: (real.exp ?? Math.floor(Date.now() / 1000)) + 3600,
          };
          return [header, encode(edited), signature].join(".");
        }
        case "truncated": {
          if (options.realToken === undefined) return undefined;
          const [header, payload, signature = ""] = options.realToken.split(
            ".",
          );
          return [header, payload, signature.slice(0, signature.length / 2)]
            .join(".");
        }
        // Each of these needs a signature by the issuer's private key.
        case "expired":
        case "not_yet_valid":
        case "no_exp":
        case "wrong_issuer":
        case "wrong_audience":
        case "other_resource_audience":
          return undefined;
      }
    },
  };
}

async function learn(options: ForgerOptions): Promise<PublicFacts> {
  const found = (await options.discovery()).found;
  const servers = found?.document.authorization_servers;
  const server = Array.isArray(servers) && typeof servers[0] === "string"
    ? servers[0]
    : undefined;
  if (server === undefined) return {};
  const fetchFn = options.probe.recordingFetch([]);
  const metadata = await discoverAuthorizationServerMetadata(server, {
    fetchFn,
  }).catch(() => undefined);
  const issuer = typeof metadata?.issuer === "string"
    ? metadata.issuer
    : server;
  const jwksUri = (metadata as { jwks_uri?: unknown } | undefined)?.jwks_uri;
  if (typeof jwksUri !== "string") return { issuer };
  try {
    const response = await fetchFn(jwksUri);
    const { keys } = await response.json() as { keys?: unknown };
    const rsa = Array.isArray(keys)
      ? keys.find((key): key is JWK & { kid: string } =>
        typeof key === "object" && key !== null &&
        (key as JWK).kty === "RSA" && typeof (key as JWK).kid === "string"
      )
      : undefined;
    return { issuer, ...(rsa ? { publishedKey: rsa } : {}) };
  } catch {
    return { issuer };
  }
}

function encode(value: unknown): string {
  return base64url.encode(new TextEncoder().encode(JSON.stringify(value)));
}
