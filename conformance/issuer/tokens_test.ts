import assert from "node:assert/strict";
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTVerifyOptions,
} from "jose";
import type { BadTokenKind } from "./types.ts";
import { startMockIssuer } from "./server.ts";
import { BAD_TOKEN_KINDS, OTHER_RESOURCE_ID } from "./tokens.ts";

const RESOURCE = {
  id: "res_todo",
  url: "https://mcp.example.com/mcp",
  scopes: ["todo:read", "todo:write"],
};

/** What a correct Scalekit resource server checks. */
function serverChecks(issuerUrl: string): JWTVerifyOptions {
  return {
    issuer: [issuerUrl, `${issuerUrl}/resources/${RESOURCE.id}`],
    audience: RESOURCE.id,
    algorithms: ["RS256"],
    requiredClaims: ["exp"],
  };
}

Deno.test("mint() signs a token that verifies against the served /keys with Scalekit's claims", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const token = await issuer.mint();
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
    const { payload, protectedHeader } = await jwtVerify(
      token,
      jwks,
      serverChecks(issuer.url),
    );
    assert.deepEqual(protectedHeader, {
      alg: "RS256",
      kid: issuer.currentKid,
      typ: "JWT",
    });
    assert.equal(payload.iss, issuer.url);
    assert.deepEqual(payload.aud, [RESOURCE.url, RESOURCE.id]);
    assert.equal(payload.sub, issuer.user.id);
    assert.equal(payload.oid, issuer.user.organizationId);
    assert.equal(payload.resid, RESOURCE.id);
    assert.equal(payload.client_id, "m2m_conformance");
    assert.equal(payload.scope, "todo:read todo:write");
    assert.deepEqual(payload.scopes, ["todo:read", "todo:write"]);
    assert.match(String(payload.sid), /^ses_\d+$/);
    assert.match(String(payload.jti), /^tkn_\d+$/);
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, payload.iat! + 3600);
    assert.equal(issuer.jwksFetchCount, 1);
  } finally {
    await issuer.close();
  }
});

Deno.test("mint() applies its options", async (t) => {
  const issuer = await startMockIssuer({
    resources: [RESOURCE, { id: "res_bare", scopes: ["a"] }],
    accessTokenTtlSeconds: 120,
  });
  try {
    await t.step("resource issuer form and a string audience", async () => {
      const claims = decodeJwt(
        await issuer.mint({ issuerForm: "resource", audience: "res_todo" }),
      );
      assert.equal(claims.iss, issuer.resourceIssuer("res_todo"));
      assert.equal(claims.aud, "res_todo");
      assert.equal(claims.exp, claims.iat! + 120);
    });
    await t.step("a resource without a URL has aud [id]", async () => {
      const claims = decodeJwt(await issuer.mint({ resourceId: "res_bare" }));
      assert.deepEqual(claims.aud, ["res_bare"]);
      assert.deepEqual(claims.scopes, ["a"]);
    });
    await t.step("scopes, subject, client, organisation and ttl", async () => {
      const claims = decodeJwt(
        await issuer.mint({
          scopes: ["todo:read"],
          subject: "usr_2",
          clientId: "https://client.example/meta.json",
          organizationId: null,
          ttlSeconds: 10,
        }),
      );
      assert.equal(claims.scope, "todo:read");
      assert.deepEqual(claims.scopes, ["todo:read"]);
      assert.equal(claims.sub, "usr_2");
      assert.equal(claims.client_id, "https://client.example/meta.json");
      assert.ok(!("oid" in claims));
      assert.equal(claims.exp, claims.iat! + 10);
    });
    await t.step(
      "extra claims are added and undefined removes one",
      async () => {
        const claims = decodeJwt(
          await issuer.mint({ claims: { roles: ["admin"], sid: undefined } }),
        );
        assert.deepEqual(claims.roles, ["admin"]);
        assert.ok(!("sid" in claims));
      },
    );
    await t.step("setResourceUrl() changes the default audience", async () => {
      issuer.setResourceUrl?.("res_bare", "http://127.0.0.1:9/mcp");
      const claims = decodeJwt(await issuer.mint({ resourceId: "res_bare" }));
      assert.deepEqual(claims.aud, ["http://127.0.0.1:9/mcp", "res_bare"]);
      assert.equal(issuer.resources[1].url, "http://127.0.0.1:9/mcp");
    });
    await t.step("an unknown resource is a programmer error", async () => {
      await assert.rejects(
        () => issuer.mint({ resourceId: "res_nope" }),
        RangeError,
      );
    });
  } finally {
    await issuer.close();
  }
});

