import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { createLogger } from "../log/logger.ts";
import type { AppEnv } from "./env.ts";
import { handleErrors } from "./on_error.ts";

function tinyApp() {
  const lines: string[] = [];
  const app = new Hono<AppEnv>();
  app.onError(handleErrors(createLogger({ write: (l) => lines.push(l) })));
  app.get("/limited", () => {
    throw new HTTPException(429, {
      res: Response.json({ error: "rate_limited" }, {
        status: 429,
        headers: { "Retry-After": "7", "X-Custom": "kept" },
      }),
    });
  });
  app.get("/bare", () => {
    throw new HTTPException(413, { message: "Too big" });
  });
  app.get("/odd", () => {
    throw new HTTPException(418);
  });
  app.get("/bug", () => {
    throw new Error("secret internals at /srv/app.ts:12");
  });
  return { app, lines };
}

Deno.test("handleErrors() sends an HTTPException's own response, headers and all", async () => {
  const { app, lines } = tinyApp();
  const res = await app.request("/limited");
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "7");
  assert.equal(res.headers.get("x-custom"), "kept");
  assert.deepEqual(await res.json(), { error: "rate_limited" });
  assert.deepEqual(lines, [], "a decided answer is not an error to log");
});

Deno.test("handleErrors() gives an HTTPException without a response its status and a JSON body", async () => {
  const { app } = tinyApp();
  const res = await app.request("/bare");
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), {
    error: "payload_too_large",
    error_description: "Too big",
  });
  const odd = await app.request("/odd");
  assert.equal(odd.status, 418);
  assert.equal((await odd.json()).error, "bad_request");
});

Deno.test("handleErrors() logs anything else and answers a 500 that reveals nothing", async () => {
  const { app, lines } = tinyApp();
  const res = await app.request("/bug");
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.deepEqual(body, {
    error: "server_error",
    error_description: "Internal server error",
  });
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.equal(line.event, "unhandled_error");
  assert.equal(line.message, "secret internals at /srv/app.ts:12");
});
