// Real MCP clients against this server over loopback, one full round trip
// each: the SDK v2 client in the 2026-07-28 era and in its default
// (2025-11-25) era, and the SDK v1 client that most deployed clients still
// embed. Each lists and calls tools, reads resources, gets a prompt, is
// refused an operation with a 403 step-up challenge, and sees its own
// identity come back from a handler.
import assert from "node:assert/strict";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type Harness, startHarness } from "../fixtures/harness.ts";

/** The calls every client makes; the v1 and v2 clients share this shape. */
interface Session {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(
    call: { name: string; arguments?: Record<string, unknown> },
  ): Promise<unknown>;
  listResources(): Promise<{ resources: Array<{ uri: string }> }>;
  listResourceTemplates(): Promise<
    { resourceTemplates: Array<{ uriTemplate: string }> }
  >;
  readResource(
    request: { uri: string },
  ): Promise<{ contents: Array<{ uri: string; text?: string }> }>;
  listPrompts(): Promise<{ prompts: Array<{ name: string }> }>;
  getPrompt(
    request: { name: string; arguments?: Record<string, string> },
  ): Promise<{ messages: Array<{ content: { type: string; text?: string } }> }>;
  close(): Promise<void>;
}

interface ClientUnderTest {
  readonly name: string;
  /** The era the server should log for this client's requests. */
  readonly era: "legacy" | "modern";
  connect(url: URL, token: string, fetch: typeof globalThis.fetch): Promise<
    Session
  >;
}

