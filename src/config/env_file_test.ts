import assert from "node:assert/strict";
import { join } from "node:path";
import { EnvFileError, readEnv } from "./env_file.ts";

function withDir(files: Record<string, string>): string {
  const dir = Deno.makeTempDirSync({ prefix: "config_env_file_" });
  for (const [name, text] of Object.entries(files)) {
    Deno.writeTextFileSync(join(dir, name), text);
  }
  return dir;
}

Deno.test("readEnv() returns the real environment when there is no .env", () => {
  const dir = withDir({});
  try {
    assert.deepEqual(readEnv({ cwd: dir, env: { PORT: "1" } }), { PORT: "1" });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() fills gaps from .env and lets the real environment win", () => {
  const dir = withDir({
    ".env": [
      "# Scalekit",
      "SCALEKIT_ENVIRONMENT_URL=https://from-file.scalekit.dev",
      "SCALEKIT_RESOURCE_ID='res_file'",
      'BASE_URL="http://localhost:3002/" # trailing comment',
      "export PORT=4000",
      "HOST=0.0.0.0",
      "LOG_LEVEL=debug",
      "",
    ].join("\n"),
  });
  try {
    const env = readEnv({
      cwd: dir,
      env: { SCALEKIT_RESOURCE_ID: "res_real", HOST: "", LOG_LEVEL: undefined },
    });
    assert.deepEqual(env, {
      SCALEKIT_ENVIRONMENT_URL: "https://from-file.scalekit.dev",
      SCALEKIT_RESOURCE_ID: "res_real",
      BASE_URL: "http://localhost:3002/",
      PORT: "4000",
      // Set in the real environment, even to "", so it wins.
      HOST: "",
      // Undefined in the record means not set: the file fills it.
      LOG_LEVEL: "debug",
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() changes neither the given environment nor the file", () => {
  const dir = withDir({ ".env": "A=file\nB=file\n" });
  try {
    const real = Object.freeze({ A: "real" });
    const env = readEnv({ cwd: dir, env: real });
    assert.deepEqual(env, { A: "real", B: "file" });
    assert.notEqual(env, real);
    assert.deepEqual(real, { A: "real" });
    assert.equal(Deno.readTextFileSync(join(dir, ".env")), "A=file\nB=file\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() keeps a __proto__ line as a plain variable", () => {
  const dir = withDir({ ".env": "__proto__=x\n" });
  try {
    const env = readEnv({ cwd: dir, env: {} });
    assert.ok(Object.hasOwn(env, "__proto__"));
    assert.equal(Object.getPrototypeOf(env), Object.prototype);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() reads the process environment by default", () => {
  const dir = withDir({});
  try {
    const env = readEnv({ cwd: dir });
    assert.deepEqual(env, { ...Deno.env.toObject() });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() does not hide a .env it cannot read", () => {
  const dir = withDir({});
  Deno.mkdirSync(join(dir, ".env"));
  try {
    assert.throws(
      () => readEnv({ cwd: dir, env: {} }),
      (error: unknown) =>
        error instanceof EnvFileError && error.code === "unreadable",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() puts an env file between the real environment and .env", () => {
  const dir = withDir({
    ".env": "A=dotenv\nB=dotenv\nC=dotenv\n",
    "extra.env": "B=extra\nC=extra\n",
  });
  try {
    assert.deepEqual(
      readEnv({
        cwd: dir,
        env: { C: "real" },
        envFile: join(dir, "extra.env"),
      }),
      { A: "dotenv", B: "extra", C: "real" },
    );
    assert.throws(
      () => readEnv({ cwd: dir, env: {}, envFile: join(dir, "missing.env") }),
      (error: unknown) =>
        error instanceof EnvFileError && error.code === "not_found",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readEnv() reads only the named variables of the process, one by one", () => {
  const dir = withDir({});
  const name = `MCP_READ_ENV_TEST_${crypto.randomUUID().slice(0, 8)}`;
  Deno.env.set(name, "yes");
  try {
    const env = readEnv({ cwd: dir, names: [name, "MCP_NOT_SET_ANYWHERE"] });
    assert.deepEqual(env, { [name]: "yes" });
  } finally {
    Deno.env.delete(name);
    Deno.removeSync(dir, { recursive: true });
  }
});
