import assert from "node:assert/strict";
import { startMockIssuer } from "./server.ts";
import { fetchJson, formRequest } from "./_test_helpers.ts";

Deno.test("startMockIssuer() binds 127.0.0.1 on a free port and close() stops it", async () => {
  const issuer = await startMockIssuer();
  assert.match(issuer.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(issuer.resources[0].id, "res_conformance");
  assert.deepEqual(issuer.resources[0].scopes, [
    "todo:read",
    "todo:write",
    "todo:admin",
  ]);
  assert.equal(issuer.user.id, "usr_conformance");
  const response = await fetch(`${issuer.url}/keys`);
  await response.body?.cancel();
  assert.equal(response.status, 200);
  await issuer.close();
  await issuer.close(); // idempotent
  await assert.rejects(() => fetch(`${issuer.url}/keys`), TypeError);
});

Deno.test("startMockIssuer() names every bad option at once", async () => {
  await assert.rejects(
    () =>
      startMockIssuer({
        port: 70000,
        accessTokenTtlSeconds: -1,
        resources: [
          { id: "res_a", scopes: ["ok", "bad scope"] },
          { id: "res_a", url: "not a url", scopes: [] },
        ],
      }),
    (error: unknown) => {
      assert.ok(error instanceof TypeError);
      for (
        const fragment of [
          "port",
          "accessTokenTtlSeconds",
          '"bad scope"',
          'id "res_a" is used twice',
          "resources[1].url",
        ]
      ) {
        assert.ok(
          error.message.includes(fragment),
          `${fragment} in ${error.message}`,
        );
      }
      return true;
    },
  );
});

Deno.test("statePath keeps signing keys and registered clients across a restart", async () => {
  const directory = await Deno.makeTempDir();
  const statePath = `${directory}/issuer-state.json`;
  try {
    const first = await startMockIssuer({ statePath });
    const kid = first.currentKid;
    const rotated = await first.rotateKey();
    const client = await first.registerClient!({
      redirect_uris: ["http://127.0.0.1:4000/cb"],
      grant_types: ["client_credentials"],
      token_endpoint_auth_method: "client_secret_post",
    });
    await first.close();
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(statePath)).mode! & 0o777, 0o600);
    }

    const second = await startMockIssuer({ statePath });
    try {
      assert.equal(second.currentKid, rotated);
      const { body: jwks } = await fetchJson(
        fetch,
        new Request(`${second.url}/keys`),
      );
      assert.deepEqual(
        (jwks.keys as { kid: string }[]).map((key) => key.kid),
        [rotated, kid],
      );
      const { status, body } = await fetchJson(
        fetch,
        formRequest(`${second.url}/oauth/token`, {
          grant_type: "client_credentials",
          client_id: client.client_id,
          client_secret: client.client_secret!,
        }),
      );
      assert.equal(status, 200, JSON.stringify(body));
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("a malformed state file fails start with its path named", async () => {
  const directory = await Deno.makeTempDir();
  const statePath = `${directory}/broken.json`;
  try {
    await Deno.writeTextFile(statePath, "{not json");
    await assert.rejects(
      () => startMockIssuer({ statePath }),
      (error: unknown) =>
        error instanceof Error && error.message.includes(statePath),
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
