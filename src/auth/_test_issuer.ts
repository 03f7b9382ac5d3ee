/**
 * Test material for `src/auth/`: a loopback issuer whose `/keys` endpoint
 * can be switched into each way a real issuer fails, and which counts every
 * fetch, plus a signer that writes the payload text verbatim (so a test can
 * send `"exp":1e400`, which `JSON.stringify` cannot produce).
 *
 * @module
 */

import { CompactSign, exportJWK, generateKeyPair, type JWK } from "jose";

/** What `/keys` answers. */
export type KeysMode =
  /** 200 with the JWKS. */
  | "ok"
  /** 500 with a JSON error body. */
  | "status_500"
  /** 200 with an HTML page (a captive portal or a misrouted proxy). */
  | "html"
  /** 200 `application/json` that is not JSON. */
  | "bad_json"
  /** 302 to another URL (jose does not follow redirects). */
  | "redirect"
  /** 200 with a JWKS whose only key is malformed (`n` is not base64url). */
  | "malformed_key";

/** A running loopback issuer. */
export interface TestIssuer {
  /** `http://127.0.0.1:<port>`, also the `iss` of its tokens. */
  readonly url: string;
  /** `<url>/keys`. */
  readonly jwksUri: string;
  /** The `kid` of its signing key. */
  readonly kid: string;
  /** How many times `/keys` was requested. */
  readonly fetches: number;
  /** Switches what `/keys` answers from now on. */
  setMode(mode: KeysMode): void;
  /**
   * Signs `payload` (an object, or raw JSON text used byte for byte) with
   * the issuer's key; `header` overrides the protected header.
   */
  sign(
    payload: Record<string, unknown> | string,
    header?: Record<string, unknown>,
  ): Promise<string>;
  /** Claims of a token this issuer would accept for `audience`, valid for an hour. */
  claims(audience: string): Record<string, unknown>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a {@link TestIssuer} on a free loopback port. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const kid = `snk_test_${crypto.randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    extractable: true,
  });
  const jwk: JWK = {
    ...(await exportJWK(publicKey)),
    kid,
    alg: "RS256",
    use: "sig",
  };
  let mode: KeysMode = "ok";
  let fetches = 0;
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen() {},
  }, (request): Response => {
    if (new URL(request.url).pathname !== "/keys") {
      return new Response("not found", { status: 404 });
    }
    fetches++;
    switch (mode) {
      case "ok":
        return Response.json({ keys: [jwk] });
      case "status_500":
        return Response.json({ error: "internal" }, { status: 500 });
      case "html":
        return new Response("<html><body>Sign in to the Wi-Fi</body></html>", {
          headers: { "content-type": "text/html" },
        });
      case "bad_json":
        return new Response('{"keys": [', {
          headers: { "content-type": "application/json" },
        });
      case "redirect":
        return new Response(null, {
          status: 302,
          headers: { location: "/elsewhere" },
        });
      case "malformed_key":
        return Response.json({ keys: [{ ...jwk, n: "!!not base64url!!" }] });
    }
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    url,
    jwksUri: `${url}/keys`,
    kid,
    get fetches() {
      return fetches;
    },
    setMode(next) {
      mode = next;
    },
    async sign(payload, header = {}) {
      const text = typeof payload === "string"
        ? payload
        : JSON.stringify(payload);
      return await new CompactSign(new TextEncoder().encode(text))
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, ...header })
        .sign(privateKey);
    },
    claims(audience) {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: url,
        aud: [audience],
        sub: "usr_test",
        client_id: "m2m_test",
        oid: "org_test",
        scope: "todo:read",
        iat: now,
        nbf: now,
        exp: now + 3600,
      };
    },
    async close() {
      controller.abort();
      await server.finished;
    },
  };
}
