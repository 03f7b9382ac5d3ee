import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";
import {
  guardOrigins,
  isAllowedOrigin,
  MCP_EXPOSED_HEADERS,
  MCP_REQUEST_HEADERS,
} from "./origin.ts";

const ALLOWED = ["https://app.example.com"];

Deno.test("isAllowedOrigin() allows configured and loopback origins only", async (t) => {
  const cases: Array<[string, boolean]> = [
    ["https://app.example.com", true],
    ["http://localhost:6274", true],
    ["http://127.0.0.1:3000", true],
    ["https://127.5.6.7", true],
    ["http://[::1]:8080", true],
    ["https://evil.example.com", false],
    ["http://localhost.evil.com", false],
    ["http://127.0.0.1.evil.example", false],
    ["http://127.0.0.1.evil.example:3000", false],
    ["http://evil.example.127.0.0.1", false],
    ["https://app.example.com.evil.com", false],
    ["http://app.example.com", false],
    ["https://app.example.com:8443", false],
    ["null", false],
    ["", false],
    ["file://", false],
    ["ws://localhost:6274", false],
    ["http://localhost:6274/path", false],
    ["http://LOCALHOST:6274", false],
  ];
  for (const [origin, expected] of cases) {
    await t.step(JSON.stringify(origin), () => {
      assert.equal(isAllowedOrigin(origin, ALLOWED), expected);
    });
  }
});

function tinyApp() {
  const app = new Hono<AppEnv>();
  app.use("/mcp", guardOrigins(ALLOWED));
  app.post("/mcp", (c) => {
    c.header("WWW-Authenticate", 'Bearer resource_metadata="x"');
    return c.json({ denial: c.get("denial") ?? null }, 401);
  });
  app.options("/mcp", (c) => c.text("not a preflight", 404));
  return app;
}

function preflight(origin: string, requested: string) {
  return tinyApp().request("/mcp", {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": requested,
    },
  });
}

/** The comma-separated header names of `name`, lower-cased. */
function listed(res: Response, name: string): string[] {
  return (res.headers.get(name) ?? "").split(",").map((h) =>
    h.trim().toLowerCase()
  ).filter(Boolean);
}

Deno.test("guardOrigins() refuses a foreign origin with 403 JSON and no CORS grant", async (t) => {
  for (
    const origin of [
      "https://evil.example",
      "http://127.0.0.1.evil.example",
      "null",
    ]
  ) {
    await t.step(origin, async () => {
      const res = await tinyApp().request("/mcp", {
        method: "POST",
        headers: { origin },
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("access-control-allow-origin"), null);
      assert.deepEqual(await res.json(), {
        error: "forbidden_origin",
        error_description: `Origin "${origin}" is not allowed`,
      });
    });
  }
  await t.step("a foreign preflight is refused too", async () => {
    const res = await preflight("https://evil.example", "authorization");
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    assert.equal(res.headers.get("access-control-allow-headers"), null);
    await res.body?.cancel();
  });
});

Deno.test("guardOrigins() lets an allowed origin read the answer and its challenge", async (t) => {
  for (const origin of ["https://app.example.com", "http://localhost:6274"]) {
    await t.step(origin, async () => {
      const res = await tinyApp().request("/mcp", {
        method: "POST",
        headers: { origin },
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("access-control-allow-origin"), origin);
      assert.match(res.headers.get("vary") ?? "", /\bOrigin\b/);
      assert.deepEqual(
        listed(res, "access-control-expose-headers"),
        MCP_EXPOSED_HEADERS.map((h) => h.toLowerCase()),
      );
      assert.ok(
        listed(res, "access-control-expose-headers").includes(
          "www-authenticate",
        ),
      );
      assert.deepEqual(await res.json(), { denial: null });
    });
  }
});

Deno.test("guardOrigins() answers an allowed preflight without a token, allowing what SDK clients send", async (t) => {
  const res = await preflight(
    "http://localhost:6274",
    "authorization, content-type, mcp-protocol-version, mcp-method, mcp-name",
  );
  assert.equal(res.status, 204);
  assert.equal(
    res.headers.get("access-control-allow-origin"),
    "http://localhost:6274",
  );
  assert.ok(listed(res, "access-control-allow-methods").includes("post"));
  assert.equal(res.headers.get("access-control-max-age"), "600");
  const allowed = listed(res, "access-control-allow-headers");
  assert.deepEqual(allowed, MCP_REQUEST_HEADERS.map((h) => h.toLowerCase()));
  // What the MCP SDK v2 client sets on a POST (both eras), and what browsers
  // never send without a preflight's permission.
  for (
    const header of [
      "authorization",
      "content-type",
      "accept",
      "mcp-protocol-version",
      "mcp-method",
      "mcp-name",
    ]
  ) {
    await t.step(header, () => {
      assert.ok(allowed.includes(header), `${header} not in ${allowed}`);
    });
  }
});

Deno.test("guardOrigins() lets a request without Origin through, without CORS headers", async () => {
  const res = await tinyApp().request("/mcp", { method: "POST" });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("access-control-allow-origin"), null);
  // The answer to a request with Origin differs, so caches must know.
  assert.match(res.headers.get("vary") ?? "", /Origin/);
  assert.deepEqual(await res.json(), { denial: null });
});

Deno.test("guardOrigins() records a refusal for the request log", async () => {
  const app = new Hono<AppEnv>();
  let denial: unknown;
  app.use(async (c, next) => {
    await next();
    denial = c.get("denial");
  });
  app.use(guardOrigins(ALLOWED));
  app.post("/", (c) => c.text("ran"));
  const res = await app.request("/", {
    method: "POST",
    headers: { origin: "https://evil.example" },
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.deepEqual(denial, {
    code: "forbidden_origin",
    reason: "Origin not allowed",
  });
});
