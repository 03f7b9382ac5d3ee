/**
 * The limits on `subscriptions/listen` through the app, over loopback: the
 * caps on open streams (per caller, per tenant, in all) with the SDK v2
 * client, how they sit beside the concurrency caps, and the cap on the
 * URIs one listen names.
 */
import assert from "node:assert/strict";
import {
  type Harness,
  mcpHeaders,
  rpcRequest,
  startHarness,
  TOOLS_LIST,
} from "../../fixtures/harness.ts";
import {
  connectModernClient,
  type ModernClient,
} from "../../fixtures/modern_client.ts";
import { within } from "../../fixtures/net.ts";

const LIST = "todo://todos";

/** The error a refused `client.listen` rejects with. */
async function listenRefusal(
  client: ModernClient,
  uris: readonly string[] = [LIST],
): Promise<{ code: number; message: string; data?: unknown }> {
  try {
    const subscription = await within(15_000, client.listen(uris));
    await subscription.close();
  } catch (error) {
    return error as { code: number; message: string; data?: unknown };
  }
  assert.fail("the subscription was opened");
}

/**
 * Listens until the server admits it again: a stream the client closed is
 * freed when the server sees its connection end, a moment later.
 */
async function listenOnceFreed(client: ModernClient) {
  const deadline = Date.now() + 15_000;
  while (true) {
    try {
      return await within(15_000, client.listen([LIST]));
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

Deno.test("listen streams are capped per caller, per tenant and in all, each refusal naming its limit; a closed stream gives its slot back", async () => {
  const h = await startHarness({
    listen: true,
    env: {
      MCP_MAX_SUBSCRIPTIONS: "4",
      MCP_MAX_SUBSCRIPTIONS_PER_TENANT: "3",
      MCP_MAX_SUBSCRIPTIONS_PER_CALLER: "2",
    },
  });
  const clients: ModernClient[] = [];
  const connect = async (organizationId: string, subject: string) => {
    const token = await h.issuer.mint({ organizationId, subject });
    const client = await connectModernClient(h.mcpUrl, token);
    clients.push(client);
    return client;
  };
  try {
    const alice = await connect("org_a", "usr_alice");
    const first = await alice.listen([LIST]);
    await alice.listen([LIST]);
    const perCaller = await listenRefusal(alice);
    assert.equal(perCaller.code, -32603);
    assert.match(perCaller.message, /a caller may hold at most 2 /);
    assert.deepEqual(perCaller.data, { limit: "caller", max: 2 });

    // Her colleague has a share of his own, up to the organisation's cap.
    const bob = await connect("org_a", "usr_bob");
    await bob.listen([LIST]);
    const perTenant = await listenRefusal(bob);
    assert.equal(perTenant.code, -32603);
    assert.match(perTenant.message, /an organisation may hold at most 3 /);

    // org_a cannot lock another organisation out…
    const carol = await connect("org_c", "usr_carol");
    await carol.listen([LIST]);
    // …but the server's own cap still holds, for everyone.
    const dave = await connect("org_d", "usr_dave");
    const server = await listenRefusal(dave);
    assert.equal(server.code, -32603);
    assert.match(server.message, /the server has 4 .* open; retry later/);

    // Alice closes a stream: her slot (and her tenant's, and the server's)
    // comes back, and she may listen again.
    await first.close();
    await listenOnceFreed(alice);
    const refusals = h.logs.filter((line) =>
      String(line.message ?? "").includes("subscription limit reached")
    );
    assert.ok(refusals.length >= 3, JSON.stringify(refusals));
  } finally {
    for (const client of clients) await client.close();
    await h.close();
  }
});

Deno.test("open listen streams leave the caller's and the server's requests in flight free", async () => {
  const h = await startHarness({
    listen: true,
    env: {
      MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER: "2",
      MCP_MAX_CONCURRENT_REQUESTS: "3",
    },
  });
  const clients: ModernClient[] = [];
  try {
    const token = await h.issuer.mint();
    const other = await h.issuer.mint({ subject: "usr_other" });
    const mine = await connectModernClient(h.mcpUrl, token);
    const theirs = await connectModernClient(h.mcpUrl, other);
    clients.push(mine, theirs);
    // More streams than either concurrency cap allows requests.
    for (let i = 0; i < 2; i++) await mine.listen([LIST]);
    for (let i = 0; i < 2; i++) await theirs.listen([LIST]);
    for (const [who, t] of [["mine", token], ["theirs", other]] as const) {
      const res = await h.fetch("/mcp", {
        method: "POST",
        headers: mcpHeaders(t),
        body: TOOLS_LIST,
      });
      assert.equal(res.status, 200, `${who}: ${await res.clone().text()}`);
      assert.ok((await res.json()).result.tools.length > 0);
    }
    // The SDK client's own tool calls go through beside its streams too.
    await mine.call("create_todo", { title: "still served" });
  } finally {
    for (const client of clients) await client.close();
    await h.close();
  }
});

async function withHarness(
  env: Record<string, string>,
  fn: (h: Harness) => Promise<void>,
): Promise<void> {
  const h = await startHarness({ listen: true, env });
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

Deno.test("a listen naming more URIs than MCP_MAX_RESOURCE_SUBSCRIPTIONS gets 400 -32602 before any URI is looked at", async () => {
  await withHarness({ MCP_MAX_RESOURCE_SUBSCRIPTIONS: "3" }, async (h) => {
    const uris = (n: number) =>
      Array.from({ length: n }, (_, i) => `todo://todos/${i}`);
    const listen = async (n: number, token: string) =>
      await h.fetch(
        "/mcp",
        rpcRequest("modern", "subscriptions/listen", {
          notifications: { resourceSubscriptions: uris(n) },
        }, { token, id: 42 }),
      );
    const reader = await h.issuer.mint({ scopes: ["todo:read"] });
    const atLimit = await listen(3, reader);
    assert.equal(atLimit.status, 200);
    assert.match(atLimit.headers.get("content-type") ?? "", /event-stream/);
    await atLimit.body?.cancel();

    const over = await listen(4, reader);
    assert.equal(over.status, 400);
    assert.deepEqual(await over.json(), {
      jsonrpc: "2.0",
      id: 42,
      error: {
        code: -32602,
        message:
          "Invalid params: resourceSubscriptions may name at most 3 URIs, not 4",
      },
    });
    // Without todo:read the same URIs would be a 403 scope refusal, which
    // needs each URI resolved: the count is refused first.
    const writer = await h.issuer.mint({ scopes: ["todo:write"] });
    const unread = await listen(4, writer);
    assert.equal(unread.status, 400);
    assert.equal((await unread.json()).error.code, -32602);
    const forbidden = await listen(3, writer);
    assert.equal(forbidden.status, 403);
    await forbidden.body?.cancel();
    const denials = h.logs.filter((line) =>
      line.denial_reason === "resource_subscriptions"
    );
    assert.equal(denials.length, 2);

    // The SDK v2 client reports the refusal as the listen's own error.
    const client = await connectModernClient(h.mcpUrl, reader);
    try {
      const refused = await listenRefusal(client, uris(4));
      assert.equal(refused.code, -32602);
      assert.match(refused.message, /at most 3 URIs, not 4/);
    } finally {
      await client.close();
    }
  });
});
