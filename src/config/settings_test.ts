import assert from "node:assert/strict";
import { createFindings, type Findings } from "./_findings.ts";
import { ConfigError } from "./errors.ts";
import { httpUrl, integer, list, text } from "./parsers.ts";
import {
  describeSetting,
  type Env,
  loadSettings,
  namesOf,
  readSettings,
  resolveSetting,
  type SettingSpec,
} from "./settings.ts";
import { DEV_SETTINGS, SETTINGS } from "./table.ts";
import { assertMessageStyle, warningKeys } from "./_testing.ts";

/** A setting with every kind of name. */
const URL_SETTING = {
  fastmcp: "FASTMCP_X_URL",
  name: "X_URL",
  deprecated: { fastmcp: "FASTMCP_X_OLD_URL", name: "X_OLD_URL" },
  parse: httpUrl().transform((url) => url.href),
  required: 'to a URL such as "https://x.example"',
  doc: "A URL",
} as const satisfies SettingSpec;

function resolve(spec: SettingSpec, env: Env) {
  const findings = createFindings();
  return { ...resolveSetting(spec, env, findings), findings };
}

Deno.test("a setting is read under FastMCP's name, then the plain name, then deprecated names", async (t) => {
  const all = {
    FASTMCP_X_URL: "https://fastmcp.example",
    X_URL: "https://plain.example",
    FASTMCP_X_OLD_URL: "https://old-fastmcp.example",
    X_OLD_URL: "https://old-plain.example",
  };
  const cases: [string, Env, string, string][] = [
    ["all set", all, "FASTMCP_X_URL", "https://fastmcp.example/"],
    [
      "no FastMCP name",
      { ...all, FASTMCP_X_URL: undefined },
      "X_URL",
      "https://plain.example/",
    ],
    [
      "only deprecated names",
      { FASTMCP_X_OLD_URL: all.FASTMCP_X_OLD_URL, X_OLD_URL: all.X_OLD_URL },
      "FASTMCP_X_OLD_URL",
      "https://old-fastmcp.example/",
    ],
    [
      "only the plain deprecated name",
      { X_OLD_URL: all.X_OLD_URL },
      "X_OLD_URL",
      "https://old-plain.example/",
    ],
  ];
  for (const [name, env, variable, value] of cases) {
    await t.step(name, () => {
      const resolved = resolve(URL_SETTING, env);
      assert.equal(resolved.state, "environment");
      assert.equal(resolved.variable, variable);
      assert.equal(resolved.value, value);
      assert.deepEqual(resolved.findings.problems, []);
    });
  }
});

Deno.test("a blank value counts as unset, whatever its name", async (t) => {
  for (const blank of ["", " ", "\t\n "]) {
    await t.step(JSON.stringify(blank), () => {
      const resolved = resolve(URL_SETTING, {
        FASTMCP_X_URL: blank,
        X_URL: "https://plain.example",
        FASTMCP_X_OLD_URL: blank,
      });
      assert.equal(resolved.variable, "X_URL");
      assert.deepEqual(resolved.findings.warnings, []);
      const { state } = resolve({ ...URL_SETTING, required: undefined }, {
        X_URL: blank,
      });
      assert.equal(state, "unset");
    });
  }
  await t.step("a value is trimmed", () => {
    assert.equal(
      resolve(URL_SETTING, { X_URL: " https://a.example\n" }).raw,
      "https://a.example",
    );
  });
});

