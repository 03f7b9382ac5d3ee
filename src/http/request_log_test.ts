import assert from "node:assert/strict";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { LogFields, Logger } from "../log/logger.ts";
import type { AppEnv } from "./env.ts";
import { logRequests } from "./request_log.ts";

/**
 * A logger that keeps each call's fields exactly as given: no JSON, no
 * masking. Whatever the request log hands it is visible here, so a leak
 * from the request log itself cannot hide behind the real logger's masking.
 */
function recordingLogger() {
  const calls: Array<{ level: string; event: string; fields: LogFields }> = [];
  const record = (level: string) => (event: string, fields: LogFields = {}) =>
    void calls.push({ level, event, fields });
  const logger: Logger = {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
  return { logger, calls };
}

// Opaque on purpose: the real logger masks JWT-shaped strings, this must
// not need it.
const SECRET = "opaque-secret-token-4f1c9a";

function tinyApp(logger: Logger) {
  let clock = 1000;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(logRequests(logger, () => (clock += 12.345)));
  app.post("/mcp", (c) => {
    c.set("identity", {
      subject: "usr_1",
      clientId: "client_1",
      scopes: ["todo:read"],
      expiresAt: 0,
      issuer: "https://issuer.example",
      claims: { sub: "usr_1" },
    });
    c.set("era", "modern");
    c.set("tools", ["whoami"]);
    return c.json({ ok: true });
  });
  app.post("/refused", (c) => {
    c.set("denial", { code: "invalid_token", reason: "The token has expired" });
    return c.json({ error: "invalid_token" }, 401);
  });
  return app;
}

Deno.test("logRequests() writes one line with method, path, status, time, caller, era and tools", async () => {
  const { logger, calls } = recordingLogger();
  const res = await tinyApp(logger).request("/mcp", { method: "POST" });
  await res.body?.cancel();
  assert.equal(calls.length, 1);
  const [{ level, event, fields }] = calls;
  assert.equal(level, "info");
  assert.equal(event, "request");
  assert.equal(typeof fields.request_id, "string");
  assert.deepEqual({ ...fields, request_id: "id" }, {
    request_id: "id",
    method: "POST",
    path: "/mcp",
    status: 200,
    duration_ms: 12.35,
    subject: "usr_1",
    client_id: "client_1",
    era: "modern",
    tools: ["whoami"],
  });
});

Deno.test("logRequests() records why a request was refused", async () => {
  const { logger, calls } = recordingLogger();
  const res = await tinyApp(logger).request("/refused", { method: "POST" });
  await res.body?.cancel();
  assert.equal(calls[0].fields.status, 401);
  assert.equal(calls[0].fields.denial, "invalid_token");
  assert.equal(calls[0].fields.denial_reason, "The token has expired");
  assert.equal(calls[0].fields.subject, undefined);
});

Deno.test("logRequests() itself never writes a header, the query string or a token", async (t) => {
  const { logger, calls } = recordingLogger();
  const app = tinyApp(logger);
  const cases: Array<[string, RequestInit & { path: string }]> = [
    ["Authorization header", {
      path: "/mcp",
      headers: { authorization: `Bearer ${SECRET}` },
    }],
    ["token in the query string", { path: `/mcp?access_token=${SECRET}` }],
    ["cookie and a custom header", {
      path: "/refused",
      headers: { cookie: `session=${SECRET}`, "x-api-key": SECRET },
    }],
  ];
  for (const [name, { path, ...init }] of cases) {
    await t.step(name, async () => {
      calls.length = 0;
      const res = await app.request(path, { method: "POST", ...init });
      await res.body?.cancel();
      assert.equal(calls.length, 1);
      const written = JSON.stringify(calls[0].fields);
      assert.ok(!written.includes(SECRET), written);
      assert.equal(calls[0].fields.path, path.split("?")[0]);
      for (const key of Object.keys(calls[0].fields)) {
        assert.doesNotMatch(key, /authorization|cookie|header|query|token/i);
      }
    });
  }
});
