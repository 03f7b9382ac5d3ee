/**
 * A soak test (issue 9): the server as a separate process, a few minutes
 * of mixed traffic (valid calls in both eras, bad tokens, malformed and
 * oversized bodies, cancelled batches) plus slow clients that stall their
 * headers or bodies, and idle connections. It checks:
 *
 * - every answer is the one expected for what was sent (no 5xx, no
 *   surprise status), and no request hangs;
 * - the server logs nothing at error level;
 * - resident memory, once warm, stays within 10% (median of the first
 *   three samples after warm-up against the median of the last three);
 * - descriptors come back to where they were.
 *
 * `SOAK_SECONDS` changes the length (default 150).
 */
import assert from "node:assert/strict";
import { startMockIssuer } from "./conformance/issuer/mod.ts";
import { mcpHeaders, rpcRequest } from "./fixtures/harness.ts";
import { freePort, within } from "./fixtures/net.ts";
import {
  jsonLines,
  processUsage,
  spawnServer,
} from "./fixtures/server_process.ts";

const SECONDS = Number(Deno.env.get("SOAK_SECONDS") ?? 150);
const WORKERS = 12;
const SLOW_CLIENTS = 6;
const SAMPLE_MS = 5_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name:
    `soak: ${SECONDS} s of mixed traffic and slow clients; no unexpected answer, no error log, memory flat`,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const issuer = await startMockIssuer({
      resources: [{
        id: "res_soak",
        url: `${base}/mcp`,
        scopes: ["todo:read", "todo:write", "todo:admin"],
      }],
    });
    const child = spawnServer({
      SCALEKIT_ENVIRONMENT_URL: issuer.url,
      SCALEKIT_RESOURCE_ID: "res_soak",
      BASE_URL: base,
      PORT: String(port),
      LOG_LEVEL: "warn",
      MCP_RATE_LIMIT_PER_ADDRESS: "0",
      MCP_RATE_LIMIT_PER_CALLER: "0",
      MCP_MAX_CONCURRENT_REQUESTS_PER_CALLER: "32",
      MCP_HEADERS_TIMEOUT_SECONDS: "2",
      MCP_BODY_TIMEOUT_SECONDS: "2",
      MCP_MAX_BODY_BYTES: "65536",
    });
    const stdout = jsonLines(child.stdout);
    const stderr = jsonLines(child.stderr);
    const reading = Promise.all([stdout.readUntil(), stderr.readUntil()]);
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: WORKERS });
    const stats = new Map<string, number>();
    const unexpected: string[] = [];
    const count = (key: string) => stats.set(key, (stats.get(key) ?? 0) + 1);
    try {
      await within(
        30_000,
        (async () => {
          while (
            !await fetch(`${base}/health`).then(async (r) => {
              await r.body?.cancel();
              return r.ok;
            }, () => false)
          ) await sleep(100);
        })(),
      );
      const tokens = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          issuer.mint({ subject: `usr_soak_${i}`, organizationId: null })
        ),
      );
      const badTokens = await Promise.all(
        (["expired", "wrong_audience", "unknown_kid", "garbage"] as const)
          .map((kind) => issuer.mintBad(kind, { resourceId: "res_soak" })),
      );

      /** One request: what to send and which statuses are right for it. */
      type Shot = {
        readonly kind: string;
        readonly init: RequestInit;
        readonly ok: readonly number[];
      };
      const call = (token: string, name: string, args = {}, id = 1) => ({
        kind: name,
        init: {
          method: "POST",
          headers: mcpHeaders(token),
          body: JSON.stringify({
            jsonrpc: "2.0",
            id,
            method: "tools/call",
            params: { name, arguments: args },
          }),
        },
        ok: [200],
      });
      const shots = (i: number): Shot[] => {
        const token = tokens[i % tokens.length];
        const modern = rpcRequest("modern", "tools/call", {
          name: "whoami",
          arguments: {},
        }, { token });
        return [
          {
            ...call(token, "create_todo", {
              title: `soak ${i}`,
              description: "d",
            }),
            kind: "create_then_delete",
          },
          call(token, "list_todos", { limit: 20 }),
          call(token, "bulk_delete_todos"),
          { kind: "modern_whoami", init: modern, ok: [200] },
          {
            kind: "bad_token",
            init: {
              method: "POST",
              headers: mcpHeaders(badTokens[i % badTokens.length]),
              body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
            },
            ok: [401],
          },
          {
            kind: "no_token",
            init: { method: "POST", headers: mcpHeaders(), body: "{}" },
            ok: [401],
          },
          {
            kind: "not_json",
            init: { method: "POST", headers: mcpHeaders(token), body: "{x" },
            ok: [400],
          },
          {
            kind: "too_deep",
            init: {
              method: "POST",
              headers: mcpHeaders(token),
              body: "[".repeat(100) + "]".repeat(100),
            },
            ok: [400],
          },
          {
            kind: "too_big",
            init: {
              method: "POST",
              headers: mcpHeaders(token),
              body: JSON.stringify({ pad: "x".repeat(70_000) }),
            },
            ok: [413],
          },
          {
            kind: "cancelled_batch",
            init: {
              method: "POST",
              headers: mcpHeaders(token),
              body: JSON.stringify([
                {
                  jsonrpc: "2.0",
                  id: i,
                  method: "tools/call",
                  params: { name: "create_todo", arguments: { title: "x" } },
                },
                {
                  jsonrpc: "2.0",
                  method: "notifications/cancelled",
                  params: { requestId: i },
                },
              ]),
            },
            ok: [200],
          },
        ];
      };

      const started = Date.now();
      const end = started + SECONDS * 1000;
      const warmUntil = started + SECONDS * 300; // 30% of the run
      const samples: Array<{ at: number; rssKiB: number }> = [];
      const sampler = (async () => {
        while (Date.now() < end) {
          await sleep(SAMPLE_MS);
          samples.push({ at: Date.now(), ...await processUsage(child.pid) });
        }
      })();

      const worker = async (w: number) => {
        let i = w;
        while (Date.now() < end) {
          const list = shots(i);
          const shot = list[i % list.length];
          i += WORKERS;
          try {
            const res = await within(
              20_000,
              fetch(`${base}/mcp`, { ...shot.init, client }),
            );
            const text = await within(20_000, res.text());
            count(`${shot.kind} ${res.status}`);
            if (!shot.ok.includes(res.status)) {
              unexpected.push(
                `${shot.kind}: ${res.status} ${text.slice(0, 200)}`,
              );
            } else if (shot.kind === "create_then_delete") {
              // Keep the store's size steady, so memory measures the server.
              const id = JSON.parse(text).result.structuredContent.todo.id;
              const token = String(
                (shot.init.headers as Record<string, string>).authorization,
              ).slice(7);
              const del = await within(
                20_000,
                fetch(`${base}/mcp`, {
                  ...call(token, "delete_todo", { todo_id: id }).init,
                  client,
                }),
              );
              const answer = await del.json();
              count(`delete_todo ${del.status}`);
              if (answer.result?.structuredContent?.deleted !== id) {
                unexpected.push(
                  `delete_todo: ${JSON.stringify(answer).slice(0, 200)}`,
                );
              }
            } else if (shot.kind === "cancelled_batch") {
              if (JSON.parse(text).error?.code !== -32800) {
                unexpected.push(
                  `cancelled_batch answered ${text.slice(0, 200)}`,
                );
              }
            }
          } catch (error) {
            unexpected.push(`${shot.kind}: ${String(error).slice(0, 200)}`);
          }
        }
      };

      // Slow clients: stall headers, stall a body, or open and wait.
      const slow = async (s: number, tokens: readonly string[]) => {
        while (Date.now() < end) {
          try {
            const conn = await Deno.connect({ hostname: "127.0.0.1", port });
            const write = (text: string) =>
              conn.write(new TextEncoder().encode(text)).catch(() => 0);
            if (s % 3 === 0) {
              await write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            } else if (s % 3 === 1) {
              // Authenticated, so the server waits for the body (then 408).
              await write(
                `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${
                  tokens[0]
                }\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{`,
              );
            }
            // The server closes it after its timeout; read until then.
            const buffer = new Uint8Array(4096);
            await within(
              15_000,
              (async () => {
                while (await conn.read(buffer).catch(() => null) !== null) {
                  // discard
                }
              })(),
            ).then(() => count("slow client closed by server"), () => {
              unexpected.push("a slow client was never closed");
            });
            try {
              conn.close();
            } catch { /* closed */ }
          } catch (error) {
            unexpected.push(`slow client: ${String(error).slice(0, 200)}`);
            await sleep(500);
          }
        }
      };

      const before = await processUsage(child.pid);
      await Promise.all([
        ...Array.from({ length: WORKERS }, (_, w) => worker(w)),
        ...Array.from({ length: SLOW_CLIENTS }, (_, s) => slow(s, tokens)),
        sampler,
      ]);
      client.close();
      await sleep(7_000); // keep-alive connections time out
      const after = await processUsage(child.pid);

      const warm = samples.filter((s) => s.at >= warmUntil);
      const first = median(warm.slice(0, 3).map((s) => s.rssKiB));
      const last = median(warm.slice(-3).map((s) => s.rssKiB));
      const total = [...stats.values()].reduce((a, b) => a + b, 0);
      console.log(
        `soak: ${total} requests in ${SECONDS} s; ${
          JSON.stringify(Object.fromEntries([...stats].sort()))
        }`,
      );
      console.log(
        `soak: RSS warm ${first} KiB -> end ${last} KiB (${
          ((last - first) / first * 100).toFixed(1)
        }%), samples ${
          samples.map((s) => Math.round(s.rssKiB / 1024)).join(" ")
        } MiB; fds ${before.fds} -> ${after.fds}`,
      );
      assert.deepEqual(unexpected.slice(0, 10), []);
      assert.ok(warm.length >= 6, `${warm.length} samples once warm`);
      assert.ok(
        Math.abs(last - first) <= first * 0.1,
        `memory moved ${first} -> ${last} KiB once warm`,
      );
      assert.ok(
        after.fds <= before.fds + 3,
        `fds ${before.fds} -> ${after.fds}`,
      );
    } finally {
      try {
        child.kill("SIGTERM");
      } catch { /* exited */ }
      await child.status;
      await reading;
      await issuer.close();
    }
    const errors = [...stdout.lines, ...stderr.lines].filter((l) =>
      l.level === "error"
    );
    assert.deepEqual(errors, []);
  },
});
