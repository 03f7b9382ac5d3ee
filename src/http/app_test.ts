import assert from "node:assert/strict";
import { BAD_TOKEN_KINDS } from "../../conformance/issuer/mod.ts";
import {
  type Era,
  type Harness,
  mcpHeaders,
  RESOURCE_ID,
  rpcRequest,
  startHarness,
  toolCall,
  TOOLS_LIST,
} from "../../fixtures/harness.ts";
import { INSUFFICIENT_SCOPE_ERROR_CODE } from "../mcp/server.ts";

const METADATA_URL =
  "http://localhost:3002/.well-known/oauth-protected-resource/mcp";

async function withHarness(
  fn: (h: Harness) => Promise<void>,
  options: Parameters<typeof startHarness>[0] = {},
): Promise<void> {
  const h = await startHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

function post(
  h: Harness,
  body: BodyInit,
  token?: string,
  headers = {},
) {
  return h.fetch("/mcp", {
    method: "POST",
    headers: { ...mcpHeaders(token), ...headers },
    body,
  });
}

Deno.test("GET /health answers healthy without a token", async () => {
  await withHarness(async (h) => {
    const res = await h.fetch("/health");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "healthy" });
  });
});

Deno.test("protected resource metadata is served at both paths", async () => {
  await withHarness(async (h) => {
    for (
      const path of [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
      ]
    ) {
      const res = await h.fetch(path, {
        headers: { origin: "https://anywhere.example" },
      });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      assert.match(res.headers.get("cache-control") ?? "", /max-age=\d+/);
      assert.deepEqual(await res.json(), {
        resource: "http://localhost:3002/mcp",
        authorization_servers: [`${h.issuer.url}/resources/${RESOURCE_ID}`],
        scopes_supported: ["todo:write", "todo:read", "todo:admin"],
        bearer_methods_supported: ["header"],
        resource_name: "Todo MCP",
      });
    }
  }, { env: { MCP_RESOURCE_NAME: "Todo MCP" } });
});

Deno.test("scopes_supported lists required scopes first", async () => {
  await withHarness(async (h) => {
    const res = await h.fetch("/.well-known/oauth-protected-resource/mcp");
    const doc = await res.json();
    assert.deepEqual(doc.scopes_supported, [
      "openid",
      "todo:read",
      "todo:write",
      "todo:admin",
    ]);
  }, { env: { SCALEKIT_REQUIRED_SCOPES: "openid,todo:read" } });
});

Deno.test("a request without credentials gets the discovery challenge", async (t) => {
  await withHarness(async (h) => {
    await t.step("no Authorization header", async () => {
      const res = await post(h, TOOLS_LIST);
      assert.equal(res.status, 401);
      assert.equal(
        res.headers.get("www-authenticate"),
        `Bearer resource_metadata="${METADATA_URL}", scope="todo:read"`,
      );
      assert.equal((await res.json()).error, "unauthorized");
    });
    await t.step("a Basic header gets the same bare challenge", async () => {
      const res = await post(h, TOOLS_LIST, undefined, {
        authorization: "Basic dXNlcjpwYXNz",
      });
      assert.equal(res.status, 401);
      assert.doesNotMatch(res.headers.get("www-authenticate")!, /error=/);
    });
  }, { env: { SCALEKIT_REQUIRED_SCOPES: "todo:read" } });
});

