/**
 * FastMCP's list syntax, shared by every list-valued variable: a value whose
 * first non-blank character is `[` is a JSON array of strings; anything else
 * is split on commas and whitespace alike.
 *
 * @module
 */

/** A parsed list, or why it could not be parsed. */
export type ListResult =
  | { readonly ok: true; readonly values: string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Parses a list value. Items are trimmed, empty items dropped, duplicates
 * removed (first occurrence kept). `undefined` or blank gives `[]`.
 */
export function splitList(
  raw: string | undefined,
  variable: string,
): ListResult {
  const text = raw?.trim() ?? "";
  if (text === "") return { ok: true, values: [] };
  if (!text.startsWith("[")) {
    return { ok: true, values: unique(text.split(/[\s,]+/)) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return {
      ok: false,
      message:
        `${variable} starts with "[" but is not a valid JSON array (${error.message}); write it as ["a","b"] or as a comma-separated list`,
    };
  }
  // A text starting with "[" that parses is always an array.
  const items = parsed as unknown[];
  const bad = items.findIndex((item) => typeof item !== "string");
  if (bad !== -1) {
    return {
      ok: false,
      message: `${variable} must be a JSON array of strings, but item ${
        bad + 1
      } is ${describeJson(items[bad])}`,
    };
  }
  return { ok: true, values: unique(items as string[]) };
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `the ${typeof value} ${String(value)}`;
}

function unique(items: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const item of items) {
    const trimmed = item.trim();
    if (trimmed !== "") seen.add(trimmed);
  }
  return [...seen];
}
