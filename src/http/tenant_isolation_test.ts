// Tenant isolation through the server, on every backend: two organisations
// (and a user with none) each see only their own todos, by listing, by id,
// by resource URI and by page, and cannot change another's, even knowing
// its id.
import assert from "node:assert/strict";
import { type Deployment, startDeployment } from "../../fixtures/deployment.ts";
import {
  connectModernClient,
  type ModernClient,
} from "../../fixtures/modern_client.ts";
import { SKIP_POSTGRES, startPostgres } from "../../fixtures/postgres.ts";

interface Todo {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
}

interface Listing {
  readonly todos: Todo[];
  readonly next_cursor?: string;
  readonly next_uri?: string;
}

async function read(client: ModernClient, uri: string): Promise<unknown> {
  const { contents } = await client.client.readResource({ uri });
  return JSON.parse(String((contents[0] as { text?: string }).text));
}

async function refusedRead(client: ModernClient, uri: string) {
  await assert.rejects(
    client.client.readResource({ uri }),
    (error: Error) => /not found/i.test(error.message),
    `${uri} is not found for another tenant`,
  );
}

async function toolError(
  client: ModernClient,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const result = await client.client.callTool({ name, arguments: args });
  assert.equal(result.isError, true, `${name} succeeded`);
  return (result.content as Array<{ text: string }>)[0].text;
}

async function eachSeesOnlyItsOwn(deployment: Deployment) {
  const url = deployment.instances[0].mcpUrl;
  const lastUrl = deployment.instances.at(-1)!.mcpUrl;
  const a = await connectModernClient(url, await deployment.token("org_a"));
  const b = await connectModernClient(
    lastUrl,
    await deployment.token("org_b"),
  );
  // No organisation: the user is a tenant of their own.
  const solo = await connectModernClient(
    url,
    await deployment.issuer.mint({ organizationId: null, subject: "usr_solo" }),
  );
  try {
    const made = new Map<ModernClient, Todo[]>([[a, []], [b, []], [solo, []]]);
    for (const [client, todos] of made) {
      for (let i = 0; i < 3; i++) {
        const { todo } = await client.call<{ todo: Todo }>("create_todo", {
          title: `todo ${i}`,
        });
        todos.push(todo);
      }
      await client.call("update_todo", {
        todo_id: todos[0].id,
        completed: true,
      });
    }
    const ids = (client: ModernClient) =>
      made.get(client)!.map((todo) => todo.id).sort();

    for (const [client, todos] of made) {
      const others = [...made.keys()].filter((other) => other !== client)
        .flatMap((other) => made.get(other)!);

      // By listing: the tool, the list resource, every page of it.
      const listed = await client.call<Listing>("list_todos");
      assert.deepEqual(listed.todos.map((t) => t.id).sort(), ids(client));
      const resource = await read(client, "todo://todos") as Listing;
      assert.deepEqual(resource.todos.map((t) => t.id).sort(), ids(client));
      const paged: string[] = [];
      let next: string | undefined = "todo://todos?limit=1";
      while (next !== undefined) {
        const page = await read(client, next) as Listing;
        paged.push(...page.todos.map((t) => t.id));
        next = page.next_uri;
      }
      assert.deepEqual(paged.sort(), ids(client));
      const exported = await client.call<Listing>("export_all_todos");
      assert.deepEqual(exported.todos.map((t) => t.id).sort(), ids(client));

      // By id, by URI: another tenant's todo does not exist here.
      for (const theirs of others) {
        assert.match(
          await toolError(client, "get_todo", { todo_id: theirs.id }),
          /not found/,
        );
        assert.match(
          await toolError(client, "update_todo", {
            todo_id: theirs.id,
            title: "taken over",
          }),
          /not found/,
        );
        assert.match(
          await toolError(client, "delete_todo", { todo_id: theirs.id }),
          /not found/,
        );
        await refusedRead(client, `todo://todos/${theirs.id}`);
      }
      // Its own are found, by tool and by URI.
      const { todo } = await client.call<{ todo: Todo }>("get_todo", {
        todo_id: todos[1].id,
      });
      assert.equal(todo.id, todos[1].id);
      assert.deepEqual(
        (await read(client, `todo://todos/${todos[1].id}`) as { todo: Todo })
          .todo.id,
        todos[1].id,
      );
    }

    // A bulk delete takes only the caller's completed todos.
    const deleted = await a.call<{ deleted_ids: string[] }>(
      "bulk_delete_todos",
    );
    assert.deepEqual(deleted.deleted_ids, [made.get(a)![0].id]);
    for (const client of [b, solo]) {
      const { todos } = await client.call<Listing>("list_todos");
      assert.equal(todos.length, 3, "nothing of theirs was deleted");
      assert.ok(todos.every((t) => t.title.startsWith("todo ")));
    }
  } finally {
    await Promise.all([a.close(), b.close(), solo.close()]);
  }
}

for (const backend of ["memory", "sqlite"] as const) {
  Deno.test(`each organisation sees only its own todos (${backend})`, async () => {
    await using deployment = await startDeployment(
      backend === "memory" ? { databaseUrl: "memory:" } : {},
    );
    await eachSeesOnlyItsOwn(deployment);
  });
}

Deno.test({
  name: "each organisation sees only its own todos (PostgreSQL, two instances)",
  ignore: SKIP_POSTGRES,
  async fn() {
    await using pg = await startPostgres();
    await using deployment = await startDeployment({
      databaseUrl: await pg.createDatabase(),
      instances: 2,
    });
    await eachSeesOnlyItsOwn(deployment);
  },
});
