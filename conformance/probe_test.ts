import assert from "node:assert/strict";
import { freePort, within, withServer } from "../fixtures/net.ts";
import {
  createProbe,
  type Exchange,
  scrubSecrets,
  summarizeBody,
} from "./probe.ts";

const JWT_LIKE = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXBhcnQ";

Deno.test("send() records the exchange with the labelled token shown as its label", async () => {
  const secret = "s3cr3t-opaque-token-value";
  await withServer(
    (request) =>
      Response.json(
        { echoed: request.headers.get("authorization") },
        {
          status: 401,
          headers: { "www-authenticate": `Bearer error="invalid_token"` },
        },
      ),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
      const recording = probe.record();
      const answer = await probe.send({
        url: `${origin}/mcp?token=${secret}`,
        token: { value: secret, label: "expired token" },
        body: { jsonrpc: "2.0", method: "x", params: { copy: secret } },
      });
      const exchanges = recording.stop();

      // The caller still gets the real answer.
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.json, { echoed: `Bearer ${secret}` });

      assert.equal(exchanges.length, 1);
      assert.doesNotMatch(JSON.stringify(exchanges), new RegExp(secret));
      const [{ request, response }] = exchanges;
      assert.equal(request.method, "POST");
      assert.equal(request.url, `${origin}/mcp?token=<expired token>`);
      assert.equal(request.authorization, "Bearer <expired token>");
      assert.equal(
        request.body,
        '{"jsonrpc":"2.0","method":"x","params":{"copy":"<expired token>"}}',
      );
      assert.equal(response?.status, 401);
      assert.equal(response?.wwwAuthenticate, 'Bearer error="invalid_token"');
      assert.equal(response?.contentType, "application/json");
      assert.equal(response?.body, '{"echoed":"Bearer <expired token>"}');
    },
  );
});

Deno.test("send() hides tokens listed in redact, such as one in the query string", async () => {
  const secret = "query-token-value";
  await withServer(() => new Response("no"), async (origin) => {
    const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
    const recording = probe.record();
    await probe.send({
      method: "GET",
      url: `${origin}/mcp?access=${secret}`,
      redact: [{ value: secret, label: "valid token" }],
    });
    const [exchange] = recording.stop();
    assert.equal(exchange.request.method, "GET");
    assert.equal(exchange.request.url, `${origin}/mcp?access=<valid token>`);
    assert.equal(exchange.request.authorization, undefined);
    assert.equal(exchange.request.body, undefined);
    assert.equal(exchange.response?.body, "no");
  });
});

Deno.test("send() shows a raw Authorization header as given", async () => {
  await withServer(
    () => new Response(null, { status: 401 }),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
      const recording = probe.record();
      const answer = await probe.send({ authorization: "Basic Zm9vOmJhcg==" });
      const [exchange] = recording.stop();
      assert.equal(answer.json, undefined);
      assert.equal(exchange.request.url, `${origin}/mcp`);
      assert.equal(exchange.request.authorization, "Basic Zm9vOmJhcg==");
      assert.equal(exchange.response?.wwwAuthenticate, undefined);
    },
  );
});

Deno.test("send() scrubs JWTs and secret fields that no label names", async () => {
  await withServer(
    () =>
      Response.json({
        access_token: "opaque-access",
        refresh_token: "opaque-refresh",
        id_token: JWT_LIKE,
      }),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
      const recording = probe.record();
      await probe.send({
        url: `${origin}/token`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body:
          "grant_type=authorization_code&code=the-code&code_verifier=the-verifier&client_secret=the-secret",
      });
      await probe.send({ authorization: `Bearer ${JWT_LIKE}` });
      const [form, bearer] = recording.stop();
      assert.equal(
        form.request.body,
        "grant_type=authorization_code&code=<redacted>&code_verifier=<redacted>&client_secret=<redacted>",
      );
      assert.equal(
        form.response?.body,
        '{"access_token":"<redacted>","refresh_token":"<redacted>","id_token":"<redacted>"}',
      );
      assert.equal(bearer.request.authorization, "Bearer <token>");
    },
  );
});