Deno.test("the bare challenge omits scope when none is required", async () => {
  await withHarness(async (h) => {
    const res = await post(h, TOOLS_LIST);
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer resource_metadata="${METADATA_URL}"`,
    );
    await res.body?.cancel();
  });
});

Deno.test("every rejected token gets 401 invalid_token with the exact challenge", async (t) => {
  await withHarness(async (h) => {
    const cases: Array<[string, () => Promise<RequestInit>]> = [
      ...BAD_TOKEN_KINDS.map((kind): [string, () => Promise<RequestInit>] => [
        kind,
        async () => ({
          headers: mcpHeaders(await h.issuer.mintBad(kind)),
        }),
      ]),
      ["empty bearer", () =>
        Promise.resolve({
          headers: { ...mcpHeaders(), authorization: "Bearer " },
        })],
      ["malformed bearer", () =>
        Promise.resolve({
          headers: { ...mcpHeaders(), authorization: "Bearer a b c" },
        })],
    ];
    for (const [name, init] of cases) {
      await t.step(name, async () => {
        const res = await h.fetch("/mcp", {
          method: "POST",
          body: TOOLS_LIST,
          ...(await init()),
        });
        assert.equal(res.status, 401);
        const body = await res.json();
        assert.equal(body.error, "invalid_token");
        assert.equal(
          res.headers.get("www-authenticate"),
          `Bearer error="invalid_token", error_description="${body.error_description}", resource_metadata="${METADATA_URL}"`,
        );
      });
    }
    await t.step("a token in the query string is not accepted", async () => {
      const token = await h.issuer.mint();
      const res = await h.fetch(`/mcp?access_token=${token}`, {
        method: "POST",
        headers: mcpHeaders(),
        body: TOOLS_LIST,
      });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate")!, /invalid_token/);
      await res.body?.cancel();
    });
    await t.step("no token ever reaches the logs", () => {
      assert.ok(h.rawLogs.length > 0);
      for (const line of h.rawLogs) assert.doesNotMatch(line, /eyJ/);
    });
  });
});

Deno.test("issuer, audience and lifetime rules", async (t) => {
  await withHarness(async (h) => {
    const now = Math.floor(Date.now() / 1000);
    const accepted: Array<[string, Parameters<typeof h.issuer.mint>[0]]> = [
      ["environment issuer", {}],
      ["resource-scoped issuer", { issuerForm: "resource" }],
      ["aud as the resource id alone", { audience: RESOURCE_ID }],
      ["aud as the MCP URL alone", { audience: [h.mcpUrl] }],
      ["expired 10 s ago, within the 30 s leeway", {
        claims: { exp: now - 10, iat: now - 100, nbf: now - 100 },
      }],
      ["nbf 10 s ahead, within the leeway", { claims: { nbf: now + 10 } }],
    ];
    for (const [name, mint] of accepted) {
      await t.step(`accepts ${name}`, async () => {
        const res = await post(h, TOOLS_LIST, await h.issuer.mint(mint));
        assert.equal(res.status, 200);
        await res.body?.cancel();
      });
    }
    const refused: Array<
      [string, Parameters<typeof h.issuer.mint>[0], RegExp]
    > = [
      ["expired 60 s ago", {
        claims: { exp: now - 60, iat: now - 100, nbf: now - 100 },
      }, /expired/],
      ["nbf 60 s ahead", { claims: { nbf: now + 60 } }, /not valid yet/],
      ["aud of a look-alike URL", { audience: [`${h.mcpUrl}/`] }, /audience/],
      ["aud of another resource", { audience: ["res_other"] }, /audience/],
      ["no sub", { claims: { sub: undefined } }, /subject/],
    ];
    for (const [name, mint, description] of refused) {
      await t.step(`refuses ${name}`, async () => {
        const res = await post(h, TOOLS_LIST, await h.issuer.mint(mint));
        assert.equal(res.status, 401);
        assert.match((await res.json()).error_description, description);
      });
    }
  });
});

const ERAS = ["legacy", "modern"] as const;

function send(
  h: Harness,
  era: Era,
  method: string,
  params: Record<string, unknown>,
  token?: string,
) {
  return h.fetch("/mcp", rpcRequest(era, method, params, { token }));
}

/** The `scope` of a 403 challenge, or null. */
function challengedScope(res: Response): string | null {
  const header = res.headers.get("www-authenticate") ?? "";
  return /\bscope="([^"]*)"/.exec(header)?.[1] ?? null;
}

Deno.test("a token without the required scopes gets 403 insufficient_scope, by each era's rule", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint({ scopes: ["todo:write"] });
    // 2025-11-25 recommends naming the granted scopes too (clients of that
    // era re-authorize with exactly the challenged set); 2026-07-28 names
    // only what the operation needs.
    const expected = { legacy: "todo:read todo:write", modern: "todo:read" };
    for (const era of ERAS) {
      await t.step(era, async () => {
        const res = await send(h, era, "tools/list", {}, token);
        assert.equal(res.status, 403);
        const body = await res.json();
        assert.equal(body.error, "insufficient_scope");
        assert.equal(
          res.headers.get("www-authenticate"),
          `Bearer error="insufficient_scope", scope="${
            expected[era]
          }", resource_metadata="${METADATA_URL}", error_description="${body.error_description}"`,
        );
      });
    }
  }, { env: { SCALEKIT_REQUIRED_SCOPES: "todo:read" } });
});

