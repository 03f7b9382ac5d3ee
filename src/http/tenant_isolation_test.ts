// Tenant isolation through the server on the single-instance backends (the
// PostgreSQL run, two instances on one database, is in main_store_test.ts):
// two organisations, and a user with none, each see only their own todos.
import { startDeployment } from "../../fixtures/deployment.ts";
import { eachSeesOnlyItsOwn } from "../../fixtures/tenant_scenarios.ts";

for (const backend of ["memory", "sqlite"] as const) {
  Deno.test(`each organisation sees only its own todos (${backend})`, async () => {
    await using deployment = await startDeployment(
      backend === "memory" ? { databaseUrl: "memory:" } : {},
    );
    await eachSeesOnlyItsOwn(deployment);
  });
}
