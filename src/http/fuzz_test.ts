/**
 * A bounded fuzz suite (issue 9), with fast-check: `Authorization`
 * headers, JWT segments and claims, JSON-RPC bodies and batches (with
 * cancellations), and tool arguments, sent to the real app in-process.
 *
 * Properties on every run: no 5xx, no hang (each request is bounded), no
 * crash (the app keeps answering), no token text in any response or log
 * line, and every answer is one this server documents (its status, and a
 * JSON error body or a JSON-RPC answer).
 *
 * Runs are fixed in number; the seed is fixed too, and printed, so a
 * failure can be replayed: `FUZZ_SEED=<seed> deno task test`. Set
 * `FUZZ_RUNS` for a longer local session.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { base64url } from "jose";
import {
  type Harness,
  mcpHeaders,
  MODERN_REVISION,
  startHarness,
} from "../../fixtures/harness.ts";
import { within } from "../../fixtures/net.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261128);
const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 300);
console.log(`fuzz: seed ${SEED}, ${RUNS} runs per property`);

/** Statuses this server documents for the MCP endpoint (README, "Refusals"). */
const DOCUMENTED = new Set([200, 202, 400, 401, 403, 405, 406, 413, 415, 429]);

const ENV = {
  // The fuzz sends thousands of requests as one caller; the rate limits
  // have tests of their own.
  MCP_RATE_LIMIT_PER_CALLER: "0",
  MCP_MAX_BODY_BYTES: "65536",
};

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness({ env: ENV });
  try {
    await fn(h);
    // No crash: the app still answers a plain request.
    const health = await h.fetch("/health");
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await h.close();
  }
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Sends one request with a time bound, and checks what every answer must be. */
async function send(
  h: Harness,
  init: RequestInit,
  secrets: readonly string[],
): Promise<Answer> {
  const logsBefore = h.rawLogs.length;
  const res = await within(
    10_000,
    h.fetch("/mcp", { method: "POST", ...init }),
  );
  const text = await within(10_000, res.text());
  const answer = { status: res.status, headers: res.headers, text };
  assert.ok(
    DOCUMENTED.has(res.status),
    `undocumented status ${res.status}: ${text.slice(0, 300)}`,
  );
  const type = res.headers.get("content-type") ?? "";
  if (res.status !== 202) {
    assert.ok(
      type.startsWith("application/json") ||
        type.startsWith("text/event-stream"),
      `status ${res.status} with content type "${type}"`,
    );
  }
  if (type.startsWith("application/json") && res.status !== 200) {
    const body = JSON.parse(text);
    assert.ok(
      typeof body.error === "string" ||
        (body.jsonrpc === "2.0" && typeof body.error?.code === "number"),
      `an error body that is neither shape: ${text.slice(0, 300)}`,
    );
  }
  const written = [
    text,
    [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n"),
    ...h.rawLogs.slice(logsBefore),
  ].join("\n");
  for (const secret of secrets) {
    if (secret.length < 16) continue;
    assert.ok(!written.includes(secret), "token text was echoed or logged");
  }
  return answer;
}

const jsonRpcId = fc.oneof(
  fc.integer({ min: -5, max: 50 }),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.constant(undefined),
);

const METHODS = [
  "tools/call",
  "tools/list",
  "resources/read",
  "resources/list",
  "prompts/get",
  "initialize",
  "ping",
  "notifications/cancelled",
  "notifications/initialized",
  "server/discover",
  "nope/nope",
];
const TOOLS = [
  "create_todo",
  "list_todos",
  "get_todo",
  "update_todo",
  "delete_todo",
  "bulk_delete_todos",
  "export_all_todos",
  "whoami",
  "auth_status",
  "no_such_tool",
];

/** Tool arguments: the right keys with wrong or odd values, and noise. */
const toolArguments = fc.oneof(
  fc.record({
    title: fc.oneof(fc.string({ maxLength: 600 }), fc.jsonValue()),
    description: fc.oneof(fc.string({ maxLength: 50 }), fc.jsonValue()),
    todo_id: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 })),
    completed: fc.oneof(fc.boolean(), fc.jsonValue()),
    limit: fc.oneof(fc.integer({ min: -10, max: 2000 }), fc.double()),
    cursor: fc.oneof(fc.base64String({ maxLength: 80 }), fc.jsonValue()),
    focus: fc.string({ maxLength: 40 }),
  }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 4 }),
);

const message = fc.record({
  jsonrpc: fc.oneof(
    { weight: 10, arbitrary: fc.constant("2.0") },
    { weight: 1, arbitrary: fc.constant("1.0") },
    { weight: 1, arbitrary: fc.jsonValue() },
  ),
  id: jsonRpcId,
  method: fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  ),
  params: fc.oneof(
    fc.record({
      name: fc.oneof(fc.constantFrom(...TOOLS, "plan_my_day"), fc.string()),
      arguments: toolArguments,
      uri: fc.constantFrom("todo://todos", "todo://todos/x", "bad uri", ""),
      requestId: jsonRpcId,
      protocolVersion: fc.constantFrom("2025-06-18", "2025-03-26", "x"),
    }, { requiredKeys: [] }),
    fc.jsonValue({ maxDepth: 3 }),
  ),
}, { requiredKeys: ["jsonrpc", "method"] });