Deno.test("scrubSecrets() hides credentials and leaves other text alone", async (t) => {
  const rows: ReadonlyArray<readonly [string, string, string]> = [
    ["a bare JWT", `Bearer ${JWT_LIKE}`, "Bearer <token>"],
    [
      "a JWT in a URL",
      `http://x/cb?id_token=${JWT_LIKE}&state=1`,
      "http://x/cb?id_token=<redacted>&state=1",
    ],
    [
      "JSON access_token",
      '{"access_token": "abc", "token_type":"Bearer"}',
      '{"access_token": "<redacted>", "token_type":"Bearer"}',
    ],
    [
      "JSON refresh_token",
      '{"refresh_token":"r1"}',
      '{"refresh_token":"<redacted>"}',
    ],
    [
      "JSON client_secret",
      '{"client_id":"c1","client_secret":"s1"}',
      '{"client_id":"c1","client_secret":"<redacted>"}',
    ],
    [
      "JSON code_verifier",
      '{"code_verifier":"v1"}',
      '{"code_verifier":"<redacted>"}',
    ],
    [
      "form fields",
      "access_token=a&refresh_token=r&client_secret=s&code=c&code_verifier=v",
      "access_token=<redacted>&refresh_token=<redacted>&client_secret=<redacted>&code=<redacted>&code_verifier=<redacted>",
    ],
    [
      "a code in a redirect URL",
      "http://127.0.0.1:4000/callback?code=abc123&state=xyz",
      "http://127.0.0.1:4000/callback?code=<redacted>&state=xyz",
    ],
    [
      "fields that are not secrets",
      "grant_type=authorization_code&code_challenge=ch&client_id=c&state=s",
      "grant_type=authorization_code&code_challenge=ch&client_id=c&state=s",
    ],
    [
      "a JSON-RPC error code",
      '{"error":{"code":-32600,"message":"bad"}}',
      '{"error":{"code":-32600,"message":"bad"}}',
    ],
  ];
  for (const [name, input, expected] of rows) {
    await t.step(name, () => {
      assert.equal(scrubSecrets(input), expected);
    });
  }
});

Deno.test("recordingFetch() records what an SDK client sends, labels applied", async () => {
  const secret = "sdk-token-value";
  await withServer(
    (request) => new Response(`method ${request.method}`),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
      const recording = probe.record();
      const recordingFetch = probe.recordingFetch([
        { value: secret, label: "good token" },
      ]);
      const response = await recordingFetch(new URL(`${origin}/mcp`), {
        method: "POST",
        headers: { authorization: `Bearer ${secret}` },
        body: `{"token":"${secret}"}`,
      });
      assert.equal(await response.text(), "method POST");
      assert.deepEqual(
        recording.stop(),
        [{
          request: {
            method: "POST",
            url: `${origin}/mcp`,
            authorization: "Bearer <good token>",
            body: '{"token":"<good token>"}',
          },
          response: {
            status: 200,
            contentType: "text/plain;charset=UTF-8",
            body: "method POST",
          },
        }] satisfies Exchange[],
      );
    },
  );
});

Deno.test("a probe records only between record() and stop()", async () => {
  await withServer(() => new Response("ok"), async (origin) => {
    const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
    await probe.send({ body: "before" });
    const recording = probe.record();
    await probe.send({ body: "during" });
    const exchanges = recording.stop();
    await probe.send({ body: "after" });
    assert.deepEqual(exchanges.map((e) => e.request.body), ["during"]);
  });
});

