import assert from "node:assert/strict";
import {
  createMetadataForwarder,
  UpstreamMetadataError,
} from "./authorization_server_metadata.ts";

const URL_ =
  "https://env.example/.well-known/oauth-authorization-server/resources/res_1";

function fakeFetch(answers: Array<() => Promise<Response>>) {
  const calls: RequestInit[] = [];
  const fetchImpl = ((_input: string | URL | Request, init?: RequestInit) => {
    calls.push(init ?? {});
    const next = answers.shift();
    if (next === undefined) throw new Error("unexpected fetch");
    return next();
  }) as typeof fetch;
  return { fetchImpl, calls };
}

Deno.test("the forwarder caches the upstream document for its TTL", async () => {
  let now = 0;
  const { fetchImpl, calls } = fakeFetch([
    () => Promise.resolve(Response.json({ issuer: "a" })),
    () => Promise.resolve(Response.json({ issuer: "b" })),
  ]);
  const forwarder = createMetadataForwarder({
    url: URL_,
    fetch: fetchImpl,
    now: () => now,
    cacheTtlMs: 1_000,
  });
  assert.deepEqual(await forwarder.get(), { issuer: "a" });
  now = 999;
  assert.deepEqual(await forwarder.get(), { issuer: "a" });
  assert.equal(calls.length, 1);
  now = 1_001;
  assert.deepEqual(await forwarder.get(), { issuer: "b" });
  assert.equal(calls.length, 2);
});

Deno.test("concurrent requests share one upstream fetch", async () => {
  let release!: (response: Response) => void;
  const { fetchImpl, calls } = fakeFetch([
    () => new Promise((resolve) => (release = resolve)),
  ]);
  const forwarder = createMetadataForwarder({ url: URL_, fetch: fetchImpl });
  const both = Promise.all([forwarder.get(), forwarder.get()]);
  release(Response.json({ issuer: "a" }));
  assert.deepEqual(await both, [{ issuer: "a" }, { issuer: "a" }]);
  assert.equal(calls.length, 1);
});

Deno.test("the forwarder refuses what it cannot serve, naming the upstream", async (t) => {
  const cases: Array<[string, () => Promise<Response>, RegExp]> = [
    [
      "network error",
      () => Promise.reject(new TypeError("connection refused")),
      /could not be reached/,
    ],
    [
      "non-200",
      () => Promise.resolve(new Response("no", { status: 503 })),
      /answered HTTP 503/,
    ],
    [
      "not JSON",
      () => Promise.resolve(new Response("<html>")),
      /is not valid JSON/,
    ],
    [
      "not an object",
      () => Promise.resolve(Response.json([1, 2])),
      /is not a JSON object/,
    ],
  ];
  for (const [name, answer, message] of cases) {
    await t.step(name, async () => {
      const { fetchImpl } = fakeFetch([answer]);
      const forwarder = createMetadataForwarder({
        url: URL_,
        fetch: fetchImpl,
      });
      await assert.rejects(forwarder.get(), (error) => {
        assert.ok(error instanceof UpstreamMetadataError);
        assert.equal(error.code, "upstream_unavailable");
        assert.match(error.message, message);
        assert.ok(error.message.includes(URL_));
        return true;
      });
    });
  }
});

Deno.test("the forwarder gives up after its timeout", async () => {
  const fetchImpl =
    ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener(
          "abort",
          () => reject(init.signal!.reason),
        );
      })) as typeof fetch;
  const forwarder = createMetadataForwarder({
    url: URL_,
    fetch: fetchImpl,
    timeoutMs: 20,
  });
  await assert.rejects(forwarder.get(), /did not answer within 20 ms/);
});

Deno.test("a failed fetch is not cached", async () => {
  const { fetchImpl } = fakeFetch([
    () => Promise.reject(new TypeError("down")),
    () => Promise.resolve(Response.json({ issuer: "back" })),
  ]);
  const forwarder = createMetadataForwarder({ url: URL_, fetch: fetchImpl });
  await assert.rejects(forwarder.get(), UpstreamMetadataError);
  assert.deepEqual(await forwarder.get(), { issuer: "back" });
});
