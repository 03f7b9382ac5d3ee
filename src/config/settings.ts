/**
 * The reader behind every settings table: which variables a setting is read
 * from and in what order, blank as unset, deprecated and ignored names,
 * required settings, defaults, parsing and secret masking. The rules hold
 * for every setting, so adding one is one table entry.
 *
 * @module
 */

import {
  addProblem,
  addWarning,
  createFindings,
  type Findings,
} from "./_findings.ts";
import { ConfigError } from "./errors.ts";
import type { Parser } from "./parsers.ts";
import type { ProviderKind } from "./types.ts";

/** The environment as the configuration receives it; never mutated. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One setting: where it is read from, how it is parsed, and how the README describes it. */
export interface SettingSpec<T = unknown> {
  /** FastMCP 2.x's name (`FASTMCP_SERVER_AUTH_<PROVIDER>_<SETTING>`), read first. */
  readonly fastmcp?: string;
  /** The plain name (the Scalekit guides' or this server's), read second. */
  readonly name?: string;
  /** Deprecated names, read last; reading one warns once. */
  readonly deprecated?: { readonly fastmcp?: string; readonly name?: string };
  /** The providers it applies to. Default: any. */
  readonly providers?: readonly ProviderKind[];
  /** Parses the trimmed, non-blank value. Absent when the setting is accepted and ignored. */
  readonly parse?: Parser<T>;
  /** The value, as text, when unset; it is parsed like a value. */
  readonly default?: string;
  /** For the README, when the default is computed from other settings. */
  readonly computedDefault?: string;
  /** Makes unset (or an empty list) a problem: "Set <names> <required>". */
  readonly required?: string;
  /** Why the setting is ignored (with no `parse`); reading it warns once. */
  readonly ignored?: string;
  /** Masked in problems and descriptions. */
  readonly secret?: boolean;
  /** One line for the README. */
  readonly doc: string;
}

/** A table of settings, keyed by the field each one becomes. */
export type SettingsTable = Readonly<Record<string, SettingSpec>>;

type ValueOf<S> = S extends { readonly parse: Parser<infer T> } ? T : never;
type HasDefault<S> = S extends { readonly default: string } ? true : false;

/** A table's values: present when set or defaulted; ignored settings have none. */
export type SettingValues<S extends SettingsTable> =
  & {
    readonly [K in keyof S as HasDefault<S[K]> extends true ? K : never]:
      ValueOf<S[K]>;
  }
  & {
    readonly [
      K in keyof S as HasDefault<S[K]> extends true ? never
        : S[K] extends { readonly parse: unknown } ? K
        : never
    ]?: ValueOf<S[K]>;
  };

/** How one setting was resolved. */
export interface Resolved {
  /**
   * `environment`; `default`; `unset`; `invalid` after a problem (the
   * value is then the default, if any); `ignored` when set but ignored;
   * `skipped` when it does not apply to the provider.
   */
  readonly state: Exclude<DescribedSetting["source"], "derived"> | "skipped";
  /** The parsed value, or the parsed default. */
  readonly value?: unknown;
  /** The variable it was read from, and that variable's trimmed text. */
  readonly variable?: string;
  readonly raw?: string;
}

/** One setting as `describeConfig()` reports it. */
export interface DescribedSetting {
  /** Its key in the table (for server settings, the `Config` field). */
  readonly key: string;
  /** Every variable it is read from, in order. */
  readonly variables: readonly string[];
  /** The variable the value came from, when one was set. */
  readonly variable?: string;
  /** Where the value came from; `derived` is computed from other settings. */
  readonly source:
    | "environment"
    | "default"
    | "derived"
    | "unset"
    | "invalid"
    | "ignored";
  /** The effective value as JSON; `"<hidden>"` for a secret; absent when there is none. */
  readonly value?: string;
}

const HIDDEN = "<hidden>";

/** The names a setting is read from, in order, deprecated ones last. */
export function namesOf(spec: SettingSpec): string[] {
  const { fastmcp, name, deprecated: old } = spec;
  return [fastmcp, name, old?.fastmcp, old?.name].filter((n) =>
    n !== undefined
  );
}

/** The current (not deprecated) names of a setting, joined with "or". */
export function currentNames(spec: SettingSpec): string {
  return [spec.fastmcp, spec.name].filter((n) => n !== undefined).join(" or ");
}

/** The trimmed value of the first of `names` that is set and not blank. */
export function readFirst(
  env: Env,
  names: readonly (string | undefined)[],
): { readonly variable: string; readonly raw: string } | undefined {
  for (const variable of names) {
    // Own properties only: a name must never resolve to Object.prototype.
    const value = variable !== undefined && Object.hasOwn(env, variable)
      ? env[variable]
      : undefined;
    const raw = typeof value === "string" ? value.trim() : "";
    if (variable !== undefined && raw !== "") return { variable, raw };
  }
}

/**
 * Parses `raw` as read from `variable`, recording each problem as
 * "<variable> <what is wrong>". A secret's quoted values are masked.
 */
