import assert from "node:assert/strict";
import { createDrainer } from "./drain.ts";

const info = {} as Deno.ServeHandlerInfo<Deno.NetAddr>;

/** Handler info whose `completed` the test settles, as Deno does once a response is sent. */
function sentLater() {
  let sent!: () => void;
  const completed = new Promise<void>((resolve) => (sent = resolve));
  return {
    info: { remoteAddr: {} as Deno.NetAddr, completed },
    sent,
  };
}

/** A handler whose requests each wait until the test answers them. */
function heldHandler() {
  const answers: Array<() => void> = [];
  const handler = () =>
    new Promise<Response>((resolve) => {
      answers.push(() => resolve(new Response("done")));
    });
  return { handler, answers };
}

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

Deno.test("drain() ends only when every in-flight request has ended, not the first", async () => {
  const drainer = createDrainer();
  const { handler, answers } = heldHandler();
  const wrapped = drainer.wrap(handler);
  const requests = [1, 2, 3].map(() => wrapped(new Request("http://x/"), info));
  assert.equal(drainer.inFlight, 3);
  let drained: boolean | undefined;
  const draining = drainer.drain(60_000).then((ok) => (drained = ok));
  for (const [index, answer] of answers.entries()) {
    answer();
    await requests[index];
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (index < answers.length - 1) {
      assert.equal(drained, undefined, `still draining after ${index + 1}`);
    }
  }
  await draining;
  assert.equal(drained, true);
});

Deno.test("drain() waits until a response has been sent, not just returned", async () => {
  const drainer = createDrainer();
  const wrapped = drainer.wrap(() => new Response("streaming"));
  const { info: pending, sent } = sentLater();
  await wrapped(new Request("http://x/"), pending);
  assert.equal(drainer.inFlight, 1, "the body is still being written");
  let drained: boolean | undefined;
  const draining = drainer.drain(60_000).then((ok) => (drained = ok));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(drained, undefined);
  sent();
  await draining;
  assert.equal(drained, true);
  assert.equal(drainer.inFlight, 0);
});

Deno.test("drain() marks every response Connection: close, the in-flight ones too", async () => {
  const drainer = createDrainer();
  const { handler, answers } = heldHandler();
  const wrapped = drainer.wrap(handler);
  const before = await (async () => {
    const request = wrapped(new Request("http://x/"), info);
    answers.shift()!();
    return await request;
  })();
  assert.equal(before.headers.get("connection"), null, "not while serving");

  const inFlight = wrapped(new Request("http://x/"), info);
  const draining = drainer.drain(60_000);
  assert.equal(drainer.draining, true);
  const late = await wrapped(new Request("http://x/"), info);
  assert.equal(late.status, 503);
  assert.equal(late.headers.get("connection"), "close");
  answers.shift()!();
  const finished = await inFlight;
  assert.equal(finished.status, 200);
  assert.equal(finished.headers.get("connection"), "close");
  await draining;
});

Deno.test("drain() can mark a response whose headers are immutable", async () => {
  const drainer = createDrainer();
  let release!: () => void;
  const wrapped = drainer.wrap(async () => {
    await new Promise<void>((resolve) => (release = resolve));
    return Response.redirect("http://x/elsewhere", 302);
  });
  const request = wrapped(new Request("http://x/"), info);
  const draining = drainer.drain(60_000);
  release();
  const response = await request;
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("connection"), "close");
  assert.equal(response.headers.get("location"), "http://x/elsewhere");
  await draining;
});

Deno.test("a handler that throws is rethrown and no longer counted", async () => {
  const drainer = createDrainer();
  const { info: later } = sentLater();
  const handler = drainer.wrap(() => Promise.reject(new Error("boom")));
  await assert.rejects(
    async () => await handler(new Request("http://x/"), later),
    /boom/,
  );
  assert.equal(drainer.inFlight, 0, "counted down without a response sent");
  assert.equal(await drainer.drain(60_000), true);
});