Deno.test("an operation without its scopes gets one 403 naming what it needs, in both eras", async (t) => {
  await withHarness(async (h) => {
    const cases: Array<{
      method: string;
      params: Record<string, unknown>;
      granted: string[];
      legacy: string;
      modern: string;
    }> = [
      {
        method: "tools/call",
        params: { name: "create_todo", arguments: { title: "x" } },
        granted: ["todo:read"],
        legacy: "todo:write todo:read",
        modern: "todo:write",
      },
      {
        method: "tools/call",
        params: { name: "list_todos", arguments: {} },
        granted: ["todo:write"],
        legacy: "todo:read todo:write",
        modern: "todo:read",
      },
      {
        method: "tools/call",
        params: { name: "bulk_delete_todos", arguments: {} },
        granted: ["todo:read", "todo:write"],
        legacy: "todo:admin todo:read todo:write",
        modern: "todo:admin",
      },
      {
        method: "tools/call",
        params: { name: "export_all_todos", arguments: {} },
        granted: ["todo:read"],
        legacy: "todo:read todo:admin",
        modern: "todo:read todo:admin",
      },
      {
        method: "resources/read",
        params: { uri: "todo://todos" },
        granted: ["todo:write"],
        legacy: "todo:read todo:write",
        modern: "todo:read",
      },
      {
        method: "resources/read",
        params: { uri: "todo://todos/some-id" },
        granted: [],
        legacy: "todo:read",
        modern: "todo:read",
      },
      {
        method: "prompts/get",
        params: { name: "plan_my_day", arguments: {} },
        granted: ["todo:write", "offline_access"],
        // offline_access is never challenged for, even when granted.
        legacy: "todo:read todo:write",
        modern: "todo:read",
      },
    ];
    for (const c of cases) {
      for (const era of ERAS) {
        const what = `${c.method} ${c.params.name ?? c.params.uri}`;
        await t.step(`${era}: ${what} with [${c.granted}]`, async () => {
          const token = await h.issuer.mint({ scopes: c.granted });
          const res = await send(h, era, c.method, c.params, token);
          assert.equal(res.status, 403);
          assert.equal(challengedScope(res), c[era]);
          const header = res.headers.get("www-authenticate")!;
          assert.match(header, /^Bearer error="insufficient_scope", /);
          assert.ok(
            header.includes(`resource_metadata="${METADATA_URL}"`),
            header,
          );
          assert.equal((await res.json()).error, "insufficient_scope");
        });
      }
    }
    await t.step("the denial is logged with its reason", () => {
      const denied = h.logs.find((line) =>
        line.denial === "insufficient_scope"
      );
      assert.deepEqual(denied?.tools, ["create_todo"]);
      assert.equal(denied?.era, "legacy");
      assert.equal(denied?.denial_reason, "tool create_todo needs todo:write");
      assert.equal(denied?.subject, h.issuer.user.id);
    });
    assert.deepEqual(
      (await h.store.list(`org:${h.issuer.user.organizationId}`)).todos,
      [],
      "no refused operation ran",
    );
  });
});

Deno.test("listing needs only a valid token, in both eras", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint({ scopes: [] });
    for (const era of ERAS) {
      for (
        const method of [
          "tools/list",
          "resources/list",
          "resources/templates/list",
          "prompts/list",
        ]
      ) {
        await t.step(`${era}: ${method}`, async () => {
          const res = await send(h, era, method, {}, token);
          assert.equal(res.status, 200);
          assert.ok((await res.json()).result, method);
        });
      }
      await t.step(`${era}: whoami needs no scope`, async () => {
        const res = await send(h, era, "tools/call", {
          name: "whoami",
          arguments: {},
        }, token);
        assert.equal(res.status, 200);
        const rpc = await res.json();
        assert.equal(rpc.result.structuredContent.subject, h.issuer.user.id);
      });
    }
  });
});

Deno.test("the server's required scopes are in every operation's 403", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint({ scopes: ["todo:read"] });
    for (const era of ERAS) {
      await t.step(era, async () => {
        const res = await send(h, era, "tools/call", {
          name: "create_todo",
          arguments: { title: "x" },
        }, token);
        assert.equal(res.status, 403);
        assert.equal(challengedScope(res), "todo:read todo:write");
        await res.body?.cancel();
      });
    }
  }, { env: { SCALEKIT_REQUIRED_SCOPES: "todo:read" } });
});

