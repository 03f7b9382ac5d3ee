import assert from "node:assert/strict";
import { withServer } from "../fixtures/net.ts";
import {
  discover,
  pathSuffixedMetadataUrl,
  rootMetadataUrl,
} from "./discovery_facts.ts";
import { createProbe } from "./probe.ts";

/** A server whose 401 links `link`, serving `documents` by path. */
function serve(
  link: string | undefined,
  documents: Readonly<Record<string, unknown>>,
) {
  return (request: Request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/mcp") {
      return new Response(null, {
        status: 401,
        headers: {
          "www-authenticate": link === undefined
            ? 'Bearer realm="x"'
            : `Bearer resource_metadata="${link}"`,
        },
      });
    }
    return pathname in documents
      ? Response.json(documents[pathname])
      : new Response("<html><title>Not here</title></html>", { status: 404 });
  };
}

Deno.test("discover() looks where a client looks: the challenge's link, then path-suffixed, then root", async (t) => {
  const rows: ReadonlyArray<
    readonly [
      string,
      (origin: string) => string | undefined,
      Readonly<Record<string, unknown>>,
      string | undefined,
    ]
  > = [
    [
      "the link works: it wins",
      (o) => `${o}/meta`,
      {
        "/meta": { from: "link" },
        "/.well-known/oauth-protected-resource/mcp": { from: "suffixed" },
      },
      "challenge",
    ],
    [
      "a broken link: the path-suffixed document, not the root one",
      (o) => `${o}/broken`,
      {
        "/.well-known/oauth-protected-resource/mcp": { from: "suffixed" },
        "/.well-known/oauth-protected-resource": { from: "root" },
      },
      "path_suffixed",
    ],
    [
      "no link, no path-suffixed: the root",
      () => undefined,
      { "/.well-known/oauth-protected-resource": { from: "root" } },
      "root",
    ],
    ["nothing anywhere", (o) => `${o}/broken`, {}, undefined],
  ];
  for (const [name, link, documents, via] of rows) {
    await t.step(name, async () => {
      let origin = "";
      await withServer(
        (request) => serve(link(origin), documents)(request),
        async (o) => {
          origin = o;
          const probe = createProbe({ mcpUrl: `${o}/mcp`, timeoutMs: 5_000 });
          const facts = await discover(probe, `${o}/mcp`);
          assert.equal(facts.found?.via, via);
          if (via === "path_suffixed") {
            assert.deepEqual(facts.found?.document, { from: "suffixed" });
            assert.equal(facts.fromChallenge?.answer?.status, 404);
          }
        },
      );
    });
  }
});

Deno.test("pathSuffixedMetadataUrl() and rootMetadataUrl() follow RFC 9728 §3.1", () => {
  assert.equal(
    pathSuffixedMetadataUrl("https://x.example/api/mcp"),
    "https://x.example/.well-known/oauth-protected-resource/api/mcp",
  );
  assert.equal(
    pathSuffixedMetadataUrl("https://x.example/"),
    "https://x.example/.well-known/oauth-protected-resource",
  );
  assert.equal(
    rootMetadataUrl("https://x.example/api/mcp"),
    "https://x.example/.well-known/oauth-protected-resource",
  );
});
