import assert from "node:assert/strict";
import { serveMetrics } from "./endpoint.ts";
import { createPrometheusMetrics } from "./prometheus.ts";

Deno.test("serveMetrics() serves the Prometheus text format at GET /metrics on loopback", async () => {
  const metrics = createPrometheusMetrics({ routes: ["/mcp"] });
  metrics.request({
    route: "/mcp",
    method: "POST",
    status: 200,
    durationSeconds: 0.001,
  });
  const endpoint = serveMetrics({ port: 0, registry: metrics.registry });
  try {
    assert.equal(endpoint.addr.hostname, "127.0.0.1");
    const base = `http://127.0.0.1:${endpoint.addr.port}`;
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get("content-type") ?? "",
      /^text\/plain; version=0\.0\.4/,
    );
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.match(
      await response.text(),
      /^mcp_http_requests_total\{route="\/mcp",method="POST",status="200"\} 1$/m,
    );
    const other = await fetch(`${base}/`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    await post.body?.cancel();
  } finally {
    await endpoint.shutdown();
  }
});

Deno.test("serveMetrics() refuses to listen anywhere but loopback", () => {
  const { registry } = createPrometheusMetrics({ routes: [] });
  for (const hostname of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) {
    assert.throws(
      () => serveMetrics({ port: 0, hostname, registry }),
      TypeError,
      hostname,
    );
  }
});