Deno.test("a batch gets one 403 naming what all of its calls need", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint({ scopes: ["todo:read"] });
    await t.step("one call lacks its scope", async () => {
      const res = await post(
        h,
        `[${toolCall("list_todos", {}, 1)},${
          toolCall("create_todo", { title: "x" }, 2)
        }]`,
        token,
      );
      assert.equal(res.status, 403);
      assert.equal(challengedScope(res), "todo:read todo:write");
      await res.body?.cancel();
    });
    await t.step("two calls lack different scopes", async () => {
      const res = await post(
        h,
        `[${toolCall("create_todo", { title: "x" }, 1)},${
          toolCall("bulk_delete_todos", {}, 2)
        }]`,
        token,
      );
      assert.equal(res.status, 403);
      assert.equal(challengedScope(res), "todo:write todo:admin todo:read");
      await res.body?.cancel();
    });
    assert.deepEqual(
      (await h.store.list(`org:${h.issuer.user.organizationId}`)).todos,
      [],
      "nothing in a refused batch ran",
    );
  });
});

Deno.test("MCP_SCOPE_DENIAL=tool answers in-band like the guides, in both eras", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint({ scopes: ["todo:write"] });
    for (const era of ERAS) {
      await t.step(`${era}: a tool call is a tool error`, async () => {
        const res = await send(h, era, "tools/call", {
          name: "list_todos",
          arguments: {},
        }, token);
        assert.equal(res.status, 200);
        const rpc = await res.json();
        assert.equal(rpc.result.isError, true);
        assert.equal(
          rpc.result.content[0].text,
          "Insufficient permissions: `todo:read` scope required.",
        );
      });
      for (
        const [method, params] of [
          ["resources/read", { uri: "todo://todos" }],
          ["prompts/get", { name: "plan_my_day", arguments: {} }],
        ] as const
      ) {
        await t.step(`${era}: ${method} is a JSON-RPC error`, async () => {
          const res = await send(h, era, method, params, token);
          assert.equal(res.status, 200);
          const rpc = await res.json();
          assert.equal(rpc.error.code, INSUFFICIENT_SCOPE_ERROR_CODE);
          assert.equal(
            rpc.error.message,
            "Insufficient permissions: `todo:read` scope required.",
          );
          assert.equal(rpc.error.data.error, "insufficient_scope");
        });
      }
    }
    const line = h.logs.find((l) => l.event === "request");
    assert.equal(line?.denial, "insufficient_scope");
    assert.equal(line?.denial_reason, "tool list_todos needs todo:read");
  }, { env: { MCP_SCOPE_DENIAL: "tool" } });
});

Deno.test("todos are kept per organisation, else per subject", async () => {
  await withHarness(async (h) => {
    const call = async (token: string, tool: string, args = {}) =>
      (await (await post(h, toolCall(tool, args), token)).json()).result;
    const alice = await h.issuer.mint({
      subject: "usr_alice",
      organizationId: "org_a",
    });
    const aliceColleague = await h.issuer.mint({
      subject: "usr_carol",
      organizationId: "org_a",
    });
    const bob = await h.issuer.mint({
      subject: "usr_bob",
      organizationId: "org_b",
    });
    const loneDan = await h.issuer.mint({
      subject: "usr_dan",
      organizationId: null,
    });
    const loneEve = await h.issuer.mint({
      subject: "usr_eve",
      organizationId: null,
    });

    const created = await call(alice, "create_todo", { title: "org a plan" });
    const id = created.structuredContent.todo.id;
    assert.equal(
      (await call(aliceColleague, "get_todo", { todo_id: id }))
        .structuredContent.todo.title,
      "org a plan",
    );
    const foreign = await call(bob, "get_todo", { todo_id: id });
    assert.equal(foreign.isError, true);
    assert.equal(foreign.content[0].text, `Todo \`${id}\` not found.`);
    assert.equal((await call(bob, "list_todos")).structuredContent.count, 0);
    assert.equal(
      (await call(bob, "delete_todo", { todo_id: id })).isError,
      true,
    );

    const namedLikeTheOrg = await h.issuer.mint({
      subject: "org_a",
      organizationId: null,
    });
    assert.equal(
      (await call(namedLikeTheOrg, "list_todos")).structuredContent.count,
      0,
      "a subject equal to an organisation id is another tenant",
    );

    await call(loneDan, "create_todo", { title: "dan's" });
    assert.equal(
      (await call(loneEve, "list_todos")).structuredContent.count,
      0,
    );
    assert.equal(
      (await call(loneDan, "list_todos")).structuredContent.count,
      1,
    );
    assert.equal((await call(alice, "list_todos")).structuredContent.count, 1);
  });
});