/** A batch whose later messages may cancel the earlier ones. */
const batch = fc.array(message, { minLength: 0, maxLength: 24 }).chain((ms) =>
  fc.subarray(ms).map((cancelled) => [
    ...ms,
    ...cancelled.map((m) => ({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: (m as { id?: unknown }).id, reason: "fuzz" },
    })),
  ])
);

Deno.test("fuzz: Authorization headers and JWT segments never give a 5xx, a hang or an echoed token", async () => {
  await withHarness(async (h) => {
    const valid = await h.issuer.mint();
    const [header, payload, signature] = valid.split(".");
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.base64String({ maxLength: 60 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) =>
        base64url.encode(JSON.stringify(v) ?? "null")
      ),
      fc.constantFrom(header, payload, signature, ""),
    );
    const jwtLike = fc.tuple(segment, segment, segment).map((parts) =>
      parts.join(".")
    );
    const authorization = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.tuple(
        fc.constantFrom("Bearer ", "bearer ", "Bearer  ", "Basic ", "Bearer"),
        fc.oneof(jwtLike, fc.string({ maxLength: 100 })),
      ).map(([scheme, token]) => scheme + token),
      fc.constantFrom(`Bearer ${valid}x`, `Bearer ${valid.slice(0, -2)}`),
    );
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        let headers: Headers;
        try {
          headers = new Headers({ ...mcpHeaders(), authorization: value });
        } catch {
          return; // not a legal header value: no client can send it
        }
        const token = value.replace(/^\S+\s+/, "");
        const answer = await send(h, {
          headers,
          body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
        }, [token, valid]);
        assert.ok(answer.status === 401 || answer.status === 200);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});

Deno.test("fuzz: claims of any type in a correctly signed token are refused or served, never a 5xx", async () => {
  await withHarness(async (h) => {
    const claim = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constant(undefined),
      fc.double(),
      fc.constantFrom(1e400, -1, 0, 2 ** 53, "", "todo:read todo:write"),
    );
    const claims = fc.record({
      sub: claim,
      exp: claim,
      nbf: claim,
      iat: claim,
      aud: claim,
      client_id: claim,
      azp: claim,
      oid: claim,
      scope: claim,
      scopes: claim,
      scp: claim,
    }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(claims, async (overrides) => {
        let token: string;
        try {
          token = await h.issuer.mint({ claims: overrides });
        } catch {
          return; // jose will not sign it (a non-finite exp): no client has it
        }
        const answer = await send(h, {
          headers: mcpHeaders(token),
          body:
            '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}',
        }, [token]);
        assert.ok(
          [200, 401, 403].includes(answer.status),
          `status ${answer.status}`,
        );
        if (answer.status === 200) {
          const body = JSON.parse(answer.text);
          assert.notEqual(body.result?.isError, true, answer.text);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});

Deno.test("fuzz: JSON-RPC bodies and batches, with cancellations, in both eras: every request answered", async () => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    const body = fc.oneof(
      { weight: 3, arbitrary: batch.map((b) => JSON.stringify(b)) },
      { weight: 3, arbitrary: message.map((m) => JSON.stringify(m)) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (text, modern) => {
        const headers: Record<string, string> = mcpHeaders(token);
        if (modern) headers["mcp-protocol-version"] = MODERN_REVISION;
        const answer = await send(h, { headers, body: text }, [token]);
        if (
          answer.status !== 200 ||
          !answer.headers.get("content-type")?.startsWith("application/json")
        ) return;
        // Every request of a served batch has exactly one answer.
        let sent: unknown;
        try {
          sent = JSON.parse(text);
        } catch {
          return;
        }
        if (!Array.isArray(sent)) return;
        const ids = sent.flatMap((m) =>
          typeof m === "object" && m !== null &&
            typeof (m as { method?: unknown }).method === "string" &&
            ["string", "number"].includes(typeof (m as { id?: unknown }).id)
            ? [(m as { id: string | number }).id]
            : []
        );
        const got = JSON.parse(answer.text);
        const answers = Array.isArray(got) ? got : [got];
        const answered = answers.map((a: { id: unknown }) => a.id);
        assert.deepEqual(
          [...answered].sort(),
          [...ids].sort(),
          `answers ${JSON.stringify(answered)} for ids ${JSON.stringify(ids)}`,
        );
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});

Deno.test("fuzz: tool arguments of any shape get a result or a tool error, never a 5xx", async () => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TOOLS),
        toolArguments,
        async (name, args) => {
          const answer = await send(h, {
            headers: mcpHeaders(token),
            body: JSON.stringify({
              jsonrpc: "2.0",
              id: 1,
              method: "tools/call",
              params: { name, arguments: args },
            }),
          }, [token]);
          assert.ok([200, 400].includes(answer.status), `${answer.status}`);
          const body = JSON.parse(answer.text);
          assert.ok(
            body.result !== undefined || typeof body.error?.code === "number",
            answer.text.slice(0, 300),
          );
          assert.doesNotMatch(answer.text, /internal error/i);
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
