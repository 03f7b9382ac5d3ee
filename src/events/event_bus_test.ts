import assert from "node:assert/strict";
import type { ServerEvent } from "@modelcontextprotocol/server";
import { openTodoStore } from "../store/open.ts";
import { openEventBus } from "./event_bus.ts";

Deno.test("openEventBus() gives memory and SQLite stores the in-process bus", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-bus-" });
  try {
    for (const url of ["memory:", `sqlite:${dir}/todos.db`]) {
      const store = await openTodoStore(url);
      const bus = await openEventBus(store);
      const seen: ServerEvent[] = [];
      const unsubscribe = bus.subscribe((event) => seen.push(event));
      bus.publish({ kind: "resource_updated", uri: "todo://1" });
      unsubscribe();
      bus.publish({ kind: "tools_list_changed" });
      assert.deepEqual(seen, [{ kind: "resource_updated", uri: "todo://1" }]);
      await bus.close();
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
