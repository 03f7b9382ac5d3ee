/**
 * Signing keys: RS256 key pairs with Scalekit-style `snk_…` ids, the JWKS
 * served at `/keys`, rotation, and snapshots for the state file.
 *
 * @module
 */

import {
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { scalekitId } from "./_ids.ts";

/** A public key as `/keys` serves it. */
export interface PublicJwk {
  /** Always `sig`. */
  readonly use: "sig";
  /** Always `RSA`. */
  readonly kty: "RSA";
  /** Key id, `snk_…`. */
  readonly kid: string;
  /** Always `RS256`. */
  readonly alg: "RS256";
  /** Modulus, base64url. */
  readonly n: string;
  /** Exponent, base64url (`AQAB`). */
  readonly e: string;
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface Jwks {
  /** Published keys, newest first. */
  readonly keys: readonly PublicJwk[];
}

/** One RSA signing key. */
export interface SigningKey {
  /** Key id, `snk_…`. */
  readonly kid: string;
  /** Private key, for signing. */
  readonly privateKey: CryptoKey;
  /** Public key (for the algorithm-confusion token). */
  readonly publicKey: CryptoKey;
  /** Public JWK as published. */
  readonly publicJwk: PublicJwk;
  /** Private JWK, for the state file. */
  readonly privateJwk: JWK;
}

/** How a key ring is written to the state file. */
export interface KeyRingSnapshot {
  /** Published keys, oldest first. */
  readonly keys: readonly { readonly kid: string; readonly jwk: JWK }[];
  /** The `kid` that signs; absent in older files, meaning the last key. */
  readonly current?: string;
}

/** Makes a new extractable RS256 key pair (2048-bit RSA). */
export async function generateSigningKey(
  kid: string = scalekitId("snk"),
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
  });
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: publicJwkOf(kid, privateJwk),
    privateJwk,
  };
}

/** Imports a key written by {@link KeyRing.snapshot}. */
export async function importSigningKey(
  kid: string,
  jwk: JWK,
): Promise<SigningKey> {
  if (jwk.kty !== "RSA" || typeof jwk.d !== "string") {
    throw new TypeError(`Key "${kid}" is not a private RSA JWK`);
  }
  const privateKey = await importJWK(jwk, "RS256", { extractable: true });
  const publicKey = await importJWK(
    { kty: "RSA", n: jwk.n, e: jwk.e },
    "RS256",
    { extractable: true },
  );
  if (!(privateKey instanceof CryptoKey) || !(publicKey instanceof CryptoKey)) {
    throw new TypeError(`Key "${kid}" did not import as a CryptoKey`);
  }
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: publicJwkOf(kid, jwk),
    privateJwk: jwk,
  };
}

function publicJwkOf(kid: string, jwk: JWK): PublicJwk {
  if (typeof jwk.n !== "string" || typeof jwk.e !== "string") {
    throw new TypeError(`Key "${kid}" has no RSA modulus or exponent`);
  }
  // Field order as Scalekit serves them.
  return Object.freeze({
    use: "sig",
    kty: "RSA",
    kid,
    alg: "RS256",
    n: jwk.n,
    e: jwk.e,
  });
}

/**
 * Signs claims as Scalekit does: header `{alg: "RS256", kid, typ: "JWT"}`.
 * The payload is used as given (no `iat` is added).
 */
export function signJwt(
  payload: JWTPayload,
  key: Pick<SigningKey, "kid" | "privateKey">,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .sign(key.privateKey);
}

/**
 * The published keys and which one signs. A key can be published before it
 * signs anything ({@link KeyRing.publish}), as a careful issuer rotates.
 */
export class KeyRing {
  #keys: SigningKey[];
  #current: SigningKey;

  private constructor(keys: SigningKey[], current?: string) {
    this.#keys = keys;
    this.#current = keys.find((key) => key.kid === current) ??
      keys[keys.length - 1];
  }

  /** A ring with one fresh key. */
  static async generate(): Promise<KeyRing> {
    return new KeyRing([await generateSigningKey()]);
  }

  /** A ring restored from a {@link KeyRingSnapshot}. */
  static async restore(snapshot: KeyRingSnapshot): Promise<KeyRing> {
    if (!Array.isArray(snapshot.keys) || snapshot.keys.length === 0) {
      throw new TypeError("Key snapshot has no keys");
    }
    const keys = await Promise.all(
      snapshot.keys.map(({ kid, jwk }) => importSigningKey(kid, jwk)),
    );
    return new KeyRing(keys, snapshot.current);
  }

  /** The key that signs new tokens. */
  get current(): SigningKey {
    return this.#current;
  }

  /** The published key with this `kid`, if any. */
  get(kid: string): SigningKey | undefined {
    return this.#keys.find((key) => key.kid === kid);
  }

  /** Whether `kid` is published. */
  has(kid: string): boolean {
    return this.#keys.some((key) => key.kid === kid);
  }

  /** The JWKS document, newest key first. */
  jwks(): Jwks {
    return { keys: this.#keys.map((key) => key.publicJwk).reverse() };
  }

  /**
   * Adds a new current key and returns its `kid`. With `dropOld`, every
   * older key leaves the JWKS (tokens they signed stop verifying).
   */
  async rotate(dropOld = false): Promise<string> {
    const key = await generateSigningKey();
    this.#keys = dropOld ? [key] : [...this.#keys, key];
    this.#current = key;
    return key.kid;
  }

  /** Adds a key to the JWKS without signing with it yet; returns its `kid`. */
  async publish(): Promise<string> {
    const key = await generateSigningKey();
    this.#keys = [...this.#keys, key];
    return key.kid;
  }

  /** The ring as plain JSON for the state file (contains private keys). */
  snapshot(): KeyRingSnapshot {
    return {
      keys: this.#keys.map((key) => ({ kid: key.kid, jwk: key.privateJwk })),
      current: this.#current.kid,
    };
  }
}
