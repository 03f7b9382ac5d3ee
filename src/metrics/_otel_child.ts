// Child process of otel_test.ts: records a few things through
// createOtelMetrics() and waits for Deno to export them.
import { createOtelMetrics } from "./otel.ts";

const metrics = createOtelMetrics({ routes: ["/mcp"] });
metrics.request({
  route: "/mcp",
  method: "POST",
  status: 200,
  durationSeconds: 0.001,
});
metrics.request({
  route: "/mcp",
  method: "POST",
  status: 200,
  durationSeconds: 0.003,
});
metrics.request({
  route: "/elsewhere",
  method: "GET",
  status: 404,
  durationSeconds: 0,
});
metrics.auth("invalid_token", "expired");
metrics.jwksFetch("failed");
metrics.watchTokenCache(() => ({
  hits: 4,
  misses: 1,
  skipped: 0,
  evictions: 0,
  revoked: 0,
  entries: 1,
}));
// Two export intervals (OTEL_METRIC_EXPORT_INTERVAL=200), then exit; Deno
// flushes once more at exit.
await new Promise((resolve) => setTimeout(resolve, 600));