Deno.test("recordingFetch() returns an event stream that never ends without reading it", async () => {
  let cancelled!: () => void;
  const serverSawCancel = new Promise<void>((resolve) => (cancelled = resolve));
  const encoder = new TextEncoder();
  await withServer(
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode("event: message\ndata: {}\n\n"));
            // Never closed: only the client giving up ends it.
          },
          cancel() {
            cancelled();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 30_000 });
      const recording = probe.record();
      const response = await within(
        5_000,
        probe.recordingFetch([])(`${origin}/mcp`, { method: "GET" }),
      );
      const exchanges = recording.stop();
      assert.equal(response.status, 200);
      assert.deepEqual(exchanges, [{
        request: { method: "GET", url: `${origin}/mcp` },
        response: {
          status: 200,
          contentType: "text/event-stream",
          body: "(event stream, not captured)",
        },
      }]);
      // The body is still the caller's to read, untouched by the recording.
      const reader = response.body!.getReader();
      const first = await within(5_000, reader.read());
      assert.match(new TextDecoder().decode(first.value), /^event: message/);
      await reader.cancel();
      await within(5_000, serverSawCancel);
    },
  );
});

Deno.test("send() records an event stream as not captured and returns once it ends", async () => {
  await withServer(
    () =>
      new Response('event: message\ndata: {"jsonrpc":"2.0","id":1}\n\n', {
        headers: { "content-type": "text/event-stream; charset=utf-8" },
      }),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
      const recording = probe.record();
      const answer = await probe.send({ body: {} });
      const [exchange] = recording.stop();
      assert.match(answer.text, /^event: message/);
      assert.equal(answer.json, undefined);
      assert.equal(exchange.response?.body, "(event stream, not captured)");
    },
  );
});

Deno.test("send() records a refused connection with its error and rethrows", async () => {
  const url = `http://127.0.0.1:${freePort()}/mcp`;
  const probe = createProbe({ mcpUrl: url, timeoutMs: 5_000 });
  const recording = probe.record();
  await assert.rejects(
    within(10_000, probe.send({ body: {} })),
    (error) => error instanceof TypeError,
  );
  const exchanges = recording.stop();
  assert.equal(exchanges.length, 1);
  assert.equal(exchanges[0].request.url, url);
  assert.equal(exchanges[0].response, undefined);
  assert.match(exchanges[0].error ?? "", /^TypeError: /);
});

Deno.test("send() gives up on a server that never answers after timeoutMs", async () => {
  // Accepts connections and never answers them.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) held.push(conn);
    } catch { /* the listener was closed */ }
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const probe = createProbe({
      mcpUrl: `http://127.0.0.1:${port}/mcp`,
      timeoutMs: 200,
    });
    const recording = probe.record();
    const started = performance.now();
    await assert.rejects(
      within(5_000, probe.send({ body: {} })),
      (error) => error instanceof DOMException && error.name === "TimeoutError",
    );
    const elapsed = performance.now() - started;
    const exchanges = recording.stop();
    assert.ok(elapsed >= 150, `gave up after ${elapsed} ms`);
    assert.equal(exchanges.length, 1);
    assert.match(exchanges[0].error ?? "", /^TimeoutError: /);
  } finally {
    listener.close();
    await accepting;
    for (const conn of held) conn.close();
  }
});

Deno.test("recordingFetch() still honours the caller's abort signal", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await withServer(async () => {
    await released;
    return new Response("late");
  }, async (origin) => {
    const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 30_000 });
    const recording = probe.record();
    const controller = new AbortController();
    const pending = probe.recordingFetch([])(`${origin}/mcp`, {
      signal: controller.signal,
    });
    controller.abort(new Error("caller gave up"));
    try {
      await assert.rejects(within(5_000, pending), /caller gave up/);
    } finally {
      release();
    }
    assert.match(recording.stop()[0].error ?? "", /caller gave up/);
  });
});

Deno.test("scrubSecrets() hides a JSON code and a form id_token, not JSON-RPC codes", () => {
  assert.equal(
    scrubSecrets('{"code":"abc123","error":{"code":-32600}}'),
    '{"code":"<redacted>","error":{"code":-32600}}',
  );
  assert.equal(
    scrubSecrets("id_token=xyz&state=s"),
    "id_token=<redacted>&state=s",
  );
});

