/**
 * jose's `jwtVerify` with the RSA signature checked by `node:crypto`
 * instead of WebCrypto: the alternative issue 12 asked to measure, kept
 * here (not in src/) with its tests so the comparison can be rerun
 * (`deno run -A bench/verify_cpu.ts`, `deno task bench`).
 *
 * Measured on Deno 2.9.6 (2 shared cores, 2026-11-28): in-process
 * (`bench/verify_cpu.ts`), node:crypto costs 10–22% less CPU per
 * verification; but in the server, under a `tools/call` flood on loopback
 * (`bench:http`, 8 shuffled rounds, the server patched to use this
 * function), it cost 3–4% more CPU per request and served 6–7% fewer
 * requests than jose with WebCrypto, fresh token or repeated (paired
 * medians). No gain where it matters, so the server keeps jose and
 * WebCrypto.
 *
 * Only the common case takes the fast path: a compact JWS whose protected
 * header parses, names an `RS256`/`RS384`/`RS512` algorithm the caller
 * accepts, carries no `crit` or `b64`, and whose key is an RSA
 * (RSASSA-PKCS1-v1_5) verification key of at least 2048 bits, as jose
 * requires. Everything else (other algorithms, odd headers, keys of
 * another type, undecodable signatures, a `typ` or `crit` option) goes to
 * jose's own `jwtVerify` unchanged, so jose gives its own answer and its
 * own error. On the fast path, key lookup is the caller's `getKey` (the
 * cached remote key set, with its backoff and stale-if-error), and the
 * claims (`exp`, `nbf`, `iss`, `aud`, required claims, leeway) are
 * validated by jose's own claim-set validation, through
 * `UnsecuredJWT.decode` on the verified payload: nothing about claims is
 * written here.
 *
 * @module
 */

import { KeyObject, verify } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  base64url,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  UnsecuredJWT,
} from "jose";

/** The RSA algorithms the fast path verifies, and their digests. */
const RSA_DIGESTS: Readonly<Record<string, string>> = {
  RS256: "sha256",
  RS384: "sha384",
  RS512: "sha512",
};

/** jose refuses RSA keys shorter than this (RFC 7518 §3.3). */
const MIN_RSA_BITS = 2048;

/** `{"alg":"none"}`: the header under which jose checks a verified payload's claims. */
const NONE_HEADER = base64url.encode(JSON.stringify({ alg: "none" }));

/** Each CryptoKey of the key set, as a node:crypto KeyObject (made once). */
const keyObjects = new WeakMap<CryptoKey, KeyObject | null>();

/**
 * Verifies `jwt` as jose's `jwtVerify(jwt, getKey, options)` does, with
 * the same results and errors, checking RSA signatures with
 * `node:crypto` (see the module doc).
 *
 * @example
 * ```ts
 * const { payload } = await nodeJwtVerify(token, getKey, {
 *   algorithms: ["RS256"],
 *   issuer: "https://acme.scalekit.com",
 *   audience: "res_123",
 * });
 * ```
 */
export async function nodeJwtVerify(
  jwt: string,
  getKey: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTVerifyResult<JWTPayload>> {
  const parsed = fastPathOf(jwt, options);
  if (parsed === undefined) return await jwtVerify(jwt, getKey, options);
  const { header, encodedHeader, encodedPayload, encodedSignature, digest } =
    parsed;
  // jose calls the key lookup the same way; its errors (no matching key,
  // key set unavailable) are the answer either way.
  const key = await getKey(header, {
    protected: encodedHeader,
    payload: encodedPayload,
    signature: encodedSignature,
  });
  const keyObject = key instanceof CryptoKey
    ? keyObjectOf(key, header.alg)
    : undefined;
  let signature: Uint8Array;
  try {
    signature = base64url.decode(encodedSignature);
  } catch {
    signature = new Uint8Array(0);
  }
  if (keyObject === undefined || signature.length === 0) {
    // A key jose must judge, or a signature it must refuse in its words.
    return await jwtVerify(jwt, () => key, options);
  }
  const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`, "latin1");
  if (!verify(digest, signed, keyObject, signature)) {
    throw new errors.JWSSignatureVerificationFailed();
  }
  // The signature holds: jose validates the claims, as `jwtVerify` would.
  const { payload } = UnsecuredJWT.decode(
    `${NONE_HEADER}.${encodedPayload}.`,
    options,
  );
  return { payload, protectedHeader: header, key } as JWTVerifyResult<
    JWTPayload
  >;
}

interface FastPath {
  readonly header: { readonly alg: string; readonly [name: string]: unknown };
  readonly encodedHeader: string;
  readonly encodedPayload: string;
  readonly encodedSignature: string;
  readonly digest: string;
}

function fastPathOf(
  jwt: unknown,
  options: JWTVerifyOptions,
): FastPath | undefined {
  if (typeof jwt !== "string") return undefined;
  if (options.typ !== undefined || options.crit !== undefined) return undefined;
  const parts = jwt.split(".");
  if (parts.length !== 3) return undefined;
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder().decode(base64url.decode(encodedHeader)),
    );
  } catch {
    return undefined;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    return undefined;
  }
  const { alg } = header as { alg?: unknown };
  if (typeof alg !== "string" || !Object.hasOwn(RSA_DIGESTS, alg)) {
    return undefined;
  }
  if ("crit" in header || "b64" in header) return undefined;
  if (!options.algorithms?.includes(alg)) return undefined;
  return {
    header: header as FastPath["header"],
    encodedHeader,
    encodedPayload,
    encodedSignature,
    digest: RSA_DIGESTS[alg],
  };
}

/**
 * The KeyObject for an RSASSA-PKCS1-v1_5 verification key of the token's
 * hash and at least 2048 bits; `undefined` for any other key (jose judges
 * those).
 */
function keyObjectOf(key: CryptoKey, alg: string): KeyObject | undefined {
  const algorithm = key.algorithm as RsaHashedKeyAlgorithm;
  if (
    key.type !== "public" ||
    algorithm.name !== "RSASSA-PKCS1-v1_5" ||
    algorithm.hash?.name !== `SHA-${alg.slice(2)}` ||
    !key.usages.includes("verify") ||
    !(algorithm.modulusLength >= MIN_RSA_BITS)
  ) {
    return undefined;
  }
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    try {
      keyObject = KeyObject.from(key);
    } catch {
      keyObject = null;
    }
    keyObjects.set(key, keyObject);
  }
  return keyObject ?? undefined;
}