/** The error jose raises for each bad token under {@link serverChecks}. */
const REJECTIONS: Record<BadTokenKind, { code: string; claim?: string }> = {
  expired: { code: "ERR_JWT_EXPIRED", claim: "exp" },
  not_yet_valid: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "nbf" },
  no_exp: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "exp" },
  wrong_issuer: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "iss" },
  wrong_audience: { code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" },
  other_resource_audience: {
    code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
    claim: "aud",
  },
  foreign_key: { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
  unknown_kid: { code: "ERR_JWKS_NO_MATCHING_KEY" },
  alg_none: { code: "ERR_JOSE_ALG_NOT_ALLOWED" },
  hs256_with_public_key: { code: "ERR_JOSE_ALG_NOT_ALLOWED" },
  tampered_payload: { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
  truncated: { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
  garbage: { code: "ERR_JWS_INVALID" },
};

Deno.test("mintBad() makes tokens a correct resource server refuses", async (t) => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
    const checks = serverChecks(issuer.url);
    await t.step("control: a good token passes the same checks", async () => {
      await jwtVerify(await issuer.mint(), jwks, checks);
    });
    assert.deepEqual(
      Object.keys(REJECTIONS).sort(),
      [...BAD_TOKEN_KINDS].sort(),
    );
    for (const kind of BAD_TOKEN_KINDS) {
      await t.step(kind, async () => {
        const token = await issuer.mintBad(kind);
        const expected = REJECTIONS[kind];
        await assert.rejects(
          () => jwtVerify(token, jwks, checks),
          (error: unknown) => {
            assert.ok(error instanceof errors.JOSEError, String(error));
            assert.equal(error.code, expected.code, error.message);
            if (expected.claim !== undefined) {
              assert.equal(
                (error as errors.JWTClaimValidationFailed).claim,
                expected.claim,
              );
            }
            return true;
          },
        );
      });
    }
  } finally {
    await issuer.close();
  }
});

Deno.test("mintBad() defects are the named ones and nothing else", async (t) => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/keys`));
    const published = async () =>
      (await (await fetch(`${issuer.url}/keys`)).json()).keys.map(
        (key: { kid: string }) => key.kid,
      );
    const now = Math.floor(Date.now() / 1000);

    await t.step("expired and not_yet_valid are an hour off", async () => {
      const expired = decodeJwt(await issuer.mintBad("expired"));
      assert.ok(expired.exp! <= now - 3500);
      const early = decodeJwt(await issuer.mintBad("not_yet_valid"));
      assert.ok(early.nbf! >= now + 3500);
      assert.ok(!("exp" in decodeJwt(await issuer.mintBad("no_exp"))));
    });
    await t.step("other_resource_audience is otherwise valid", async () => {
      const token = await issuer.mintBad("other_resource_audience");
      const { payload } = await jwtVerify(token, jwks, {
        issuer: issuer.url,
        audience: OTHER_RESOURCE_ID,
        algorithms: ["RS256"],
      });
      assert.deepEqual(payload.aud, [OTHER_RESOURCE_ID]);
      assert.equal(payload.resid, OTHER_RESOURCE_ID);
    });
    await t.step(
      "foreign_key uses a published kid, unknown_kid does not",
      async () => {
        const kids = await published();
        const foreign = decodeProtectedHeader(
          await issuer.mintBad("foreign_key"),
        );
        assert.ok(kids.includes(foreign.kid));
        const unknown = decodeProtectedHeader(
          await issuer.mintBad("unknown_kid"),
        );
        assert.match(String(unknown.kid), /^snk_/);
        assert.ok(!kids.includes(unknown.kid));
      },
    );
    await t.step("alg_none has alg none and an empty signature", async () => {
      const token = await issuer.mintBad("alg_none");
      assert.equal(decodeProtectedHeader(token).alg, "none");
      assert.ok(token.endsWith("."));
    });
    await t.step(
      "hs256_with_public_key is HS256 under the current kid",
      async () => {
        const header = decodeProtectedHeader(
          await issuer.mintBad("hs256_with_public_key"),
        );
        assert.equal(header.alg, "HS256");
        assert.equal(header.kid, issuer.currentKid);
      },
    );
    await t.step(
      "tampered_payload widens the scopes of a signed token",
      async () => {
        const claims = decodeJwt(
          await issuer.mintBad("tampered_payload", { scopes: ["todo:read"] }),
        );
        assert.deepEqual(claims.scopes, ["todo:read", "todo:write"]);
      },
    );
    await t.step("options cannot undo the defect", async () => {
      const claims = decodeJwt(
        await issuer.mintBad("wrong_issuer", { claims: { iss: issuer.url } }),
      );
      assert.notEqual(claims.iss, issuer.url);
    });
  } finally {
    await issuer.close();
  }
});

Deno.test("rotateKey() switches signing keys and can drop the old one", async () => {
  const issuer = await startMockIssuer({ resources: [RESOURCE] });
  try {
    const checks = serverChecks(issuer.url);
    const before = await issuer.mint();
    const oldKid = issuer.currentKid;
    const newKid = await issuer.rotateKey();
    assert.notEqual(newKid, oldKid);
    const after = await issuer.mint();
    assert.equal(decodeProtectedHeader(after).kid, newKid);
    // A fresh key set each time, so every check sees the current /keys.
    const fresh = () => createRemoteJWKSet(new URL(`${issuer.url}/keys`));
    await jwtVerify(before, fresh(), checks);
    await jwtVerify(after, fresh(), checks);

    await issuer.rotateKey({ dropOld: true });
    await assert.rejects(
      () => jwtVerify(before, fresh(), checks),
      errors.JWKSNoMatchingKey,
    );
    await jwtVerify(await issuer.mint(), fresh(), checks);
    assert.equal(issuer.jwksFetchCount, 4);
  } finally {
    await issuer.close();
  }
});