export function parseValue<T>(
  spec: { readonly parse: Parser<T>; readonly secret?: boolean },
  variable: string,
  raw: string,
  findings: Findings,
): { readonly ok: true; readonly value: T } | { readonly ok: false } {
  const result = spec.parse.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  for (const { message } of result.error.issues) {
    const text = `${variable} ${message}`;
    addProblem(
      findings,
      variable,
      spec.secret
        ? text.replaceAll(raw, HIDDEN).replace(/"(?:[^"\\]|\\.)*"/g, HIDDEN)
        : text,
    );
  }
  return { ok: false };
}

/**
 * Resolves one setting: FastMCP's name, then the plain name, then the
 * deprecated ones (with a warning). `strict` makes a missing required
 * setting a problem.
 */
export function resolveSetting(
  spec: SettingSpec,
  env: Env,
  findings: Findings,
  strict = true,
): Resolved {
  const current = readFirst(env, [spec.fastmcp, spec.name]);
  const old = readFirst(env, [spec.deprecated?.fastmcp, spec.deprecated?.name]);
  if (old !== undefined) {
    const replacement = old.variable === spec.deprecated?.fastmcp
      ? spec.fastmcp ?? spec.name
      : spec.name ?? spec.fastmcp;
    addWarning(findings, {
      code: "deprecated_variable",
      variable: old.variable,
      message: current === undefined
        ? `${old.variable} is deprecated; rename it to ${replacement}`
        : `${old.variable} is deprecated and ignored because ${current.variable} is set; remove it`,
    });
  }
  const chosen = current ?? old;
  const { parse, secret } = spec;
  if (parse === undefined) {
    if (chosen === undefined) return { state: "unset" };
    addWarning(findings, {
      code: "ignored_variable",
      variable: chosen.variable,
      message: `${chosen.variable} is ignored: ${spec.ignored}; remove it`,
    });
    return { state: "ignored", variable: chosen.variable };
  }
  const fallback = spec.default === undefined
    ? undefined
    : parse.parse(spec.default);
  const parsed = chosen &&
    parseValue({ parse, secret }, chosen.variable, chosen.raw, findings);
  const empty = parsed?.ok && Array.isArray(parsed.value) &&
    parsed.value.length === 0;
  if (parsed?.ok && !(empty && spec.required)) {
    return { state: "environment", value: parsed.value, ...chosen };
  }
  if ((!chosen || empty) && strict && spec.required !== undefined) {
    const [first] = namesOf(spec);
    addProblem(findings, first, `Set ${currentNames(spec)} ${spec.required}`);
  }
  if (chosen) return { state: "invalid", value: fallback, ...chosen };
  return fallback === undefined
    ? { state: "unset" }
    : { state: "default", value: fallback };
}

/**
 * Resolves the settings of `table` that apply to `provider`. With no
 * provider (not chosen, or unknown) every setting is read but only
 * provider-independent ones can be missing: every bad value is still named.
 */
export function readSettings<S extends SettingsTable>(
  table: S,
  env: Env,
  findings: Findings,
  provider?: ProviderKind,
): {
  readonly values: SettingValues<S>;
  readonly resolved: { readonly [K in keyof S]: Resolved };
} {
  const values: Record<string, unknown> = {};
  const resolved: Record<string, Resolved> = {};
  for (const [key, spec] of Object.entries(table)) {
    const applies = !spec.providers || !provider ||
      spec.providers.includes(provider);
    const strict = !spec.providers || provider !== undefined;
    resolved[key] = applies
      ? resolveSetting(spec, env, findings, strict)
      : { state: "skipped" };
    if (resolved[key].value !== undefined) values[key] = resolved[key].value;
  }
  return {
    values: values as SettingValues<S>,
    resolved: resolved as { [K in keyof S]: Resolved },
  };
}

/** How a resolved setting is described: where it came from and its value as JSON, a secret masked. */
export function describeSetting(
  key: string,
  spec: SettingSpec,
  resolved: Resolved,
  derived?: { readonly value: unknown },
): DescribedSetting {
  const value = derived ? derived.value : resolved.value;
  const source = derived ? "derived" : resolved.state;
  if (source === "skipped") throw new TypeError(`${key} does not apply`);
  const shown = value === undefined || source === "invalid"
    ? {}
    : { value: spec.secret ? HIDDEN : JSON.stringify(value) };
  const variable = resolved.variable === undefined
    ? {}
    : { variable: resolved.variable };
  return { key, variables: namesOf(spec), ...variable, source, ...shown };
}

/**
 * Reads a table of provider-independent settings on its own (dev mode's).
 *
 * @throws {ConfigError} with every problem found
 *
 * @example
 * ```ts
 * import { loadSettings } from "./settings.ts";
 * import { DEV_SETTINGS } from "./table.ts";
 *
 * loadSettings(DEV_SETTINGS, { PORT: " " }).port; // 3002
 * ```
 */
export function loadSettings<S extends SettingsTable>(
  table: S,
  env: Env,
): SettingValues<S> {
  const findings = createFindings();
  const { values } = readSettings(table, env, findings);
  if (findings.problems.length > 0) throw new ConfigError(findings.problems);
  Object.freeze(values);
  return values;
}
