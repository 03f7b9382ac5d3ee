import assert from "node:assert/strict";
import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  SignJWT,
} from "jose";
import { BAD_TOKEN_KINDS, startMockIssuer } from "../conformance/issuer/mod.ts";
import { createRemoteKeySet } from "../src/auth/jwks.ts";
import { nodeJwtVerify } from "./node_jwt_verify.ts";

function b64(data: string | Uint8Array): string {
  return base64url.encode(data);
}

/** What a verification came to, comparable across the two implementations. */
async function outcome(promise: Promise<{ payload: unknown }>) {
  try {
    const { payload } = await promise;
    return { ok: payload };
  } catch (error) {
    const e = error as {
      name: string;
      code?: string;
      claim?: string;
      reason?: string;
    };
    return { error: e.name, code: e.code, claim: e.claim, reason: e.reason };
  }
}

async function agree(
  token: string,
  getKey: JWTVerifyGetKey,
  options: JWTVerifyOptions,
  label: string,
) {
  const expected = await outcome(jwtVerify(token, getKey, options));
  const got = await outcome(nodeJwtVerify(token, getKey, options));
  assert.deepEqual(got, expected, label);
  return got;
}

/** Counts calls to WebCrypto's verify while `fn` runs. */
async function countSubtleVerify(fn: () => Promise<unknown>): Promise<number> {
  const original = SubtleCrypto.prototype.verify;
  let calls = 0;
  SubtleCrypto.prototype.verify = function (...args) {
    calls++;
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    SubtleCrypto.prototype.verify = original;
  }
  return calls;
}

Deno.test("nodeJwtVerify() agrees with jose's jwtVerify on every token of the mock issuer, good and bad", async () => {
  const issuer = await startMockIssuer({
    resources: [{ id: "res_node", scopes: ["todo:read"] }],
  });
  try {
    const getKey = createRemoteKeySet({ url: `${issuer.url}/keys` });
    const options = {
      issuer: [issuer.url],
      audience: ["res_node"],
      algorithms: ["RS256"],
      clockTolerance: 30,
      requiredClaims: ["exp", "sub"],
    };
    const good = await agree(await issuer.mint(), getKey, options, "good");
    assert.ok("ok" in good);
    for (const kind of BAD_TOKEN_KINDS) {
      const bad = await agree(
        await issuer.mintBad(kind),
        getKey,
        options,
        kind,
      );
      assert.ok("error" in bad, kind);
    }
  } finally {
    await issuer.close();
  }
});

Deno.test("nodeJwtVerify() checks an RS256 signature with node:crypto, not WebCrypto", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const getKey = createLocalJWKSet({
    keys: [{ ...await exportJWK(publicKey), kid: "k1", alg: "RS256" }],
  });
  const token = await new SignJWT({ sub: "usr_1" })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setExpirationTime("1h")
    .sign(privateKey);
  const options = { algorithms: ["RS256"] };
  assert.equal(
    await countSubtleVerify(() => jwtVerify(token, getKey, options)),
    1,
  );
  assert.equal(
    await countSubtleVerify(async () => {
      const { payload, protectedHeader } = await nodeJwtVerify(
        token,
        getKey,
        options,
      );
      assert.equal(payload.sub, "usr_1");
      assert.equal(protectedHeader.kid, "k1");
    }),
    0,
  );
});