const CLIENTS: readonly ClientUnderTest[] = [
  {
    name: "SDK v2 client, 2026-07-28 (versionNegotiation auto)",
    era: "modern",
    async connect(url, token, fetch) {
      const client = new ClientV2({ name: "interop-v2-modern", version: "1" }, {
        versionNegotiation: { mode: "auto" },
      });
      await client.connect(
        new TransportV2(url, {
          fetch,
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      assert.equal(client.getProtocolEra(), "modern");
      return client as unknown as Session;
    },
  },
  {
    name: "SDK v2 client, default era (2025-11-25)",
    era: "legacy",
    async connect(url, token, fetch) {
      const client = new ClientV2({ name: "interop-v2-default", version: "1" });
      await client.connect(
        new TransportV2(url, {
          fetch,
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      assert.equal(client.getProtocolEra(), "legacy");
      return client as unknown as Session;
    },
  },
  {
    name: "SDK v1 client",
    era: "legacy",
    async connect(url, token, fetch) {
      const client = new ClientV1({ name: "interop-v1", version: "1" });
      await client.connect(
        new TransportV1(url, {
          fetch,
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      assert.equal(client.getServerVersion()?.name, "mcp-scalekit");
      return client as unknown as Session;
    },
  },
];

/** The status and headers of a response the client saw. */
interface Seen {
  readonly status: number;
  readonly headers: Headers;
}

/**
 * Records the status and headers of every response the client sees. Not the
 * body: a cloned body that nobody reads keeps the client's own `cancel()`
 * of it from ever resolving.
 */
function recordingFetch(seen: Seen[]): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    seen.push({ status: response.status, headers: response.headers });
    return response;
  };
}

function structured<T>(result: unknown): T {
  return (result as { structuredContent: T }).structuredContent;
}

async function roundTrip(
  h: Harness,
  client: ClientUnderTest,
  t: Deno.TestContext,
) {
  const seen: Seen[] = [];
  const token = await h.issuer.mint({ scopes: ["todo:read", "todo:write"] });
  const session = await client.connect(
    new URL(h.mcpUrl),
    token,
    recordingFetch(seen),
  );
  try {
    let id = "";
    await t.step("tools", async () => {
      const { tools } = await session.listTools();
      assert.deepEqual(tools.map((tool) => tool.name), [
        "create_todo",
        "list_todos",
        "get_todo",
        "update_todo",
        "delete_todo",
        "bulk_delete_todos",
        "export_all_todos",
        "whoami",
        "auth_status",
      ]);
      // The clients validate structuredContent against each outputSchema.
      const created = structured<{ todo: { id: string; title: string } }>(
        await session.callTool({
          name: "create_todo",
          arguments: { title: `From ${client.name}` },
        }),
      );
      id = created.todo.id;
      const fetched = structured<{ todo: { id: string } }>(
        await session.callTool({
          name: "get_todo",
          arguments: { todo_id: id },
        }),
      );
      assert.equal(fetched.todo.id, id);
    });

    await t.step("resources", async () => {
      const { resources } = await session.listResources();
      assert.deepEqual(resources.map((r) => r.uri), ["todo://todos"]);
      const { resourceTemplates } = await session.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((r) => r.uriTemplate), [
        "todo://todos{?limit,cursor}",
        "todo://todos/{id}",
      ]);
      const list = await session.readResource({ uri: "todo://todos" });
      const todos = JSON.parse(list.contents[0].text!).todos as Array<
        { id: string }
      >;
      assert.ok(todos.some((todo) => todo.id === id));
      // A page through the template; a cursor it never issued is refused.
      const page = await session.readResource({ uri: "todo://todos?limit=1" });
      assert.equal(page.contents[0].uri, "todo://todos?limit=1");
      assert.equal(JSON.parse(page.contents[0].text!).todos.length, 1);
      await assert.rejects(
        session.readResource({ uri: "todo://todos?cursor=nope&limit=1" }),
        /cursor/,
      );
      const one = await session.readResource({ uri: `todo://todos/${id}` });
      assert.equal(JSON.parse(one.contents[0].text!).todo.id, id);
      await assert.rejects(
        session.readResource({ uri: "todo://todos/no-such-todo" }),
        /not found/i,
      );
    });

    await t.step("prompts", async () => {
      const { prompts } = await session.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ["plan_my_day"]);
      const prompt = await session.getPrompt({
        name: "plan_my_day",
        arguments: { focus: "the release" },
      });
      const text = prompt.messages[0].content.text ?? "";
      assert.ok(text.includes(`From ${client.name}`), text);
      assert.match(text, /My focus today: the release/);
    });

    await t.step("the identity reaches the handler", async () => {
      const me = structured<
        { subject: string; client_id: string; organization_id: string }
      >(await session.callTool({ name: "whoami", arguments: {} }));
      assert.equal(me.subject, h.issuer.user.id);
      assert.equal(me.organization_id, h.issuer.user.organizationId);
    });

    await t.step(
      "a refused operation gets a 403 step-up challenge",
      async () => {
        const before = seen.length;
        await assert.rejects(
          session.callTool({ name: "bulk_delete_todos", arguments: {} }),
        );
        const refused = seen.slice(before).find((r) => r.status === 403);
        assert.ok(refused, "the server answered 403");
        const challenge = refused.headers.get("www-authenticate") ?? "";
        assert.match(challenge, /error="insufficient_scope"/);
        // 2026-07-28 names the operation's scopes; 2025-11-25 adds the
        // granted ones so a client that replaces its scopes keeps them.
        assert.match(
          challenge,
          client.era === "modern"
            ? /scope="todo:admin"/
            : /scope="todo:admin todo:read todo:write"/,
        );
        const todos = structured<{ count: number }>(
          await session.callTool({ name: "list_todos", arguments: {} }),
        );
        assert.equal(todos.count, 1, "nothing was deleted");
      },
    );
  } finally {
    await session.close();
  }
  const mcpLines = h.logs.filter((line) =>
    line.event === "request" && line.path === "/mcp" && line.method === "POST"
  );
  assert.ok(mcpLines.length > 0);
  assert.ok(
    mcpLines.every((line) => line.era === client.era),
    `every request of this client was served in the ${client.era} era`,
  );
  assert.ok(!h.rawLogs.join("\n").includes(token), "no token in the logs");
}

for (const client of CLIENTS) {
  for (const mode of ["json", "sse"] as const) {
    Deno.test(`${client.name} round trip (${mode})`, async (t) => {
      const h = await startHarness({
        listen: true,
        env: { MCP_RESPONSE_MODE: mode },
      });
      try {
        await roundTrip(h, client, t);
      } finally {
        await h.close();
      }
    });
  }
}
