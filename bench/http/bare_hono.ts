// The floor of `deno task bench:http`: a Hono app with one route on a bare
// `Deno.serve`, without this server's connection layer, middleware or
// logging. Port from PORT.
import { Hono } from "hono";

const app = new Hono();
app.get("/health", (c) => c.json({ status: "healthy" }));
Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT") ?? 0),
  onListen: ({ port }) => console.log(`listening on ${port}`),
}, app.fetch);
