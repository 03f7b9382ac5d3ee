import assert from "node:assert/strict";
import { anonymousIdentity, type Identity, tenantOf } from "./identity.ts";

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