Deno.test("nodeJwtVerify() agrees with jose off the fast path and on each claim check", async (t) => {
  const rs = await generateKeyPair("RS256");
  const rs512 = await generateKeyPair("RS512");
  const ps = await generateKeyPair("PS256");
  const es = await generateKeyPair("ES256");
  const jwks = {
    keys: [
      { ...await exportJWK(rs.publicKey), kid: "rs", alg: "RS256" },
      { ...await exportJWK(rs512.publicKey), kid: "rs512", alg: "RS512" },
      { ...await exportJWK(ps.publicKey), kid: "ps", alg: "PS256" },
      { ...await exportJWK(es.publicKey), kid: "es", alg: "ES256" },
    ],
  };
  // jose refuses RSA keys under 2048 bits; WebCrypto makes them.
  const small = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  jwks.keys.push(
    {
      ...await crypto.subtle.exportKey("jwk", small.publicKey),
      kid: "small",
      alg: "RS256",
    } as (typeof jwks.keys)[number],
  );
  const getKey = createLocalJWKSet(jwks);
  const now = Math.floor(Date.now() / 1000);
  const sign = (
    key: CryptoKey,
    header: Record<string, unknown>,
    claims: Record<string, unknown> = {},
  ) =>
    new SignJWT({ sub: "usr_1", iss: "https://iss", aud: "res", ...claims })
      .setProtectedHeader(header as { alg: string })
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
  /** Signs header and payload segments as given (jose will not sign an unknown `crit`). */
  const rawSign = async (
    header: Record<string, unknown>,
    payload: string,
    key = rs.privateKey,
  ) => {
    const encoded = `${b64(JSON.stringify(header))}.${payload}`;
    const signature = await crypto.subtle.sign(
      "RSASSA-PKCS1-v1_5",
      key,
      new TextEncoder().encode(encoded),
    );
    return `${encoded}.${b64(new Uint8Array(signature))}`;
  };
  const good = await sign(rs.privateKey, { alg: "RS256", kid: "rs" });
  const [h, p, s] = good.split(".");
  const flipped = s.slice(0, -2) + (s.at(-2) === "A" ? "B" : "A") + s.at(-1);
  const base = {
    algorithms: ["RS256"],
    issuer: "https://iss",
    audience: "res",
    clockTolerance: 30,
  };
  const cases: [string, string | Promise<string>, JWTVerifyOptions][] = [
    ["good RS256", good, base],
    [
      "RS512 not accepted",
      sign(rs512.privateKey, { alg: "RS512", kid: "rs512" }),
      base,
    ],
    ["RS512 accepted", sign(rs512.privateKey, { alg: "RS512", kid: "rs512" }), {
      ...base,
      algorithms: ["RS256", "RS512"],
    }],
    ["PS256", sign(ps.privateKey, { alg: "PS256", kid: "ps" }), {
      ...base,
      algorithms: ["PS256"],
    }],
    ["ES256", sign(es.privateKey, { alg: "ES256", kid: "es" }), {
      ...base,
      algorithms: ["ES256", "RS256"],
    }],
    [
      "RS256 header, RS512 key",
      rawSign({ alg: "RS256", kid: "rs512" }, p, rs512.privateKey),
      base,
    ],
    [
      "1024-bit key",
      rawSign({ alg: "RS256", kid: "small" }, p, small.privateKey),
      base,
    ],
    [
      "unknown crit",
      rawSign({ alg: "RS256", kid: "rs", crit: ["x"], x: 1 }, p),
      base,
    ],
    [
      "b64 false",
      rawSign({ alg: "RS256", kid: "rs", crit: ["b64"], b64: false }, p),
      base,
    ],
    [
      "b64 without crit",
      rawSign({ alg: "RS256", kid: "rs", b64: false }, p),
      base,
    ],
    ["header an array", rawSign(["RS256"] as never, p), base],
    ["flipped signature", `${h}.${p}.${flipped}`, base],
    ["signature not base64url", `${h}.${p}.!!${s}`, base],
    ["empty signature", `${h}.${p}.`, base],
    ["four parts", `${good}.x`, base],
    ["header not JSON", `eyJub3Q.${p}.${s}`, base],
    ["another payload", `${h}.${b64('{"sub":"usr_2"}')}.${s}`, base],
    [
      "payload not JSON, signed",
      rawSign({ alg: "RS256", kid: "rs" }, b64("not json")),
      base,
    ],
    [
      "payload an array, signed",
      rawSign({ alg: "RS256", kid: "rs" }, b64("[1]")),
      base,
    ],
    [
      "expired",
      sign(rs.privateKey, { alg: "RS256", kid: "rs" }, { exp: now - 31 }),
      base,
    ],
    [
      "expired within leeway",
      sign(rs.privateKey, { alg: "RS256", kid: "rs" }, { exp: now - 29 }),
      base,
    ],
    [
      "not yet valid",
      sign(rs.privateKey, { alg: "RS256", kid: "rs" }, { nbf: now + 31 }),
      base,
    ],
    [
      "wrong issuer",
      sign(rs.privateKey, { alg: "RS256", kid: "rs" }, {
        iss: "https://other",
      }),
      base,
    ],
    [
      "wrong audience",
      sign(rs.privateKey, { alg: "RS256", kid: "rs" }, { aud: "other" }),
      base,
    ],
    ["required claim missing", good, { ...base, requiredClaims: ["jti"] }],
    ["typ option", good, { ...base, typ: "at+jwt" }],
    ["unknown kid", sign(rs.privateKey, { alg: "RS256", kid: "nope" }), base],
  ];
  for (const [label, token, options] of cases) {
    await t.step(label, async () => {
      await agree(await token, getKey, options, label);
    });
  }
  await t.step("a lookup that returns a key of another hash", async () => {
    const token = await rawSign({ alg: "RS256" }, p, rs512.privateKey);
    const got = await agree(token, () => rs512.publicKey, base, "hash");
    assert.equal(got.error, "TypeError");
  });
});
