import assert from "node:assert/strict";
import { createLogger } from "./logger.ts";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    write: (line) => lines.push(line),
    now: () => new Date(0),
  });
  return { logger, lines };
}

Deno.test("createLogger() writes one JSON object per line", () => {
  const { logger, lines } = capture();
  logger.info("request", { status: 200 });
  assert.deepEqual(JSON.parse(lines[0]), {
    time: "1970-01-01T00:00:00.000Z",
    level: "info",
    event: "request",
    status: 200,
  });
});

Deno.test("createLogger() drops lines below its level", () => {
  const { logger, lines } = capture("warn");
  logger.info("quiet");
  logger.warn("loud");
  assert.deepEqual(lines.map((l) => JSON.parse(l).event), ["loud"]);
});

Deno.test("createLogger() never writes credentials", () => {
  const { logger, lines } = capture();
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl";
  logger.error("oops", {
    authorization: `Bearer ${jwt}`,
    access_token: jwt,
    nested: { token: jwt, note: `saw ${jwt} here` },
    host: "subdomain1.exampleorg.com",
  });
  assert.doesNotMatch(lines[0], /eyJ/);
  assert.match(lines[0], /saw \[redacted\] here/);
  assert.match(lines[0], /subdomain1\.exampleorg\.com/);
});

Deno.test("createLogger() drops credential fields whatever their value looks like", async (t) => {
  const opaque = "opaque-4f1c9a";
  for (
    const field of [
      "authorization",
      "Authorization",
      "access_token",
      "accessToken",
      "refresh_token",
      "token",
      "id_token",
      "client_secret",
      "password",
      "cookie",
    ]
  ) {
    await t.step(field, () => {
      const { logger, lines } = capture();
      logger.info("request", { [field]: `Bearer ${opaque}`, status: 200 });
      const line = JSON.parse(lines[0]);
      assert.equal(line[field], undefined);
      assert.equal(line.status, 200);
      assert.ok(!lines[0].includes(opaque), lines[0]);
    });
  }
  await t.step("a field that only contains such a name is kept", () => {
    const { logger, lines } = capture();
    logger.info("request", { token_count: 3, cookie_policy: "strict" });
    const line = JSON.parse(lines[0]);
    assert.equal(line.token_count, 3);
    assert.equal(line.cookie_policy, "strict");
  });
});

Deno.test("createLogger() cuts long strings and masks a token the cut splits", async (t) => {
  const jwt = `eyJhbGciOiJSUzI1NiJ9.${"eyJzdWIiOiJ1c3JfMSJ9".repeat(20)}.c2ln`;
  for (const lead of [4_000, 4_080, 4_090]) {
    await t.step(`token starting at ${lead}`, () => {
      const { logger, lines } = capture();
      logger.warn("oops", { message: `${"x".repeat(lead)}${jwt} tail` });
      const message: string = JSON.parse(lines[0]).message;
      assert.doesNotMatch(message, /eyJ/);
      assert.match(message, /\[redacted\]\.\.\.\(\d+ chars\)$/);
      assert.ok(message.length < 4_200);
    });
  }
});