Deno.test("a disallowed Origin gets 403 JSON; allowed origins get CORS", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    await t.step("foreign origin", async () => {
      const res = await post(h, TOOLS_LIST, token, {
        origin: "https://evil.example",
      });
      assert.equal(res.status, 403);
      assert.equal((await res.json()).error, "forbidden_origin");
    });
    await t.step("configured origin", async () => {
      const res = await post(h, TOOLS_LIST, token, {
        origin: "https://app.example.com",
      });
      assert.equal(res.status, 200);
      assert.equal(
        res.headers.get("access-control-allow-origin"),
        "https://app.example.com",
      );
      await res.body?.cancel();
    });
    await t.step(
      "a 401 exposes WWW-Authenticate to a loopback browser client",
      async () => {
        const res = await post(h, TOOLS_LIST, undefined, {
          origin: "http://localhost:6274",
        });
        assert.equal(res.status, 401);
        assert.equal(
          res.headers.get("access-control-allow-origin"),
          "http://localhost:6274",
        );
        assert.match(
          res.headers.get("access-control-expose-headers") ?? "",
          /WWW-Authenticate/i,
        );
        await res.body?.cancel();
      },
    );
    await t.step("preflight works without a token", async () => {
      const res = await h.fetch("/mcp", {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:6274",
          "access-control-request-method": "POST",
          "access-control-request-headers":
            "authorization, content-type, mcp-protocol-version",
        },
      });
      assert.equal(res.status, 204);
      assert.match(
        res.headers.get("access-control-allow-headers") ?? "",
        /Authorization/i,
      );
      assert.match(
        res.headers.get("access-control-allow-methods") ?? "",
        /POST/,
      );
      await res.body?.cancel();
    });
  }, { env: { MCP_ALLOWED_ORIGINS: "https://app.example.com" } });
});

Deno.test("bad requests get specific answers", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    await t.step("oversized body: 413", async () => {
      const res = await post(
        h,
        JSON.stringify({ pad: "x".repeat(2048) }),
        token,
      );
      assert.equal(res.status, 413);
      assert.equal((await res.json()).error, "payload_too_large");
    });
    await t.step("not JSON: 400 JSON-RPC parse error", async () => {
      const res = await post(h, "{not json", token);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: the body is not JSON" },
      });
    });
    for (const method of ["GET", "DELETE"]) {
      await t.step(`${method}: 405 with Allow`, async () => {
        const res = await h.fetch("/mcp", {
          method,
          headers: mcpHeaders(token),
        });
        assert.equal(res.status, 405);
        assert.equal(res.headers.get("allow"), "POST, OPTIONS");
        assert.equal((await res.json()).error.code, -32000);
      });
    }
    await t.step("unknown route: 404 JSON", async () => {
      const res = await h.fetch("/nope");
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error, "not_found");
    });
  }, { env: { MCP_MAX_BODY_BYTES: "1024" } });
});

Deno.test("the body limit is exact: the limit passes, one byte more gets 413", async (t) => {
  const limit = 1024;
  /** TOOLS_LIST padded with trailing spaces (still JSON) to `size` bytes. */
  const bodyOf = (size: number) => TOOLS_LIST.padEnd(size, " ");
  /** `text` as a stream, so it is sent chunked, without Content-Length. */
  const streamed = (text: string) =>
    new Blob([new TextEncoder().encode(text)]).stream();
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    const send = (body: BodyInit) => post(h, body, token);
    for (
      const [framing, wrap] of [["Content-Length", (b: string) => b], [
        "chunked",
        streamed,
      ]] as const
    ) {
      await t.step(`${framing}: ${limit} bytes pass`, async () => {
        const res = await send(wrap(bodyOf(limit)));
        assert.equal(res.status, 200);
        assert.ok((await res.json()).result.tools);
      });
      await t.step(`${framing}: ${limit + 1} bytes get 413`, async () => {
        const res = await send(wrap(bodyOf(limit + 1)));
        assert.equal(res.status, 413);
        assert.deepEqual(await res.json(), {
          error: "payload_too_large",
          error_description: `The request body exceeds ${limit} bytes`,
        });
      });
    }
  }, { listen: true, env: { MCP_MAX_BODY_BYTES: String(limit) } });
});

