import assert from "node:assert/strict";
import http2 from "node:http2";
import { connectRaw, type RawResponse } from "../../fixtures/raw_http.ts";
import { within } from "../../fixtures/net.ts";
import { DRAIN_MAX_BYTES } from "./_proxied_connection.ts";
import {
  type ConnectionEvent,
  type GuardedServeOptions,
  type GuardedServer,
  serveGuarded,
} from "./guarded_server.ts";

// Short deadlines so the tests are quick; each test makes the ones it does
// not exercise long, so only the guard under test can close a connection.
const SHORT = 300;
const LONG = 60_000;
const BOUND = 10_000; // how long any wait may take before the test fails

type Handler = Parameters<typeof serveGuarded>[1];

async function withGuarded(
  options: Partial<GuardedServeOptions>,
  handler: Handler,
  run: (server: GuardedServer, events: ConnectionEvent[]) => Promise<void>,
): Promise<void> {
  const events: ConnectionEvent[] = [];
  const server = serveGuarded({
    hostname: "127.0.0.1",
    port: 0,
    headersTimeoutMs: LONG,
    bodyTimeoutMs: LONG,
    keepAliveTimeoutMs: LONG,
    sendTimeoutMs: LONG,
    onEvent: (event) => events.push(event),
    ...options,
  }, handler);
  try {
    await run(server, events);
  } finally {
    await server.shutdown(Date.now());
  }
}

function isResponse(value: unknown): value is RawResponse {
  return typeof value === "object" && value !== null && "status" in value;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  await within(
    BOUND,
    (async () => {
      while (!check()) await new Promise((r) => setTimeout(r, 10));
    })(),
  ).catch(() => assert.fail(`never true: ${what}`));
}

const GET = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";
const hello = () => new Response("hello");

Deno.test("serveGuarded() closes a connection that sends nothing, after the headers timeout", async () => {
  await withGuarded({ headersTimeoutMs: SHORT }, hello, async (server) => {
    const client = await connectRaw(server.addr.port);
    assert.equal(await client.waitForEnd(BOUND), "closed");
    client.close();
    await eventually(() => server.connections === 0, "connection released");
  });
});

Deno.test("serveGuarded() answers 408 to headers that stall, then closes", async () => {
  await withGuarded(
    { headersTimeoutMs: SHORT },
    hello,
    async (server, events) => {
      const client = await connectRaw(server.addr.port);
      await client.send("GET / HTTP/1.1\r\nHost: test\r\nX-Slow: ");
      const response = await client.readResponse(BOUND);
      assert.ok(isResponse(response), `got ${response}`);
      assert.equal(response.status, 408);
      assert.equal(response.headers.connection, "close");
      assert.equal(JSON.parse(response.body).error, "request_timeout");
      assert.equal(await client.waitForEnd(BOUND), "closed");
      client.close();
      assert.ok(
        events.some((e) =>
          e.kind === "connection_timeout" && e.phase === "headers"
        ),
      );
    },
  );
});

Deno.test("serveGuarded() keeps a connection for the next request, advertises its idle timeout, then closes it", async () => {
  await withGuarded(
    { keepAliveTimeoutMs: 1_000 },
    (_request, info) => new Response(String(info.remoteAddr.port)),
    async (server) => {
      const client = await connectRaw(server.addr.port);
      for (let i = 0; i < 3; i++) {
        await client.send(GET);
        const response = await client.readResponse(BOUND);
        assert.ok(isResponse(response), `request ${i}: ${response}`);
        assert.equal(response.status, 200);
        assert.equal(response.headers["keep-alive"], "timeout=1");
        // The handler sees the client's own address, not the loopback hop.
        assert.equal(response.body, String(client.localPort));
      }
      assert.equal(await client.waitForEnd(BOUND), "closed");
      client.close();
    },
  );
});

Deno.test("serveGuarded() answers 408, not the handler's own error, when a body stalls", async () => {
  // What a framework does with a failed body read: answer it (Hono's onError).
  await withGuarded(
    { bodyTimeoutMs: SHORT },
    async (request) => {
      try {
        await request.text();
        return new Response("read");
      } catch {
        return Response.json({ error: "server_error" }, { status: 500 });
      }
    },
    async (server) => {
      const client = await connectRaw(server.addr.port);
      await client.send(
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123",
      );
      const response = await client.readResponse(BOUND);
      assert.ok(isResponse(response), `got ${response}`);
      assert.equal(response.status, 408);
      assert.equal(await client.waitForEnd(BOUND), "closed");
      client.close();
    },
  );
});

