import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { startMockIssuer } from "./server.ts";
import {
  clientFromDocument,
  createClientMetadataLoader,
} from "./client_metadata_document.ts";
import { OAuthError } from "./_errors.ts";
import {
  authorizeUrl,
  fetchJson,
  followAuthorize,
  formRequest,
  pkcePair,
} from "./_test_helpers.ts";

const REDIRECT = "http://127.0.0.1:4000/callback";

/** Serves `documents` (path → body or status) on 127.0.0.1 for the test's duration. */
async function withDocumentServer(
  documents: (origin: string) => Record<string, unknown>,
  run: (origin: string) => Promise<void>,
) {
  const controller = new AbortController();
  let origin = "";
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      signal: controller.signal,
      onListen() {},
    },
    (request) => {
      const body = documents(origin)[new URL(request.url).pathname];
      if (body === undefined) return new Response("missing", { status: 404 });
      if (typeof body === "number") return new Response(null, { status: body });
      return Response.json(body);
    },
  );
  origin = `http://127.0.0.1:${server.addr.port}`;
  try {
    await run(origin);
  } finally {
    controller.abort();
    await server.finished;
  }
}

Deno.test("a client ID metadata document client completes the code flow as a public client", async () => {
  const issuer = await startMockIssuer();
  try {
    await withDocumentServer(
      (origin) => ({
        "/client.json": {
          client_id: `${origin}/client.json`,
          client_name: "CIMD test client",
          redirect_uris: [REDIRECT],
          grant_types: ["authorization_code", "refresh_token"],
          token_endpoint_auth_method: "none",
        },
      }),
      async (origin) => {
        const clientId = `${origin}/client.json`;
        const { verifier, challenge } = await pkcePair();
        const { status, location } = await followAuthorize(
          fetch,
          authorizeUrl(`${issuer.resourceIssuer()}/oauth/authorize`, {
            response_type: "code",
            client_id: clientId,
            redirect_uri: REDIRECT,
            code_challenge: challenge,
            code_challenge_method: "S256",
          }),
        );
        assert.equal(status, 302);
        const code = location!.searchParams.get("code");
        assert.ok(code, location?.href);
        const { status: tokenStatus, body } = await fetchJson(
          fetch,
          formRequest(`${issuer.resourceIssuer()}/oauth/token`, {
            grant_type: "authorization_code",
            code,
            code_verifier: verifier,
            client_id: clientId,
            redirect_uri: REDIRECT,
          }),
        );
        assert.equal(tokenStatus, 200, JSON.stringify(body));
        assert.equal(decodeJwt(String(body.access_token)).client_id, clientId);
        assert.equal(typeof body.refresh_token, "string");
      },
    );
  } finally {
    await issuer.close();
  }
});

Deno.test("authorize refuses bad client ID metadata documents with 400 invalid_client", async (t) => {
  const issuer = await startMockIssuer();
  try {
    await withDocumentServer(
      (origin) => ({
        "/good.json": {
          client_id: `${origin}/good.json`,
          redirect_uris: [REDIRECT],
        },
        "/mismatch.json": {
          client_id: `${origin}/other.json`,
          redirect_uris: [REDIRECT],
        },
        "/no-redirects.json": { client_id: `${origin}/no-redirects.json` },
        "/secret.json": {
          client_id: `${origin}/secret.json`,
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: "client_secret_basic",
        },
        "/redirect.json": 302,
        "/big.json": {
          client_id: `${origin}/big.json`,
          redirect_uris: [REDIRECT],
          padding: "x".repeat(70_000),
        },
      }),
      async (origin) => {
        const { challenge } = await pkcePair();
        const attempt = (path: string, redirectUri = REDIRECT) =>
          followAuthorize(
            fetch,
            authorizeUrl(`${issuer.url}/oauth/authorize`, {
              response_type: "code",
              client_id: origin + path,
              redirect_uri: redirectUri,
              code_challenge: challenge,
              code_challenge_method: "S256",
            }),
          );
        for (
          const path of [
            "/mismatch.json",
            "/no-redirects.json",
            "/secret.json",
            "/redirect.json",
            "/big.json",
            "/missing.json",
          ]
        ) {
          await t.step(path, async () => {
            const { status, location, body } = await attempt(path);
            assert.equal(status, 400);
            assert.equal(location, undefined);
            assert.equal(JSON.parse(body).error, "invalid_client");
          });
        }
        await t.step("redirect URI not in the document", async () => {
          const { status, body } = await attempt(
            "/good.json",
            "http://127.0.0.1:4000/evil",
          );
          assert.equal(status, 400);
          assert.equal(JSON.parse(body).error, "invalid_request");
        });
      },
    );
  } finally {
    await issuer.close();
  }
});

Deno.test("the metadata document loader gives up after its timeout", async () => {
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener(
        "abort",
        () => reject(new DOMException("aborted", "AbortError")),
      );
    });
  const load = createClientMetadataLoader({ fetch: hanging, timeoutMs: 20 });
  await assert.rejects(
    () => load("https://client.example/meta.json"),
    (error: unknown) =>
      error instanceof OAuthError && error.code === "invalid_client" &&
      /within 20 ms/.test(error.message),
  );
});

Deno.test("clientFromDocument() checks each rule", async (t) => {
  const id = "https://client.example/meta.json";
  const cases: [string, unknown][] = [
    ["not an object", [1]],
    ["client_id differs", { client_id: id + "?x", redirect_uris: [REDIRECT] }],
    ["redirect_uris empty", { client_id: id, redirect_uris: [] }],
    ["redirect_uri over http", {
      client_id: id,
      redirect_uris: ["http://client.example/cb"],
    }],
    ["client_secret present", {
      client_id: id,
      redirect_uris: [REDIRECT],
      client_secret: "s",
    }],
    ["grant_types not strings", {
      client_id: id,
      redirect_uris: [REDIRECT],
      grant_types: [1],
    }],
  ];
  for (const [name, document] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => clientFromDocument(id, document),
        (error: unknown) =>
          error instanceof OAuthError && error.code === "invalid_client",
      );
    });
  }
  await t.step("a good document is a public client", () => {
    const client = clientFromDocument(id, {
      client_id: id,
      redirect_uris: [REDIRECT],
    });
    assert.equal(client.secret, undefined);
    assert.equal(client.kind, "metadata_document");
    assert.deepEqual(client.redirectUris, [REDIRECT]);
  });
});
