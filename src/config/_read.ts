/**
 * Reading single variables from the environment record. A value is trimmed;
 * an empty or blank value counts as unset.
 *
 * @module
 */

/** The environment as `loadConfig()` receives it; never mutated. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable that is set, with its trimmed value. */
export interface Setting {
  /** The variable's name. */
  readonly variable: string;
  /** Its value, trimmed, never empty. */
  readonly value: string;
}

/** The trimmed value of `name`, or `undefined` when unset, empty or blank. */
export function readVar(env: Env, name: string): string | undefined {
  // Own properties only: a name must never resolve to Object.prototype.
  const raw = Object.hasOwn(env, name) ? env[name] : undefined;
  if (typeof raw !== "string") return undefined;
  const trimmed = raw.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** The first of `names` that is set, in order (FastMCP's prefixed name first). */
export function readFirst(
  env: Env,
  names: readonly string[],
): Setting | undefined {
  for (const variable of names) {
    const value = readVar(env, variable);
    if (value !== undefined) return { variable, value };
  }
  return undefined;
}
