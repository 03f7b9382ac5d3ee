import assert from "node:assert/strict";

// Deno's built-in OpenTelemetry export, for real: a child process with
// OTEL_DENO=true records through createOtelMetrics(), and a loopback OTLP
// receiver (http/json) collects what it exports.
Deno.test("createOtelMetrics() is exported over OTLP by Deno's OpenTelemetry support", async () => {
  const received: unknown[] = [];
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      if (new URL(request.url).pathname === "/v1/metrics") {
        received.push(await request.json());
      } else {
        await request.body?.cancel();
      }
      return Response.json({});
    },
  );
  try {
    const script = new URL("./_otel_child.ts", import.meta.url).pathname;
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-env", script],
      env: {
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_METRIC_EXPORT_INTERVAL: "200",
        OTEL_DENO_CONSOLE: "ignore",
        OTEL_SERVICE_NAME: "mcp-scalekit-test",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(child.success, new TextDecoder().decode(child.stderr));
    interface OtlpPoint {
      attributes?: { key: string; value: { stringValue?: string } }[];
      asInt?: string | number;
      asDouble?: number;
      count?: string | number;
    }
    interface OtlpMetric {
      name: string;
      sum?: { dataPoints?: OtlpPoint[] };
      gauge?: { dataPoints?: OtlpPoint[] };
      histogram?: { dataPoints?: OtlpPoint[] };
    }
    interface OtlpBody {
      resourceMetrics: { scopeMetrics?: { metrics?: OtlpMetric[] }[] }[];
    }
    const points = new Map<
      string,
      { attributes: Record<string, unknown>; value: unknown }[]
    >();
    for (const body of received) {
      for (const rm of (body as OtlpBody).resourceMetrics) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const metric of sm.metrics ?? []) {
            const data = metric.sum ?? metric.gauge ?? metric.histogram;
            for (const point of data?.dataPoints ?? []) {
              const attributes = Object.fromEntries(
                (point.attributes ?? []).map((
                  a,
                ) => [a.key, a.value.stringValue]),
              );
              const list = points.get(metric.name) ?? [];
              list.push({
                attributes,
                value: point.asInt ?? point.asDouble ?? point.count,
              });
              points.set(metric.name, list);
            }
          }
        }
      }
    }
    const last = (name: string, match: Record<string, string>) =>
      points.get(name)?.filter((p) =>
        Object.entries(match).every(([k, v]) => p.attributes[k] === v)
      ).at(-1)?.value;
    assert.equal(
      Number(
        last("mcp.http.requests", {
          route: "/mcp",
          method: "POST",
          status: "200",
        }),
      ),
      2,
    );
    assert.equal(
      Number(
        last("mcp.http.requests", {
          route: "unmatched",
          method: "GET",
          status: "404",
        }),
      ),
      1,
    );
    assert.equal(
      Number(last("mcp.http.request.duration", { route: "/mcp" })),
      2,
    );
    assert.equal(
      Number(
        last("mcp.auth.decisions", {
          outcome: "invalid_token",
          kind: "expired",
        }),
      ),
      1,
    );
    assert.equal(Number(last("mcp.jwks.fetches", { result: "failed" })), 1);
    assert.equal(Number(last("mcp.token_cache.lookups", { result: "hit" })), 4);
    assert.equal(Number(last("mcp.token_cache.entries", {})), 1);
  } finally {
    await receiver.shutdown();
  }
});