Deno.test("one log line per request, with caller and tool, never the token", async () => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    const res = await post(h, toolCall("whoami"), token);
    await res.body?.cancel();
    const line = h.logs.find((l) => l.event === "request");
    assert.equal(line?.method, "POST");
    assert.equal(line?.path, "/mcp");
    assert.equal(line?.status, 200);
    assert.equal(line?.subject, h.issuer.user.id);
    assert.equal(typeof line?.request_id, "string");
    assert.equal(typeof line?.duration_ms, "number");
    assert.deepEqual(line?.tools, ["whoami"]);
    assert.ok(!h.rawLogs.join("\n").includes(token));
  });
});

Deno.test("the JWKS is fetched once and not hammered by unknown key ids", async () => {
  await withHarness(async (h) => {
    for (let i = 0; i < 3; i++) {
      const res = await post(h, TOOLS_LIST, await h.issuer.mint());
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    assert.equal(h.issuer.jwksFetchCount, 1);
    for (let i = 0; i < 5; i++) {
      const res = await post(
        h,
        TOOLS_LIST,
        await h.issuer.mintBad("unknown_kid"),
      );
      assert.equal(res.status, 401);
      await res.body?.cancel();
    }
    assert.equal(h.issuer.jwksFetchCount, 1, "cooldown stops refetching");
  });
});

Deno.test("unreachable signing keys give 503, not 401", async () => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint();
    await h.issuer.close();
    const res = await post(h, TOOLS_LIST, token);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "30");
    assert.equal((await res.json()).error, "temporarily_unavailable");
  });
});

Deno.test("the authorization-server metadata forwarder", async (t) => {
  await withHarness(async (h) => {
    await t.step("forwards the issuer's per-resource document", async () => {
      const res = await h.fetch("/.well-known/oauth-authorization-server");
      assert.equal(res.status, 200);
      const doc = await res.json();
      assert.equal(doc.issuer, `${h.issuer.url}/resources/${RESOURCE_ID}`);
      assert.ok(doc.registration_endpoint);
    });
  }, { env: { MCP_PROXY_AUTH_SERVER_METADATA: "true" } });
  await withHarness(async (h) => {
    await t.step("is off by default", async () => {
      const res = await h.fetch("/.well-known/oauth-authorization-server");
      assert.equal(res.status, 404);
      await res.body?.cancel();
    });
  });
});

Deno.test("the forwarder answers 502 JSON when Scalekit cannot be reached", async () => {
  await withHarness(async (h) => {
    await h.issuer.close();
    const res = await h.fetch("/.well-known/oauth-authorization-server");
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.error, "upstream_unavailable");
    assert.match(body.error_description, /could not be reached/);
  }, { env: { MCP_PROXY_AUTH_SERVER_METADATA: "true" } });
});

Deno.test("odd JSON-RPC bodies get protocol errors, never a 500", async (t) => {
  await withHarness(async (h) => {
    const token = await h.issuer.mint({ scopes: ["todo:read"] });
    const cases: Array<[string, unknown, number]> = [
      ["JSON that is not JSON-RPC", { hello: "world" }, 400],
      ["a bare number", 42, 400],
      ["tools/call without a name", {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { arguments: {} },
      }, 200],
      ["tools/call of an unknown tool", {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "drop_tables" },
      }, 200],
    ];
    for (const [name, body, status] of cases) {
      await t.step(name, async () => {
        const res = await post(h, JSON.stringify(body), token);
        assert.equal(res.status, status);
        const answer = await res.json();
        assert.equal(answer.jsonrpc, "2.0");
        assert.equal(typeof answer.error?.code, "number");
        assert.doesNotMatch(JSON.stringify(answer), /\bat .*\.(ts|js):\d+/);
      });
    }
  });
});

Deno.test("provider none serves every tool without a token, and no metadata", async () => {
  await withHarness(async (h) => {
    const res = await post(h, toolCall("create_todo", { title: "open" }));
    assert.equal(res.status, 200);
    const rpc = await res.json();
    assert.equal(rpc.result.structuredContent.todo.title, "open");
    const status = await (await post(h, toolCall("auth_status"))).json();
    assert.equal(status.result.structuredContent.authenticated, false);
    const metadata = await h.fetch("/.well-known/oauth-protected-resource/mcp");
    assert.equal(metadata.status, 404);
    await metadata.body?.cancel();
    assert.ok(
      h.loaded.warnings.some((w) => w.code === "no_authentication"),
      "a loud warning is returned for the log",
    );
  }, { env: { FASTMCP_SERVER_AUTH: "none" } });
});

