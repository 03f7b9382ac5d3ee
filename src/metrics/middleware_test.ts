import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { anonymousIdentity } from "../auth/identity.ts";
import { recordMetrics } from "./middleware.ts";
import { createPrometheusMetrics } from "./prometheus.ts";

/** An app shaped like the server's: auth middleware on /mcp sets identity or denial. */
function appWith(metrics: ReturnType<typeof createPrometheusMetrics>) {
  const app = new Hono<AppEnv>();
  app.use(recordMetrics(metrics));
  app.get("/health", (c) => c.json({ status: "healthy" }));
  app.use("/mcp", async (c, next) => {
    const auth = c.req.header("authorization");
    if (auth === undefined) {
      c.set("denial", { code: "missing_token", reason: "No credentials" });
      return c.json({ error: "unauthorized" }, 401);
    }
    if (auth === "Bearer expired") {
      c.set("denial", {
        code: "invalid_token",
        reason: "The token has expired",
        kind: "expired",
      });
      return c.json({ error: "invalid_token" }, 401);
    }
    c.set("identity", anonymousIdentity([]));
    await next();
  });
  app.post("/mcp", async (c) => {
    if ((await c.req.text()) === "not json") {
      c.set("denial", { code: "parse_error", reason: "Body is not JSON" });
      return c.json({ error: "parse" }, 400);
    }
    if (c.req.header("x-scope") === "no") {
      c.set("denial", { code: "insufficient_scope", reason: "needs a" });
      return c.json({ error: "insufficient_scope" }, 403);
    }
    return c.json({ result: {} });
  });
  return app;
}

function valueOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("recordMetrics() records each request under its route pattern, and each auth decision", async () => {
  const metrics = createPrometheusMetrics({ routes: ["/mcp", "/health"] });
  const app = appWith(metrics);
  const send = async (path: string, init: RequestInit = {}) => {
    const response = await app.fetch(
      new Request(`http://localhost${path}`, init),
    );
    await response.body?.cancel();
    return response.status;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  assert.equal(await send("/health"), 200);
  assert.equal(await send("/nowhere"), 404);
  assert.equal(await send(`/${crypto.randomUUID()}`), 404);
  assert.equal(await send("/mcp", { method: "POST", body: "{}" }), 401);
  assert.equal(
    await send("/mcp", {
      method: "POST",
      body: "{}",
      headers: bearer("expired"),
    }),
    401,
  );
  assert.equal(
    await send("/mcp", { method: "POST", body: "{}", headers: bearer("good") }),
    200,
  );
  assert.equal(
    await send("/mcp", { method: "POST", body: "{}", headers: bearer("good") }),
    200,
  );
  assert.equal(
    await send("/mcp", {
      method: "POST",
      body: "{}",
      headers: { ...bearer("good"), "x-scope": "no" },
    }),
    403,
  );
  assert.equal(
    await send("/mcp", {
      method: "POST",
      body: "not json",
      headers: bearer("good"),
    }),
    400,
  );
  const text = await metrics.registry.metrics();
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/health",method="GET",status="200"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="unmatched",method="GET",status="404"}',
    ),
    2,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/mcp",method="POST",status="401"}',
    ),
    2,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_http_requests_total{route="/mcp",method="POST",status="200"}',
    ),
    2,
  );
  for (const status of ["403", "400"]) {
    assert.equal(
      valueOf(
        text,
        `mcp_http_requests_total{route="/mcp",method="POST",status="${status}"}`,
      ),
      1,
      status,
    );
  }
  assert.equal(
    valueOf(text, 'mcp_auth_decisions_total{outcome="missing_token",kind=""}'),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_auth_decisions_total{outcome="invalid_token",kind="expired"}',
    ),
    1,
  );
  assert.equal(
    valueOf(
      text,
      'mcp_auth_decisions_total{outcome="insufficient_scope",kind=""}',
    ),
    1,
  );
  // A parse error is no auth decision: the token was accepted before the
  // body was read, so that request counts as accepted (two 200s and it).
  assert.equal(
    valueOf(text, 'mcp_auth_decisions_total{outcome="accepted",kind=""}'),
    3,
  );
  assert.doesNotMatch(text, /parse_error/);
  assert.equal(
    valueOf(
      text,
      'mcp_http_request_duration_seconds_count{route="/mcp",method="POST"}',
    ),
    6,
  );
});
