import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";
import { rejectForeignHosts } from "./host.ts";

const app = new Hono<AppEnv>();
app.use(rejectForeignHosts("https://mcp.example.com"));
app.get("/", (c) => c.text("ok"));

function get(host?: string) {
  const request = new Request("http://127.0.0.1:3002/");
  if (host !== undefined) request.headers.set("host", host);
  return app.fetch(request);
}

Deno.test("rejectForeignHosts() lets loopback names and the public host through", async (t) => {
  for (
    const host of [
      "localhost:3002",
      "127.0.0.1:3002",
      "[::1]:3002",
      "127.1.2.3",
      "LOCALHOST:3002",
      "mcp.example.com",
      "mcp.example.com:443",
    ]
  ) {
    await t.step(host, async () => {
      const res = await get(host);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "ok");
    });
  }
});

Deno.test("rejectForeignHosts() refuses a rebinding host, a look-alike and a missing Host", async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ["attacker domain resolving to loopback", "evil.example:3002"],
    ["look-alike suffix", "mcp.example.com.evil.example"],
    ["loopback as a subdomain", "127.0.0.1.evil.example"],
    ["localhost as a subdomain", "localhost.evil.example:3002"],
    ["the wildcard address", "0.0.0.0:3002"],
    ["not a host at all", "a b"],
    ["no Host header", undefined],
  ];
  for (const [name, host] of cases) {
    await t.step(name, async () => {
      const res = await get(host);
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), {
        error: "forbidden_host",
        error_description: host === undefined
          ? "A Host header is required"
          : "The Host header names a host this server does not serve",
      });
    });
  }
});

Deno.test("rejectForeignHosts() judges every request's Host, whatever it accepted before", async () => {
  const fresh = new Hono<AppEnv>();
  fresh.use(rejectForeignHosts("https://mcp.example.com"));
  fresh.get("/", (c) => c.text("ok"));
  const status = async (host?: string) => {
    const request = new Request("http://127.0.0.1:3002/");
    if (host !== undefined) request.headers.set("host", host);
    const res = await fresh.fetch(request);
    await res.body?.cancel();
    return res.status;
  };
  const seen = [];
  for (
    const host of [
      "127.0.0.1:3002",
      "evil.example:3002",
      "127.0.0.1:3002",
      undefined,
      "127.0.0.1:3002",
      "127.0.0.1:3002.evil.example",
    ]
  ) {
    seen.push(await status(host));
  }
  assert.deepEqual(seen, [200, 403, 200, 403, 200, 403]);
});
