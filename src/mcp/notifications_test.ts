// Change notifications through the server, with the SDK v2 client in the
// 2026-07-28 era (`subscriptions/listen`): every kind of change reaches the
// changed todo's tenant, on every backend and across two instances sharing
// PostgreSQL, and another tenant learns nothing at all, not even that
// something changed, whatever URIs it subscribes to.
import assert from "node:assert/strict";
import { type Deployment, startDeployment } from "../../fixtures/deployment.ts";
import {
  connectModernClient,
  type ModernClient,
} from "../../fixtures/modern_client.ts";
import {
  type PostgresCluster,
  SKIP_POSTGRES,
  startPostgres,
} from "../../fixtures/postgres.ts";
import { rpcRequest, startHarness } from "../../fixtures/harness.ts";
import { within } from "../../fixtures/net.ts";

const LIST = "todo://todos";
const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

interface Todo {
  readonly id: string;
}

/** The JSON answer to a refused listen; fails at once if a stream opened instead. */
async function refusal(response: Response, what: string) {
  if (response.headers.get("content-type")?.includes("event-stream")) {
    await response.body?.cancel();
    assert.fail(`a subscription to ${what} was opened`);
  }
  return await within(10_000, response.json());
}

/**
 * Tenant A changes its todos in every way through the first instance; A's
 * subscribers (on the first and the last instance) hear each change, for
 * the list and for the todo's own URI. Tenant B subscribes to the same
 * URIs, A's todo's included, and hears only its own change, made last.
 */
async function onlyTheRightTenantIsTold(deployment: Deployment) {
  const first = deployment.instances[0];
  const last = deployment.instances.at(-1)!;
  const clients: ModernClient[] = [];
  const connect = async (url: string, organization: string) => {
    const client = await connectModernClient(
      url,
      await deployment.token(organization),
      organization,
    );
    clients.push(client);
    return client;
  };
  try {
    const a = await connect(first.mcpUrl, "org_a");
    const aElsewhere = await connect(last.mcpUrl, "org_a");
    const b = await connect(last.mcpUrl, "org_b");
    const { todo } = await a.call<{ todo: Todo }>("create_todo", {
      title: "a's first",
    });
    const own = `todo://todos/${todo.id}`;
    const ackA = await a.listen([LIST, own]);
    assert.deepEqual(ackA.honoredFilter.resourceSubscriptions, [LIST, own]);
    await aElsewhere.listen([LIST]);
    // B asks for A's todo by its exact URI too: ids are no capability.
    const ackB = await b.listen([LIST, own]);
    assert.deepEqual(ackB.honoredFilter.resourceSubscriptions, [LIST, own]);

    // update, create, delete, bulk delete: each one a change of A's list.
    await a.call("update_todo", { todo_id: todo.id, completed: true });
    const { todo: second } = await a.call<{ todo: Todo }>("create_todo", {
      title: "a's second",
    });
    await a.call("delete_todo", { todo_id: second.id });
    await a.call("bulk_delete_todos");
    await a.waitForUpdates(6);
    assert.deepEqual(a.updates.map((u) => u.uri), [
      LIST, // update
      own,
      LIST, // create (second: a's stream did not name it)
      LIST, // delete (second)
      LIST, // bulk delete of the completed first todo
      own,
    ]);
    // The other instance's subscriber of A heard all four list changes:
    // so had B been told, B's stream was written to before what follows.
    await aElsewhere.waitForUpdates(4);
    assert.deepEqual(aElsewhere.updates.map((u) => u.uri), [
      LIST,
      LIST,
      LIST,
      LIST,
    ]);

    const { todo: mine } = await b.call<{ todo: Todo }>("create_todo", {
      title: "b's",
    });
    await b.waitForUpdates(1);
    assert.deepEqual(
      b.updates.map((u) => u.uri),
      [LIST],
      "B's first notification is its own change: it heard nothing of A's",
    );
    assert.ok(mine.id !== todo.id);

    // Nothing of the server's tenant mark reaches a client.
    for (const update of [...a.updates, ...b.updates]) {
      assert.deepEqual(Object.keys(update.params).sort(), ["_meta", "uri"]);
      assert.deepEqual(Object.keys(update.params._meta as object), [
        SUBSCRIPTION_ID,
      ]);
    }
    assert.doesNotMatch(JSON.stringify(b.updates), /org_a/);
  } finally {
    for (const client of clients) await client.close();
  }
}

for (const backend of ["memory", "sqlite"] as const) {
  Deno.test(`notifications reach only the changed todo's tenant (${backend})`, async () => {
    await using deployment = await startDeployment({
      ...(backend === "memory" ? { databaseUrl: "memory:" } : {}),
    });
    await onlyTheRightTenantIsTold(deployment);
  });
}

Deno.test({
  name:
    "notifications reach only the changed todo's tenant, across two instances sharing PostgreSQL",
  ignore: SKIP_POSTGRES,
  async fn() {
    await using pg: PostgresCluster = await startPostgres();
    await using deployment = await startDeployment({
      databaseUrl: await pg.createDatabase(),
      instances: 2,
    });
    await onlyTheRightTenantIsTold(deployment);
  },
});

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