Deno.test("MCP_CLOCK_SKEW_SECONDS reaches the verifier", async () => {
  await withHarness(async (h) => {
    const now = Math.floor(Date.now() / 1000);
    // Within the default 30 s leeway, but not within 0 s.
    const res = await post(
      h,
      TOOLS_LIST,
      await h.issuer.mint({
        claims: { exp: now - 10, iat: now - 100, nbf: now - 100 },
      }),
    );
    assert.equal(res.status, 401);
    assert.match((await res.json()).error_description, /expired/);
  }, { env: { MCP_CLOCK_SKEW_SECONDS: "0" } });
});

Deno.test("bound to loopback, a request naming a foreign Host is refused (DNS rebinding)", async (t) => {
  await t.step("loopback bind: refused", async () => {
    await withHarness(async (h) => {
      const res = await h.fetch("/health", {
        headers: { host: "evil.example" },
      });
      assert.equal(res.status, 403);
      assert.equal((await res.json()).error, "forbidden_host");
    });
  });
  await t.step("bound to all interfaces: a proxy's Host passes", async () => {
    await withHarness(async (h) => {
      const res = await h.fetch("/health", {
        headers: { host: "internal.example" },
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }, { env: { HOST: "0.0.0.0" } });
  });
});

Deno.test("MCP_SCOPE_IMPLIES lets a broader scope stand in for the narrower ones", async (t) => {
  await withHarness(async (h) => {
    const admin = await h.issuer.mint({ scopes: ["todo:admin"] });
    for (const era of ERAS) {
      await t.step(`${era}: todo:admin reads and writes`, async () => {
        for (
          const [name, args] of [
            ["create_todo", { title: "by admin" }],
            ["list_todos", {}],
            ["export_all_todos", {}],
          ] as const
        ) {
          const res = await send(h, era, "tools/call", {
            name,
            arguments: args,
          }, admin);
          assert.equal(res.status, 200, name);
          assert.equal((await res.json()).result.isError, undefined, name);
        }
      });
    }
    const writer = await h.issuer.mint({ scopes: ["todo:write"] });
    const res = await send(h, "modern", "tools/call", {
      name: "bulk_delete_todos",
      arguments: {},
    }, writer);
    assert.equal(res.status, 403, "a narrower scope grants nothing broader");
    assert.equal(challengedScope(res), "todo:admin");
    await res.body?.cancel();
  }, {
    env: {
      MCP_SCOPE_IMPLIES:
        "todo:admin=todo:write todo:read; todo:write=todo:read",
    },
  });
});

Deno.test("every answer carries the X-Request-Id its log line has", async (t) => {
  for (const mode of ["json", "sse"] as const) {
    await withHarness(async (h) => {
      const token = await h.issuer.mint();
      const cases: [string, () => Promise<Response>, number, string][] = [
        ["GET /health", () => h.fetch("/health"), 200, "application/json"],
        ["401 without a token", () => post(h, toolCall("whoami")), 401, ""],
        [
          "a tool call's answer",
          () => post(h, toolCall("whoami"), token),
          200,
          mode === "sse" ? "text/event-stream" : "application/json",
        ],
      ];
      for (const [name, send, status, type] of cases) {
        await t.step(`${mode}: ${name}`, async () => {
          const res = await send();
          await res.body?.cancel();
          assert.equal(res.status, status);
          assert.ok(res.headers.get("content-type")?.startsWith(type));
          const id = res.headers.get("x-request-id");
          assert.ok(id, `${name}: no X-Request-Id`);
          const line = h.logs.findLast((l) => l.event === "request");
          assert.equal(line?.request_id, id);
        });
      }
      await t.step(`${mode}: a client's own id is kept`, async () => {
        const res = await post(h, toolCall("whoami"), token, {
          "x-request-id": "trace-123",
        });
        await res.body?.cancel();
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-request-id"), "trace-123");
        const line = h.logs.findLast((l) => l.event === "request");
        assert.equal(line?.request_id, "trace-123");
      });
    }, { env: { MCP_RESPONSE_MODE: mode } });
  }
});