Deno.test("recordingFetch() sends and records a Request's own method, headers and body", async () => {
  await withServer(
    async (request) =>
      Response.json({ method: request.method, body: await request.text() }),
    async (origin) => {
      const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
      const recording = probe.record();
      const response = await probe.recordingFetch([])(
        new Request(`${origin}/mcp`, {
          method: "POST",
          headers: { authorization: "Basic eA==" },
          body: '{"hello":1}',
        }),
      );
      assert.deepEqual(await response.json(), {
        method: "POST",
        body: '{"hello":1}',
      });
      const [exchange] = recording.stop();
      assert.equal(exchange.request.method, "POST");
      assert.equal(exchange.request.authorization, "Basic eA==");
      assert.equal(exchange.request.body, '{"hello":1}');
    },
  );
});

Deno.test("send() labels a token in the access_token query parameter whole", async () => {
  const secret = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
  await withServer(() => new Response("no"), async (origin) => {
    const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
    const recording = probe.record();
    await probe.send({
      url: `${origin}/mcp?access_token=${secret}`,
      redact: [{ value: secret, label: "valid token" }],
    });
    const [exchange] = recording.stop();
    assert.equal(
      exchange.request.url,
      `${origin}/mcp?access_token=<valid token>`,
    );
  });
});

Deno.test("send() records the Authorization header as it went out: fetch trims `Bearer ` to `Bearer`", async () => {
  let received: string | null = "";
  await withServer((request) => {
    received = request.headers.get("authorization");
    return new Response("no", { status: 401 });
  }, async (origin) => {
    const probe = createProbe({ mcpUrl: `${origin}/mcp`, timeoutMs: 5_000 });
    const recording = probe.record();
    await probe.send({ authorization: "Bearer " });
    const [exchange] = recording.stop();
    assert.equal(received, "Bearer");
    assert.equal(exchange.request.authorization, received);
  });
});

Deno.test("send() cuts an HTML body to its title and hides the secrets it was given", async () => {
  const secret = "live-token-value";
  const page =
    `<!DOCTYPE html><html><head><title>502 Bad\n Gateway</title></head><body>${
      "x".repeat(5000)
    } ${secret}</body></html>`;
  await withServer(
    (request) =>
      new URL(request.url).pathname === "/page"
        ? new Response(page, {
          status: 502,
          headers: { "content-type": "text/html; charset=utf-8" },
        })
        : new Response(`echo ${request.headers.get("x-echo")}`),
    async (origin) => {
      const probe = createProbe({
        mcpUrl: `${origin}/mcp`,
        timeoutMs: 5_000,
        secrets: [{ value: secret, label: "token from --token-file" }],
      });
      const recording = probe.record();
      await probe.send({ method: "GET", url: `${origin}/page` });
      await probe.send({ headers: { "x-echo": secret } });
      const [html, echoed] = recording.stop();
      assert.equal(html.response?.body, '(HTML page "502 Bad Gateway")');
      assert.equal(echoed.response?.body, "echo <token from --token-file>");
    },
  );
});

Deno.test("summarizeBody() keeps short text, cuts long text and reduces HTML to its title", async (t) => {
  const rows: ReadonlyArray<readonly [string, string | null, string]> = [
    ['{"error":"x"}', "application/json", '{"error":"x"}'],
    ["a".repeat(700), null, `${"a".repeat(600)}…`],
    ["<html><body>no title</body></html>", null, "(HTML page without a title)"],
    [
      "  <!doctype HTML>\n<title>Oops</title>",
      "text/plain",
      '(HTML page "Oops")',
    ],
    ["<p>fragment</p>", "text/html", "(HTML page without a title)"],
    ["", null, ""],
  ];
  for (const [text, type, expected] of rows) {
    await t.step(JSON.stringify(text.slice(0, 30)), () => {
      assert.equal(summarizeBody(text, type), expected);
    });
  }
});