Deno.test("a deprecated name warns once, saying what to do", async (t) => {
  const cases: [string, Env, string, RegExp][] = [
    [
      "alone",
      { X_OLD_URL: "https://a.example" },
      "X_OLD_URL",
      /^X_OLD_URL is deprecated; rename it to X_URL$/,
    ],
    [
      "FastMCP's alone",
      { FASTMCP_X_OLD_URL: "https://a.example" },
      "FASTMCP_X_OLD_URL",
      /^FASTMCP_X_OLD_URL is deprecated; rename it to FASTMCP_X_URL$/,
    ],
    [
      "both deprecated names: the first is named",
      {
        FASTMCP_X_OLD_URL: "https://a.example",
        X_OLD_URL: "https://b.example",
      },
      "FASTMCP_X_OLD_URL",
      /rename it to FASTMCP_X_URL$/,
    ],
    [
      "beside a current name",
      { X_URL: "https://new.example", FASTMCP_X_OLD_URL: "https://a.example" },
      "FASTMCP_X_OLD_URL",
      /^FASTMCP_X_OLD_URL is deprecated and ignored because X_URL is set; remove it$/,
    ],
  ];
  for (const [name, env, variable, pattern] of cases) {
    await t.step(name, () => {
      const findings = createFindings();
      // Read twice, as the provider-independent pass and a provider's would.
      resolveSetting(URL_SETTING, env, findings);
      resolveSetting(URL_SETTING, env, findings);
      assert.deepEqual(warningKeys(findings.warnings), [
        `deprecated_variable:${variable}`,
      ]);
      assert.match(findings.warnings[0].message, pattern);
      assertMessageStyle(findings.warnings[0].message);
    });
  }
});

Deno.test("an ignored setting warns once and keeps no value", () => {
  const spec: SettingSpec = {
    fastmcp: "FASTMCP_X_CLIENT_ID",
    name: "X_CLIENT_ID",
    ignored: "nothing needs it",
    doc: "Ignored",
  };
  const findings = createFindings();
  const env = { FASTMCP_X_CLIENT_ID: "id_1", X_CLIENT_ID: "id_2" };
  const first = resolveSetting(spec, env, findings);
  resolveSetting(spec, env, findings);
  assert.deepEqual(first, {
    state: "ignored",
    variable: "FASTMCP_X_CLIENT_ID",
  });
  assert.deepEqual(warningKeys(findings.warnings), [
    "ignored_variable:FASTMCP_X_CLIENT_ID",
  ]);
  assert.equal(
    findings.warnings[0].message,
    "FASTMCP_X_CLIENT_ID is ignored: nothing needs it; remove it",
  );
});

Deno.test("a missing required setting names its current names and what to set", async (t) => {
  const expected = [{
    variable: "FASTMCP_X_URL",
    message: 'Set FASTMCP_X_URL or X_URL to a URL such as "https://x.example"',
  }];
  await t.step("unset", () => {
    assert.deepEqual(resolve(URL_SETTING, {}).findings.problems, expected);
  });
  await t.step("an empty list", () => {
    const spec = { ...URL_SETTING, parse: list() };
    const resolved = resolve(spec, { X_URL: "[]" });
    assert.equal(resolved.state, "invalid");
    assert.deepEqual(resolved.findings.problems, expected);
  });
  await t.step("not in lenient mode", () => {
    const findings = createFindings();
    resolveSetting(URL_SETTING, {}, findings, false);
    assert.deepEqual(findings.problems, []);
  });
});

Deno.test("an unset setting takes its default, parsed like a value", () => {
  const spec = {
    name: "X_PORT",
    parse: integer(0, 9),
    default: "7",
    doc: "A port",
  } as const satisfies SettingSpec;
  assert.deepEqual(resolve(spec, {}).value, 7);
  const invalid = resolve(spec, { X_PORT: "10" });
  assert.equal(invalid.state, "invalid");
  assert.equal(invalid.value, 7, "later checks go on with the default");
  assert.deepEqual(invalid.findings.problems, [{
    variable: "X_PORT",
    message: 'X_PORT must be a whole number from 0 to 9, not "10"',
  }]);
  assert.throws(() => resolve({ ...spec, default: "x" }, {}), Error);
});

Deno.test("a secret is masked in problems and descriptions", () => {
  const spec = {
    name: "X_DATABASE_URL",
    parse: httpUrl({ bare: true }),
    secret: true,
    doc: "A secret URL",
  } as const satisfies SettingSpec;
  const raw = "ftp://user:hunter2@db.example/x?ssl=1";
  const bad = resolve(spec, { X_DATABASE_URL: raw });
  assert.equal(bad.findings.problems.length, 1);
  assert.doesNotMatch(bad.findings.problems[0].message, /hunter2/);
  assert.match(
    bad.findings.problems[0].message,
    /^X_DATABASE_URL must use http or https, not <hidden> \(in <hidden>\)/,
  );

  const good = resolve(spec, { X_DATABASE_URL: "https://db.example/x" });
  assert.deepEqual(describeSetting("databaseUrl", spec, good), {
    key: "databaseUrl",
    variables: ["X_DATABASE_URL"],
    variable: "X_DATABASE_URL",
    source: "environment",
    value: "<hidden>",
  });
  assert.throws(
    () => describeSetting("databaseUrl", spec, { state: "skipped" }),
    TypeError,
  );
  const open = describeSetting("databaseUrl", { ...spec, secret: false }, good);
  assert.equal(open.value, '"https://db.example/x"');
});

