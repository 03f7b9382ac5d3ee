import assert from "node:assert/strict";
import { createScopePolicy, OFFLINE_ACCESS } from "./policy.ts";
import type { Operation } from "./scopes.ts";

const create: Operation = { kind: "tool", name: "create_todo" };
const bulk: Operation = { kind: "tool", name: "bulk_delete_todos" };
const exportAll: Operation = { kind: "tool", name: "export_all_todos" };
const whoami: Operation = { kind: "tool", name: "whoami" };
const list: Operation = { kind: "resource", name: "todo_list" };

Deno.test("check() allows an operation whose scopes are granted", () => {
  const policy = createScopePolicy({ requiredScopes: [] });
  assert.equal(policy.check([create], ["todo:write"], "modern"), undefined);
  assert.equal(policy.check([whoami], [], "legacy"), undefined);
  assert.equal(policy.check([], [], "modern"), undefined);
});

Deno.test("check() challenges by each era's rule", async (t) => {
  const policy = createScopePolicy({ requiredScopes: ["todo:read"] });
  const cases: Array<{
    name: string;
    operations: Operation[];
    granted: string[];
    missing: string[];
    modern: string[];
    legacy: string[];
  }> = [
    {
      name: "required scopes alone",
      operations: [],
      granted: ["todo:write"],
      missing: ["todo:read"],
      modern: ["todo:read"],
      legacy: ["todo:read", "todo:write"],
    },
    {
      name: "an operation names the required scopes too",
      operations: [create],
      granted: ["todo:read"],
      missing: ["todo:write"],
      modern: ["todo:read", "todo:write"],
      legacy: ["todo:read", "todo:write"],
    },
    {
      name: "every scope the operation needs, in one challenge",
      operations: [exportAll],
      granted: [],
      missing: ["todo:read", "todo:admin"],
      modern: ["todo:read", "todo:admin"],
      legacy: ["todo:read", "todo:admin"],
    },
    {
      name: "a batch: the union of its operations",
      operations: [create, bulk],
      granted: ["todo:read"],
      missing: ["todo:write", "todo:admin"],
      modern: ["todo:read", "todo:write", "todo:admin"],
      legacy: ["todo:read", "todo:write", "todo:admin"],
    },
    {
      name: "granted scopes this server does not know are left out",
      operations: [list],
      granted: ["todo:write", "calendar:read"],
      missing: ["todo:read"],
      modern: ["todo:read"],
      legacy: ["todo:read", "todo:write"],
    },
    {
      name: "offline_access is never challenged, even when granted",
      operations: [bulk],
      granted: ["todo:read", OFFLINE_ACCESS],
      missing: ["todo:admin"],
      modern: ["todo:read", "todo:admin"],
      legacy: ["todo:read", "todo:admin"],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      for (const era of ["modern", "legacy"] as const) {
        const refusal = policy.check(c.operations, c.granted, era);
        assert.deepEqual(refusal?.missing, c.missing, era);
        assert.deepEqual(refusal?.challenge, c[era], era);
      }
    });
  }
});

Deno.test("scopes_supported: required first, then the table; never offline_access", () => {
  assert.deepEqual(
    createScopePolicy({ requiredScopes: ["mcp:use", "todo:read"] }).supported,
    ["mcp:use", "todo:read", "todo:write", "todo:admin"],
  );
  assert.deepEqual(createScopePolicy({ requiredScopes: [] }).supported, [
    "todo:write",
    "todo:read",
    "todo:admin",
  ]);
});

Deno.test("offline_access cannot be a required scope", () => {
  assert.throws(
    () => createScopePolicy({ requiredScopes: ["todo:read", OFFLINE_ACCESS] }),
    /offline_access.*refresh tokens/,
  );
});

Deno.test("a required scope must be a valid OAuth scope-token", () => {
  for (const bad of ["", "has space", 'quo"te', "back\\slash"]) {
    assert.throws(
      () => createScopePolicy({ requiredScopes: [bad] }),
      TypeError,
      JSON.stringify(bad),
    );
  }
});

Deno.test("a declared hierarchy is respected, transitively", async (t) => {
  const policy = createScopePolicy({
    requiredScopes: [],
    implies: {
      "todo:admin": ["todo:write"],
      "todo:write": ["todo:read"],
      // A cycle must not loop.
      "todo:read": ["todo:admin:audit"],
      "todo:admin:audit": ["todo:admin:audit"],
    },
  });
  await t.step("a broader scope grants the narrower ones", () => {
    assert.equal(
      policy.check([exportAll], ["todo:admin"], "modern"),
      undefined,
    );
    assert.equal(policy.check([list], ["todo:write"], "modern"), undefined);
  });
  await t.step("a narrower scope grants nothing broader", () => {
    assert.deepEqual(
      policy.check([bulk], ["todo:write"], "modern")?.missing,
      ["todo:admin"],
    );
  });
  await t.step("without a declared hierarchy, none is assumed", () => {
    const flat = createScopePolicy({ requiredScopes: [] });
    assert.deepEqual(
      flat.check([exportAll], ["todo:admin"], "modern")?.missing,
      [
        "todo:read",
      ],
    );
  });
});
