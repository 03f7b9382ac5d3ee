/**
 * A child process for the crash test in `sqlite_test.ts`: opens the SQLite
 * store at the path in its first argument and creates todos as fast as it
 * can, printing each id only after `create` resolved (the commit is done).
 * The test kills it with SIGKILL mid-burst and checks every printed id.
 *
 * @module
 */

import { openSqliteTodoStore } from "./sqlite.ts";

if (import.meta.main) {
  const store = await openSqliteTodoStore({ path: Deno.args[0] });
  console.log("ready");
  for (let i = 0;; i++) {
    const todo = await store.create("org:crash", {
      title: `write ${i}`,
      created_by: "crash-writer",
    });
    // console.log writes to stdout synchronously: a printed id was committed.
    console.log(todo.id);
  }
}
