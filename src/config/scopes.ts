/**
 * Scope lists (`…_REQUIRED_SCOPES`), parsed the way FastMCP parses them.
 *
 * @module
 */

import { type ListResult, splitList } from "./_list.ts";
import { ConfigError } from "./errors.ts";
import { quote } from "./_findings.ts";

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Like {@link parseScopeList} but returns the problem instead of throwing,
 * so `loadConfig()` can collect it with the others.
 */
export function readScopeList(
  raw: string | undefined,
  variable: string,
): ListResult {
  const list = splitList(raw, variable);
  if (!list.ok) return list;
  const bad = list.values.find((scope) => !SCOPE_TOKEN.test(scope));
  if (bad !== undefined) {
    return {
      ok: false,
      message: `${variable} contains ${
        quote(bad)
      }, which is not a valid scope (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes)`,
    };
  }
  return list;
}

/**
 * Parses a scope list as FastMCP does: a value starting with `[` is a JSON
 * array of strings; otherwise commas and whitespace both separate scopes.
 * Blank or unset gives `[]`; duplicates are dropped, order is kept.
 *
 * @param raw the variable's value, or `undefined` when unset
 * @param variable the variable's name, used in the error
 * @returns the scopes, in order, without duplicates
 * @throws {ConfigError} malformed JSON, non-string items or invalid scope characters
 *
 * @example
 * ```ts
 * import { parseScopeList } from "./scopes.ts";
 *
 * parseScopeList("read, write", "SCALEKIT_REQUIRED_SCOPES"); // ["read", "write"]
 * parseScopeList('["read","write"]', "SCALEKIT_REQUIRED_SCOPES"); // ["read", "write"]
 * ```
 */
export function parseScopeList(
  raw: string | undefined,
  variable: string,
): string[] {
  const result = readScopeList(raw, variable);
  if (!result.ok) {
    throw new ConfigError([{ variable, message: result.message }]);
  }
  return result.values;
}