Deno.test("readSettings() reads every setting when the provider is unknown, but requires none of them", () => {
  const table = {
    general: {
      name: "X_GENERAL",
      parse: integer(0, 9),
      doc: "G",
    },
    scalekit: {
      name: "X_SCALEKIT",
      providers: ["scalekit"],
      parse: integer(0, 9),
      required: "to a digit",
      doc: "S",
    },
    jwt: { name: "X_JWT", providers: ["jwt"], parse: integer(0, 9), doc: "J" },
  } as const satisfies Record<string, SettingSpec>;
  const env = { X_GENERAL: "x", X_JWT: "y" };
  const problems = (provider?: "scalekit" | "jwt") => {
    const findings: Findings = createFindings();
    readSettings(table, env, findings, provider);
    return findings.problems.map((p) => p.variable);
  };
  assert.deepEqual(problems(), ["X_GENERAL", "X_JWT"]);
  assert.deepEqual(problems("scalekit"), ["X_GENERAL", "X_SCALEKIT"]);
  assert.deepEqual(problems("jwt"), ["X_GENERAL", "X_JWT"]);
});

Deno.test("loadSettings() reads dev mode's settings, blank as unset, every problem at once", () => {
  assert.deepEqual(
    {
      ...loadSettings(DEV_SETTINGS, {
        PORT: "",
        MOCK_ISSUER_PORT: "  ",
        DEV_STATE_DIR: "\t",
      }),
    },
    { port: 3002, mockIssuerPort: 3003, stateDir: ".dev", consent: "prompt" },
  );
  assert.deepEqual(
    {
      ...loadSettings(DEV_SETTINGS, {
        PORT: " 4000 ",
        MOCK_ISSUER_PORT: "0",
        DEV_STATE_DIR: "/tmp/d",
        DEV_CONSENT: "auto",
      }),
    },
    { port: 4000, mockIssuerPort: 0, stateDir: "/tmp/d", consent: "auto" },
  );
  assert.throws(
    () => loadSettings(DEV_SETTINGS, { PORT: "0", MOCK_ISSUER_PORT: "x" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable), [
        "PORT",
        "MOCK_ISSUER_PORT",
      ]);
      return true;
    },
  );
});

Deno.test("the settings tables are well formed", async (t) => {
  for (const [key, spec] of Object.entries({ ...SETTINGS, ...DEV_SETTINGS })) {
    await t.step(key, () => {
      const s: SettingSpec = spec;
      assert.ok(namesOf(s).length > 0, "has a name");
      assert.equal(
        s.parse === undefined,
        s.ignored !== undefined,
        "ignored exactly when it has no parser",
      );
      const defaults = [s.default, s.computedDefault, s.required].filter((d) =>
        d !== undefined
      );
      assert.ok(defaults.length <= 1, "one kind of default");
      if (s.default !== undefined) s.parse?.parse(s.default);
      // Sentence case (or a code span), one line, no trailing period.
      assert.match(s.doc, /^[A-Z`][^\n]*[^.]$/);
      if (s.required !== undefined) assertMessageStyle(`Set X ${s.required}`);
    });
  }
  await t.step("no variable is read twice for one provider", () => {
    for (const provider of ["scalekit", "jwt", "none"] as const) {
      const names = Object.values(SETTINGS as Record<string, SettingSpec>)
        .filter((s) => !s.providers || s.providers.includes(provider))
        .flatMap(namesOf);
      assert.deepEqual(names, [...new Set(names)], provider);
    }
  });
});

Deno.test("text() keeps the value as read", () => {
  const spec = {
    name: "X",
    parse: text(),
    doc: "X",
  } as const;
  assert.equal(resolve(spec, { X: "  Todo server " }).value, "Todo server");
});
