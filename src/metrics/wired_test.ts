// The metrics as the server serves them, over real HTTP: a scrape of
// MCP_METRICS_PORT after a 401 (no token, and a malformed one), a 403
// insufficient_scope and good calls counts each under the right labels,
// with one worker and summed over two; the endpoint is on loopback only
// and not on the main port.
import assert from "node:assert/strict";
import { startMockIssuer } from "../../conformance/issuer/mod.ts";
import { mcpHeaders, toolCall } from "../../fixtures/harness.ts";
import {
  type ServerProcess,
  startServerProcess,
} from "../../fixtures/server_instance.ts";

const RESOURCE = "res_metrics";

function valueOf(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** An address of this host that is not loopback, if it has one. */
async function otherAddress(): Promise<string | undefined> {
  try {
    const { stdout } = await new Deno.Command("hostname", {
      args: ["-I"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(stdout).split(/\s+/).find((a) =>
      /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith("127.")
    );
  } catch {
    return undefined;
  }
}

for (const workers of [1, 2]) {
  Deno.test(`MCP_METRICS_PORT with MCP_WORKERS=${workers}: 401, 403 and good calls are counted under their labels, on loopback only`, async () => {
    const issuer = await startMockIssuer({
      resources: [{ id: RESOURCE, scopes: ["todo:read", "todo:write"] }],
    });
    const dir = await Deno.makeTempDir({ prefix: "mcp-metrics-" });
    let server: ServerProcess | undefined;
    const fresh = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      server = await startServerProcess({
        cwd: dir,
        env: {
          FASTMCP_SERVER_AUTH: "scalekit",
          SCALEKIT_ENVIRONMENT_URL: issuer.url,
          SCALEKIT_RESOURCE_ID: RESOURCE,
          BASE_URL: "http://127.0.0.1:3002",
          MCP_METRICS_PORT: "0",
          MCP_WORKERS: String(workers),
          DATABASE_URL: `sqlite:${dir}/todos.db`,
        },
        readyEvent: workers > 1 ? "workers_ready" : "ready",
      });
      const post = async (token: string | undefined, body: string) => {
        const response = await fetch(server!.mcpUrl, {
          method: "POST",
          headers: mcpHeaders(token),
          body,
          client: fresh,
        });
        await response.body?.cancel();
        return response.status;
      };
      const reader = await issuer.mint({
        resourceId: RESOURCE,
        scopes: ["todo:read"],
      });
      assert.equal(await post(undefined, toolCall("list_todos")), 401);
      assert.equal(await post("not-a-jwt", toolCall("list_todos")), 401);
      assert.equal(
        await post(reader, toolCall("create_todo", { title: "x" })),
        403,
      );
      const good = 6;
      for (let i = 0; i < good; i++) {
        assert.equal(await post(reader, toolCall("list_todos")), 200);
      }
      if (workers > 1) {
        const answered = new Set(
          server.logs.filter((l) => l.event === "request").map((l) => l.worker),
        );
        assert.equal(answered.size, 2, "requests landed on both workers");
      }

      const endpoint = server.logs.find((l) => l.event === "metrics_listening");
      const address = String(endpoint?.address);
      assert.match(address, /^127\.0\.0\.1:\d+$/);
      const port = Number(address.split(":")[1]);
      const scrape = await fetch(`http://${address}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get("content-type") ?? "", /^text\/plain/);
      const text = await scrape.text();
      const requests = (status: number) =>
        valueOf(
          text,
          `mcp_http_requests_total{route="/mcp",method="POST",status="${status}"}`,
        );
      assert.equal(requests(401), 2);
      assert.equal(requests(403), 1);
      assert.equal(requests(200), good);
      const decisions = (outcome: string, kind = "") =>
        valueOf(
          text,
          `mcp_auth_decisions_total{outcome="${outcome}",kind="${kind}"}`,
        );
      assert.equal(decisions("missing_token"), 1);
      assert.equal(decisions("invalid_token", "malformed"), 1);
      assert.equal(decisions("insufficient_scope"), 1);
      assert.equal(decisions("accepted"), good);
      // Each worker that verified a token fetched the keys once.
      const fetched = valueOf(text, 'mcp_jwks_fetches_total{result="ok"}');
      assert.ok(fetched !== undefined && fetched >= 1 && fetched <= workers);
      assert.equal(
        valueOf(
          text,
          'mcp_http_request_duration_seconds_count{route="/mcp",method="POST"}',
        ),
        good + 3,
      );

      // Not on the main port, and not on any address but loopback.
      const main = await fetch(`${server.origin}/metrics`);
      assert.equal(main.status, 404);
      await main.body?.cancel();
      const other = await otherAddress();
      if (other !== undefined) {
        await assert.rejects(
          Deno.connect({ hostname: other, port }),
          Deno.errors.ConnectionRefused,
        );
      }
      assert.equal(await server.stop(), 0);
    } finally {
      fresh.close();
      await server?.[Symbol.asyncDispose]();
      await issuer.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("with OTEL_DENO=true the server's request counts reach an OTLP receiver", async () => {
  const received: string[] = [];
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      if (new URL(request.url).pathname === "/v1/metrics") {
        received.push(await request.text());
      } else {
        await request.body?.cancel();
      }
      return Response.json({});
    },
  );
  const dir = await Deno.makeTempDir({ prefix: "mcp-otlp-" });
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      cwd: dir,
      env: {
        DATABASE_URL: `sqlite:${dir}/todos.db`,
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_METRIC_EXPORT_INTERVAL: "200",
        OTEL_DENO_CONSOLE: "ignore",
        // Deno flushes one last export at exit and waits for it up to
        // this long (default 10 s), which would outlast the stop below.
        OTEL_EXPORTER_OTLP_TIMEOUT: "2000",
      },
    });
    for (let i = 0; i < 3; i++) {
      // No idle keep-alive connection left behind: the drain waits for one
      // (up to the 5 s keep-alive timeout), and the exit after it, with
      // Deno's last OTLP export, sometimes took the rest of the stop's
      // 15 s (1 run in 6 or so on a loaded machine); without, both take
      // well under a second.
      const response: Response = await fetch(`${server.origin}/health`, {
        headers: { Connection: "close" },
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
    // Each export holds the cumulative count: 3 once all have landed.
    const counted = () =>
      received.some((text) =>
        healthCounts(JSON.parse(text)).some((value) => value === 3)
      );
    for (let i = 0; i < 150 && !counted(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(
      counted(),
      `mcp.http.requests for /health reached 3 over OTLP; got ${
        JSON.stringify(received.flatMap((t) => healthCounts(JSON.parse(t))))
      } in ${received.length} exports`,
    );
    const code = await server.stop();
    assert.equal(code, 0, JSON.stringify(server.logs.slice(-6)));
  } finally {
    await server?.[Symbol.asyncDispose]();
    await receiver.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

interface OtlpPoint {
  readonly attributes?: readonly {
    readonly key: string;
    readonly value: { readonly stringValue?: string };
  }[];
  readonly asInt?: string | number;
  readonly asDouble?: number;
}

/** The values of `mcp.http.requests{route="/health"}` in one OTLP export. */
function healthCounts(body: {
  resourceMetrics?: {
    scopeMetrics?: {
      metrics?: { name: string; sum?: { dataPoints?: OtlpPoint[] } }[];
    }[];
  }[];
}): number[] {
  const values: number[] = [];
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        if (metric.name !== "mcp.http.requests") continue;
        for (const point of metric.sum?.dataPoints ?? []) {
          const route = point.attributes?.find((a) => a.key === "route");
          if (route?.value.stringValue !== "/health") continue;
          values.push(Number(point.asInt ?? point.asDouble));
        }
      }
    }
  }
  return values;
}
