import assert from "node:assert/strict";
import { authErrorResponse } from "./challenge.ts";
import { AuthError } from "./errors.ts";

const context = {
  resourceMetadataUrl:
    "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
  requiredScopes: ["todo:read"],
};
const META = `resource_metadata="${context.resourceMetadataUrl}"`;

Deno.test("authErrorResponse() answers each refusal exactly", async (t) => {
  const cases: Array<{
    name: string;
    error: AuthError;
    requiredScopes?: string[];
    status: number;
    header: string | null;
    body: string;
  }> = [
    {
      name: "missing token: no error code, metadata and scope",
      error: new AuthError("missing_token", "Authentication required"),
      status: 401,
      header: `Bearer ${META}, scope="todo:read"`,
      body: "unauthorized",
    },
    {
      name: "missing token with no required scopes: scope omitted",
      error: new AuthError("missing_token", "Authentication required"),
      requiredScopes: [],
      status: 401,
      header: `Bearer ${META}`,
      body: "unauthorized",
    },
    {
      name: "invalid token",
      error: new AuthError("invalid_token", "The token has expired"),
      status: 401,
      header:
        `Bearer error="invalid_token", error_description="The token has expired", ${META}`,
      body: "invalid_token",
    },
    {
      name: "insufficient scope names every scope needed",
      error: new AuthError("insufficient_scope", "Needs more", {
        requiredScopes: ["todo:read", "todo:admin"],
      }),
      status: 403,
      header:
        `Bearer error="insufficient_scope", scope="todo:read todo:admin", ${META}, error_description="Needs more"`,
      body: "insufficient_scope",
    },
    {
      name: "verifier unavailable: 503, no challenge",
      error: new AuthError("verifier_unavailable", "Keys unreachable"),
      status: 503,
      header: null,
      body: "temporarily_unavailable",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const answer = authErrorResponse(c.error, {
        ...context,
        requiredScopes: c.requiredScopes ?? context.requiredScopes,
      });
      assert.equal(answer.status, c.status);
      assert.equal(answer.headers["WWW-Authenticate"] ?? null, c.header);
      assert.equal(answer.body.error, c.body);
      assert.equal(answer.body.error_description, c.error.message);
    });
  }
});

Deno.test("authErrorResponse() drops characters RFC 6750 forbids in quoted values", () => {
  const answer = authErrorResponse(
    new AuthError("invalid_token", 'Bad "quoted" \\ value\n'),
    context,
  );
  assert.ok(
    answer.headers["WWW-Authenticate"].includes(
      'error_description="Bad quoted  value"',
    ),
  );
});

Deno.test("authErrorResponse() sets Retry-After on 503", () => {
  const answer = authErrorResponse(
    new AuthError("verifier_unavailable", "down"),
    context,
  );
  assert.equal(answer.headers["Retry-After"], "30");
});
