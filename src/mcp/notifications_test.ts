// Change notifications through the server, with the SDK v2 client in the
// 2026-07-28 era (`subscriptions/listen`): every kind of change reaches the
// changed todo's tenant and no other (the PostgreSQL run, across two
// instances, is in main_store_test.ts); subscribing needs todo:read; the
// 2025 era is not offered what it cannot receive; shutdown ends streams.
import assert from "node:assert/strict";
import { startDeployment } from "../../fixtures/deployment.ts";
import { connectModernClient } from "../../fixtures/modern_client.ts";
import { rpcRequest, startHarness } from "../../fixtures/harness.ts";
import { within } from "../../fixtures/net.ts";
import { onlyTheRightTenantIsTold } from "../../fixtures/tenant_scenarios.ts";

const LIST = "todo://todos";

/** The JSON answer to a refused listen; fails at once if a stream opened instead. */
async function refusal(response: Response, what: string) {
  if (response.headers.get("content-type")?.includes("event-stream")) {
    await response.body?.cancel();
    assert.fail(`a subscription to ${what} was opened`);
  }
  return await within(10_000, response.json());
}

for (const backend of ["memory", "sqlite"] as const) {
  Deno.test(`notifications reach only the changed todo's tenant (${backend})`, async () => {
    await using deployment = await startDeployment({
      ...(backend === "memory" ? { databaseUrl: "memory:" } : {}),
    });
    await onlyTheRightTenantIsTold(deployment);
  });
}

Deno.test("subscribing to a todo resource needs todo:read, like reading it", async (t) => {
  for (const mode of ["http", "tool"] as const) {
    await t.step(`MCP_SCOPE_DENIAL=${mode}`, async () => {
      await using deployment = await startDeployment({
        databaseUrl: "memory:",
        env: { MCP_SCOPE_DENIAL: mode },
      });
      const { mcpUrl } = deployment.instances[0];
      const writer = await deployment.token("org_a", ["todo:write"]);
      const listen = (uris: string[], token = writer) =>
        fetch(
          mcpUrl,
          rpcRequest("modern", "subscriptions/listen", {
            notifications: { resourceSubscriptions: uris },
          }, { token, id: 7 }),
        );
      for (
        const uris of [[LIST], ["todo://todos/x"], ["todo://todos?limit=5"]]
      ) {
        const refused = await listen(uris);
        const body = await refusal(refused, uris.join());
        if (mode === "http") {
          assert.equal(refused.status, 403, JSON.stringify(uris));
          const challenge = refused.headers.get("www-authenticate") ?? "";
          assert.match(challenge, /error="insufficient_scope"/);
          assert.match(challenge, /scope="todo:read"/);
        } else {
          assert.equal(refused.status, 200);
          assert.equal(body.id, 7);
          assert.equal(body.error.code, -31403);
          assert.equal(body.error.data.scope, "todo:read");
        }
      }
      // URIs of no resource here are never notified: nothing to protect.
      const other = await listen(["file:///elsewhere"]);
      assert.equal(other.status, 200);
      assert.match(other.headers.get("content-type") ?? "", /event-stream/);
      await other.body?.cancel();
      // With todo:read the same subscription is acknowledged.
      const reader = await deployment.token("org_a", ["todo:read"]);
      const allowed = await listen([LIST], reader);
      assert.equal(allowed.status, 200);
      const reader2 = allowed.body!.pipeThrough(new TextDecoderStream())
        .getReader();
      const { value } = await within(10_000, reader2.read());
      assert.match(value ?? "", /notifications\/subscriptions\/acknowledged/);
      await reader2.cancel();
    });
  }
});

Deno.test("a 2025-era client is not offered resource subscriptions it could never receive", async () => {
  await using deployment = await startDeployment({ databaseUrl: "memory:" });
  const { mcpUrl } = deployment.instances[0];
  const token = await deployment.token("org_a");
  for (const era of ["legacy", "modern"] as const) {
    const method = era === "legacy" ? "initialize" : "server/discover";
    const params = era === "legacy"
      ? {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      }
      : {};
    const response = await fetch(
      mcpUrl,
      rpcRequest(era, method, params, { token }),
    );
    const body = await response.json();
    const resources = body.result.capabilities.resources;
    assert.equal(resources.subscribe, era === "modern", era);
  }
});

Deno.test("at shutdown every subscription ends gracefully, and no new one opens", async () => {
  const stopping = new AbortController();
  const h = await startHarness({
    listen: true,
    app: { signal: stopping.signal },
  });
  const token = await h.issuer.mint();
  const client = await connectModernClient(h.mcpUrl, token);
  try {
    const subscription = await client.listen([LIST]);
    stopping.abort();
    assert.equal(await within(10_000, subscription.closed), "graceful");
    // Requests in flight or arriving during the drain are still served…
    await client.call("create_todo", { title: "during the drain" });
    // …but a subscription would only hold the drain up.
    const late = await h.fetch(
      "/mcp",
      rpcRequest("modern", "subscriptions/listen", {
        notifications: { resourceSubscriptions: [LIST] },
      }, { token, id: 9 }),
    );
    const body = await refusal(late, LIST);
    assert.equal(body.id, 9);
    assert.equal(body.error.code, -32603);
    assert.match(body.error.message, /shutting down/);
  } finally {
    await client.close();
    await h.close();
  }
});
