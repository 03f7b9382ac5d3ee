import assert from "node:assert/strict";
import {
  anonymousIdentity,
  callerOf,
  type Identity,
  tenantOf,
} from "./identity.ts";

function identity(subject: string, organizationId?: string): Identity {
  return {
    subject,
    clientId: "client",
    scopes: [],
    expiresAt: 0,
    issuer: "https://issuer.example",
    claims: {},
    ...(organizationId === undefined ? {} : { organizationId }),
  };
}

Deno.test("tenantOf() keys data by organisation, else by subject, in separate namespaces", () => {
  assert.equal(tenantOf(identity("usr_1", "org_a")), "org:org_a");
  assert.equal(tenantOf(identity("usr_2", "org_a")), "org:org_a");
  assert.equal(tenantOf(identity("usr_1")), "sub:usr_1");
  // A subject that happens to equal an organisation id must not reach
  // that organisation's data.
  assert.notEqual(
    tenantOf(identity("org_a")),
    tenantOf(identity("u", "org_a")),
  );
});

Deno.test("anonymousIdentity() holds exactly the scopes it is given", () => {
  const anonymous = anonymousIdentity(["todo:read", "todo:write"]);
  assert.deepEqual(anonymous.scopes, ["todo:read", "todo:write"]);
  assert.equal(tenantOf(anonymous), "sub:anonymous");
  assert.ok(Object.isFrozen(anonymous));
});

Deno.test("callerOf() tells apart every subject and client pair, whatever characters they hold", () => {
  const as = (subject: string, clientId: string) =>
    callerOf({ ...identity(subject), clientId });
  assert.equal(as("usr_1", "c1"), as("usr_1", "c1"));
  assert.notEqual(
    as("usr_1", "c1"),
    as("usr_1", "c2"),
    "one user, two clients",
  );
  assert.notEqual(
    as("usr_1", "c1"),
    as("usr_2", "c1"),
    "one client, two users",
  );
  // No separator a subject could contain makes two pairs one caller.
  assert.notEqual(as('a","b', "c"), as("a", 'b","c'));
  assert.notEqual(as("a|b", "c"), as("a", "b|c"));
});
