// MCP Inspector's command-line mode, a real client people use, against this
// server over loopback. The binary comes from MCP_INSPECTOR_BIN (.ci/run
// installs it) or, failing that, from npx.
import assert from "node:assert/strict";
import { startHarness } from "../fixtures/harness.ts";

const INSPECTOR = "@modelcontextprotocol/inspector@2.12.0";

async function inspector(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = Deno.env.get("MCP_INSPECTOR_BIN");
  const out = await new Deno.Command(bin ?? "npx", {
    args: bin ? args : ["-y", INSPECTOR, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

Deno.test("MCP Inspector's CLI lists and calls tools, reads resources and gets prompts with a bearer token", async () => {
  const h = await startHarness({ listen: true });
  try {
    const token = await h.issuer.mint({ scopes: ["todo:read", "todo:write"] });
    const common = [
      "--cli",
      h.mcpUrl,
      "--transport",
      "http",
      "--header",
      `Authorization: Bearer ${token}`,
    ];
    const listed = await inspector([...common, "--method", "tools/list"]);
    assert.equal(listed.code, 0, listed.stderr);
    // The Inspector lints tool schemas and prints a one-line count of any
    // portability problem (such as `"type": ["string", "null"]`).
    assert.doesNotMatch(listed.stderr, /Schema portability/, listed.stderr);
    const names = JSON.parse(listed.stdout).tools.map((t: { name: string }) =>
      t.name
    );
    assert.ok(
      names.includes("create_todo") && names.includes("whoami"),
      names.join(","),
    );

    const created = await inspector([
      ...common,
      "--method",
      "tools/call",
      "--tool-name",
      "create_todo",
      "--tool-arg",
      "title=From the Inspector",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(
      JSON.parse(created.stdout).structuredContent.todo.title,
      "From the Inspector",
    );

    const read = await inspector([
      ...common,
      "--method",
      "resources/read",
      "--uri",
      "todo://todos",
    ]);
    assert.equal(read.code, 0, read.stderr);
    const list = JSON.parse(JSON.parse(read.stdout).contents[0].text);
    assert.equal(list.todos[0].title, "From the Inspector");

    const prompt = await inspector([
      ...common,
      "--method",
      "prompts/get",
      "--prompt-name",
      "plan_my_day",
      "--prompt-args",
      "focus=shipping",
    ]);
    assert.equal(prompt.code, 0, prompt.stderr);
    const planned: string = JSON.parse(prompt.stdout).messages[0].content.text;
    assert.ok(planned.includes("- From the Inspector"), planned);
    assert.ok(planned.includes("My focus today: shipping"), planned);

    const me = await inspector([
      ...common,
      "--method",
      "tools/call",
      "--tool-name",
      "whoami",
    ]);
    assert.equal(me.code, 0, me.stderr);
    assert.equal(
      JSON.parse(me.stdout).structuredContent.subject,
      h.issuer.user.id,
    );

    const refused = await inspector([
      ...common,
      "--method",
      "tools/call",
      "--tool-name",
      "bulk_delete_todos",
    ]);
    assert.notEqual(refused.code, 0, "a call without todo:admin must fail");
    // The Inspector read the 403 challenge and names the missing scope.
    assert.match(refused.stdout + refused.stderr, /insufficient[ _]scope/i);
    assert.match(refused.stdout + refused.stderr, /todo:admin/);

    const writeOnly = await h.issuer.mint({ scopes: ["todo:write"] });
    const unread = await inspector([
      "--cli",
      h.mcpUrl,
      "--transport",
      "http",
      "--header",
      `Authorization: Bearer ${writeOnly}`,
      "--method",
      "resources/read",
      "--uri",
      "todo://todos",
    ]);
    assert.notEqual(unread.code, 0, "a read without todo:read must fail");
    assert.match(unread.stdout + unread.stderr, /insufficient[ _]scope/i);
    assert.match(unread.stdout + unread.stderr, /todo:read/);

    const anonymous = await inspector([
      "--cli",
      h.mcpUrl,
      "--transport",
      "http",
      "--method",
      "tools/list",
    ]);
    assert.notEqual(anonymous.code, 0, "no token must not list tools");
    assert.ok(!(anonymous.stdout + anonymous.stderr).includes(token));
  } finally {
    await h.close();
  }
});
