import assert from "node:assert/strict";
import { createDrainer } from "./drain.ts";

const info = {} as Deno.ServeHandlerInfo<Deno.NetAddr>;

Deno.test("drain() waits for in-flight requests and refuses new ones", async () => {
  const drainer = createDrainer();
  let release!: () => void;
  const handler = drainer.wrap(() =>
    new Promise<Response>((resolve) => {
      release = () => resolve(new Response("done"));
    })
  );
  const inFlight = handler(new Request("http://x/"), info);
  assert.equal(drainer.inFlight, 1);

  let drained: boolean | undefined;
  const draining = drainer.drain(60_000).then((ok) => (drained = ok));
  const refused = await handler(new Request("http://x/"), info);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "5");
  assert.equal((await refused.json()).error, "shutting_down");
  assert.equal(drained, undefined, "still waiting for the first request");

  release();
  assert.equal(await (await inFlight).text(), "done");
  await draining;
  assert.equal(drained, true);
});

Deno.test("drain() gives up after the grace period", async () => {
  const drainer = createDrainer();
  const handler = drainer.wrap(() => new Promise<Response>(() => {}));
  void handler(new Request("http://x/"), info);
  assert.equal(await drainer.drain(1), false);
});

Deno.test("drain() resolves at once when idle", async () => {
  assert.equal(await createDrainer().drain(60_000), true);
});