Deno.test("serveGuarded() answers 408 when a body stalls, and closes", async () => {
  let handlerEnded = false;
  await withGuarded(
    { bodyTimeoutMs: SHORT },
    async (request) => {
      try {
        return new Response(`read ${(await request.text()).length}`);
      } finally {
        handlerEnded = true;
      }
    },
    async (server) => {
      const client = await connectRaw(server.addr.port);
      await client.send(
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789",
      );
      const response = await client.readResponse(BOUND);
      assert.ok(isResponse(response), `got ${response}`);
      assert.equal(response.status, 408);
      assert.equal(JSON.parse(response.body).error, "request_timeout");
      assert.equal(await client.waitForEnd(BOUND), "closed");
      client.close();
      await eventually(() => handlerEnded, "the handler's read failed");
      await eventually(() => server.connections === 0, "connection released");
    },
  );
});

Deno.test("serveGuarded() closes after answering a request whose body never arrives", async (t) => {
  for (const status of [401, 413]) {
    await t.step(`${status}`, async () => {
      await withGuarded(
        {},
        () => Response.json({ error: "refused" }, { status }),
        async (server) => {
          const client = await connectRaw(server.addr.port);
          await client.send(
            "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\n",
          );
          const response = await client.readResponse(BOUND);
          assert.ok(isResponse(response), `got ${response}`);
          assert.equal(response.status, status);
          assert.match(response.headers.connection, /close/);
          assert.equal(await client.waitForEnd(BOUND), "closed");
          client.close();
          await eventually(() => server.connections === 0, "released");
        },
      );
    });
  }
});

