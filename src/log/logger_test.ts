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
