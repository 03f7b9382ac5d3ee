import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  mcpHeaders,
  startHarness,
  TOOLS_LIST,
} from "../../fixtures/harness.ts";

for (const mode of ["json", "sse"] as const) {
  Deno.test(`the SDK client does initialize, tools/list and tools/call (${mode})`, async () => {
    const h = await startHarness({
      listen: true,
      env: { MCP_RESPONSE_MODE: mode },
    });
    const client = new Client({ name: "round-trip-test", version: "1.0.0" });
    try {
      const token = await h.issuer.mint();
      const raw = await h.fetch("/mcp", {
        method: "POST",
        headers: mcpHeaders(token),
        body: TOOLS_LIST,
      });
      await raw.body?.cancel();
      assert.equal(
        raw.headers.get("content-type")?.split(";")[0],
        mode === "json" ? "application/json" : "text/event-stream",
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(h.mcpUrl), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      assert.equal(client.getServerVersion()?.name, "mcp-scalekit");

      const { tools } = await client.listTools();
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

      // The client validates structuredContent against each outputSchema.
      const created = await client.callTool({
        name: "create_todo",
        arguments: { title: "Test Task", description: "from the SDK" },
      });
      assert.equal(created.isError, undefined);
      const todo = (created.structuredContent as { todo: { id: string } }).todo;
      const fetched = await client.callTool({
        name: "get_todo",
        arguments: { todo_id: todo.id },
      });
      assert.deepEqual(fetched.structuredContent, created.structuredContent);

      const me = await client.callTool({ name: "whoami", arguments: {} });
      assert.equal(
        (me.structuredContent as { organization_id: string }).organization_id,
        h.issuer.user.organizationId,
      );
    } finally {
      await client.close();
      await h.close();
    }
  });
}
