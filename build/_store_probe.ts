/**
 * Opens the default store (SQLite under the data directory) and writes and
 * reads one todo: run under {@link permissionFlags} by
 * `permissions_test.ts`, to prove the binary's permissions are enough for
 * its data directory.
 *
 * @module
 */

import { openTodoStore } from "../src/store/open.ts";
import { dataDir } from "./permissions.ts";

if (import.meta.main) {
  const store = await openTodoStore(undefined, { dataDir: dataDir() });
  try {
    await store.create("probe", {
      title: "written under the binary's permissions",
      created_by: "usr_probe",
    });
    const page = await store.list("probe");
    console.log(
      JSON.stringify({ location: store.location, count: page.todos.length }),
    );
  } finally {
    await store.close();
  }
}