Deno.test("serveGuarded() keeps the connection after a refusal that left a small body unread", async (t) => {
  // A client without a token sends its request, body and all, and gets a
  // 401: reading and discarding that body lets the same connection carry
  // the retry, instead of costing a new connection per refusal.
  const refuse = (request: Request) =>
    new URL(request.url).pathname === "/refuse"
      ? Response.json({ error: "invalid_token" }, { status: 401 })
      : new Response("served");
  await t.step("the whole body came with the request", async () => {
    await withGuarded({}, refuse, async (server) => {
      const client = await connectRaw(server.addr.port);
      const body = "x".repeat(DRAIN_MAX_BYTES);
      await client.send(
        `POST /refuse HTTP/1.1\r\nHost: test\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      const refused = await client.readResponse(BOUND);
      assert.ok(isResponse(refused), `got ${refused}`);
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.connection, undefined);
      assert.match(refused.headers["keep-alive"] ?? "", /^timeout=/);
      await client.send(
        "POST /next HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\n{}",
      );
      const next = await client.readResponse(BOUND);
      assert.ok(isResponse(next), `got ${next}`);
      assert.equal(next.body, "served");
      assert.equal(server.connections, 1);
      client.close();
    });
  });
  await t.step("a body still on its way closes the connection", async () => {
    await withGuarded({}, refuse, async (server) => {
      const client = await connectRaw(server.addr.port);
      await client.send(
        "POST /refuse HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n0123",
      );
      // Deno keeps a connection only if the body was complete when the
      // response went out; this one is not, and the refusal does not wait
      // for it past a moment.
      const refused = await client.readResponse(BOUND);
      assert.ok(isResponse(refused), `got ${refused}`);
      assert.equal(refused.status, 401);
      assert.match(refused.headers.connection ?? "", /close/);
      assert.equal(await client.waitForEnd(BOUND), "closed");
      client.close();
      await eventually(() => server.connections === 0, "released");
    });
  });
  // Both bodies arrive whole: only their size, or its being unknown, closes.
  const closes = {
    "a body over the bound": `Content-Length: ${DRAIN_MAX_BYTES + 1}\r\n\r\n${
      "x".repeat(DRAIN_MAX_BYTES + 1)
    }`,
    "a chunked body": "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
  };
  for (const [what, rest] of Object.entries(closes)) {
    await t.step(`${what} closes the connection`, async () => {
      await withGuarded({}, refuse, async (server) => {
        const client = await connectRaw(server.addr.port);
        await client.send(
          `POST /refuse HTTP/1.1\r\nHost: test\r\n${rest}`,
        );
        const refused = await client.readResponse(BOUND);
        assert.ok(isResponse(refused), `got ${refused}`);
        assert.equal(refused.status, 401);
        assert.match(refused.headers.connection ?? "", /close/);
        assert.equal(await client.waitForEnd(BOUND), "closed");
        client.close();
        await eventually(() => server.connections === 0, "released");
      });
    });
  }
});

Deno.test("serveGuarded() closes after a 401 in stages, so what the client still sends causes no reset", async () => {
  // RFC 9112 §9.6: closing a socket that still receives data sends a reset,
  // and a reset can make the client's stack discard the response before it
  // is read. So the server half-closes, then reads and discards for a
  // moment: the client sees the response, then the end, and can finish
  // sending without error.
  await withGuarded(
    {},
    () => Response.json({ error: "invalid_token" }, { status: 401 }),
    async (server) => {
      const client = await connectRaw(server.addr.port);
      await client.send(
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 4000000\r\n\r\n",
      );
      const response = await client.readResponse(BOUND);
      assert.ok(isResponse(response), `got ${response}`);
      assert.equal(response.status, 401);
      assert.equal(await client.waitForEnd(BOUND), "closed");
      // The body keeps coming after the response, as a client that does
      // not read until it has sent everything would send it.
      const chunk = "x".repeat(16 * 1024);
      for (let i = 0; i < 8; i++) {
        await client.send(chunk);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      client.close();
    },
  );
});

Deno.test("serveGuarded() closes after a response that says Connection: close", async () => {
  await withGuarded(
    {},
    () => new Response("bye", { headers: { Connection: "close" } }),
    async (server) => {
      const client = await connectRaw(server.addr.port);
      await client.send(GET);
      const response = await client.readResponse(BOUND);
      assert.ok(isResponse(response), `got ${response}`);
      assert.equal(response.body, "bye");
      assert.equal(await client.waitForEnd(BOUND), "closed");
      client.close();
    },
  );
});

Deno.test("serveGuarded() still answers a client that half-closes after its request", async () => {
  // `printf 'GET / ...' | nc -N host port` sends the request, then EOF.
  await withGuarded({}, hello, async (server) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      await conn.write(new TextEncoder().encode(GET));
      await conn.closeWrite();
      const text = await within(BOUND, new Response(conn.readable).text());
      assert.match(text, /^HTTP\/1\.1 200/);
      assert.match(text, /hello$/);
    } finally {
      try {
        conn.close();
      } catch { /* the stream closed it */ }
    }
  });
});

Deno.test("serveGuarded() answers 503 over the connection cap, and serves again once one closes", async () => {
  await withGuarded({ maxConnections: 2 }, hello, async (server, events) => {
    const held = [
      await connectRaw(server.addr.port),
      await connectRaw(server.addr.port),
    ];
    await eventually(() => server.connections === 2, "two connections held");
    const extra = await connectRaw(server.addr.port);
    const refused = await extra.readResponse(BOUND);
    assert.ok(isResponse(refused), `got ${refused}`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers["retry-after"], "1");
    assert.equal(JSON.parse(refused.body).error, "too_many_connections");
    assert.equal(await extra.waitForEnd(BOUND), "closed");
    extra.close();

    held[0].close();
    await eventually(() => server.connections === 1, "one released");
    const next = await connectRaw(server.addr.port);
    await next.send(GET);
    const served = await next.readResponse(BOUND);
    assert.ok(isResponse(served), `got ${served}`);
    assert.equal(served.status, 200);
    next.close();
    held[1].close();
    await eventually(
      () => events.some((e) => e.kind === "connections_refused"),
      "the refusal is reported",
    );
  });
});

Deno.test("serveGuarded() closes a connection whose client stops reading the response", async () => {
  const big = new Uint8Array(64 * 1024 * 1024);
  await withGuarded(
    { sendTimeoutMs: SHORT },
    () => new Response(big),
    async (server, events) => {
      const client = await connectRaw(server.addr.port);
      await client.send(GET); // and never read
      await eventually(() => server.connections === 0, "connection dropped");
      client.close();
      assert.ok(
        events.some((e) =>
          e.kind === "connection_timeout" && e.phase === "send"
        ),
      );
    },
  );
});

Deno.test("serveGuarded() serves HTTP/2 with prior knowledge", async () => {
  await withGuarded({}, hello, async (server) => {
    const session = http2.connect(`http://127.0.0.1:${server.addr.port}`);
    try {
      const body = await within(
        BOUND,
        new Promise<string>((resolve, reject) => {
          const request = session.request({ ":path": "/" });
          let text = "";
          request.setEncoding("utf8");
          request.on("data", (chunk: string) => (text += chunk));
          request.on("end", () => resolve(text));
          request.on("error", reject);
          request.end();
        }),
      );
      assert.equal(body, "hello");
    } finally {
      session.close();
    }
  });
});

Deno.test("serveGuarded() keeps an HTTP/2 connection through a response that says close", async () => {
  // `Connection` means nothing in HTTP/2 (RFC 9113 §8.2.2): the drain's
  // `close` must not end a connection that carries other streams.
  await withGuarded(
    {},
    () => new Response("bye", { headers: { Connection: "close" } }),
    async (server) => {
      const session = http2.connect(`http://127.0.0.1:${server.addr.port}`);
      const get = () =>
        within(
          BOUND,
          new Promise<number>((resolve, reject) => {
            const request = session.request({ ":path": "/" });
            request.on("response", (headers) => resolve(headers[":status"]!));
            request.on("error", reject);
            request.resume();
            request.end();
          }),
        );
      try {
        assert.equal(await get(), 200);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(await get(), 200, "the session is still usable");
      } finally {
        session.close();
      }
    },
  );
});

Deno.test("serveGuarded() refuses a request that did not come through it", async () => {
  await withGuarded({}, hello, async (server) => {
    const port = server.internalPort;
    assert.ok(port !== undefined);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(response.status, 421);
    assert.equal((await response.json()).error, "misdirected_request");
  });
});

Deno.test("serveGuarded() names its public address in the URL of a request without Host", async () => {
  await withGuarded(
    {},
    (request) => new Response(request.url),
    async (server) => {
      const client = await connectRaw(server.addr.port);
      await client.send("GET /path HTTP/1.0\r\n\r\n");
      const response = await client.readResponse(BOUND);
      assert.ok(isResponse(response), `got ${response}`);
      assert.equal(response.body, `http://127.0.0.1:${server.addr.port}/path`);
      client.close();
    },
  );
});

Deno.test("shutdown() lets idle connections close on their own, and closes what is left at the deadline", async (t) => {
  await t.step("they close in time", async () => {
    const server = serveGuarded({
      hostname: "127.0.0.1",
      port: 0,
      keepAliveTimeoutMs: SHORT,
    }, hello);
    const client = await connectRaw(server.addr.port);
    await client.send(GET);
    assert.ok(isResponse(await client.readResponse(BOUND)));
    assert.equal(await within(BOUND, server.shutdown(Date.now() + LONG)), true);
    assert.equal(await client.waitForEnd(BOUND), "closed");
    client.close();
  });
  await t.step(
    "an idle connection still gets an answer to its next request",
    async () => {
      // Closing idle keep-alive connections at once loses the request a
      // client may be sending on one at that moment; the drain answers it
      // (503, `close`) instead, so the connection stays until then.
      const server = serveGuarded({
        hostname: "127.0.0.1",
        port: 0,
        keepAliveTimeoutMs: LONG,
      }, hello);
      const client = await connectRaw(server.addr.port);
      await client.send(GET);
      assert.ok(isResponse(await client.readResponse(BOUND)));
      const stopping = server.shutdown(Date.now() + LONG);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await client.send(GET);
      const next = await client.readResponse(BOUND);
      assert.ok(isResponse(next), `got ${next}`);
      assert.equal(next.status, 200);
      client.close();
      assert.equal(await within(BOUND, stopping), true);
    },
  );
  await t.step("the deadline comes first", async () => {
    const server = serveGuarded({
      hostname: "127.0.0.1",
      port: 0,
      keepAliveTimeoutMs: LONG,
    }, hello);
    const client = await connectRaw(server.addr.port);
    await client.send(GET);
    assert.ok(isResponse(await client.readResponse(BOUND)));
    assert.equal(
      await within(BOUND, server.shutdown(Date.now() + SHORT)),
      false,
    );
    assert.equal(await client.waitForEnd(BOUND), "closed");
    client.close();
    await assert.rejects(connectRaw(server.addr.port), "no longer listening");
  });
});

Deno.test("serveGuarded() refuses bad options", () => {
  for (
    const bad of [
      { maxConnections: 0 },
      { headersTimeoutMs: 0 },
      { keepAliveTimeoutMs: 1.5 },
    ]
  ) {
    assert.throws(
      () => serveGuarded({ hostname: "127.0.0.1", port: 0, ...bad }, hello),
      TypeError,
    );
  }
});
