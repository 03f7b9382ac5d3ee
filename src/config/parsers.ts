/**
 * The parsers the settings table uses: zod schemas from a variable's
 * trimmed, non-blank text to a typed value. A problem is a zod issue whose
 * message is what follows the variable's name (`must be …, not "x"`).
 *
 * @module
 */

import { z } from "zod";
import { parseDatabaseUrl } from "../store/database_url.ts";
import { TodoStoreError } from "../store/todo_store.ts";
import { quote, quoteChoices } from "./_findings.ts";
import { normalisePath } from "./_urls.ts";

/** Parses a variable's trimmed, non-blank text into a `T`. */
export type Parser<T> = z.ZodType<T, string>;

/** What is wrong with a value: the words after the variable's name. */
export class Problem {
  constructor(readonly message: string) {}
}

/** A problem, written as a template: no`must be …, not ${q}`. */
function no(parts: TemplateStringsArray, ...values: unknown[]): Problem {
  return new Problem(String.raw({ raw: parts }, ...values));
}

/**
 * A {@link Parser} from a function given the text and its quoted form, and
 * returning the value or a {@link Problem}.
 */
function parser<T>(parse: (raw: string, q: string) => T | Problem): Parser<T> {
  return z.string().transform((raw, ctx) => {
    const result = parse(raw, quote(raw));
    if (!(result instanceof Problem)) return result;
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  });
}

/** Any text. */
export const text = (): Parser<string> => z.string();

/** A whole number from `min` to `max` (digits only: no sign, point or exponent). */
export function integer(min: number, max?: number): Parser<number> {
  const range = max === undefined
    ? `of at least ${min}`
    : `from ${min} to ${max}`;
  return parser((raw, q) => {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    const ok = Number.isSafeInteger(value) && value >= min &&
      value <= (max ?? value);
    return ok ? value : no`must be a whole number ${range}, not ${q}`;
  });
}

/** Most isolates `MCP_WORKERS` may ask for: beyond the cores, more only cost memory. */
export const MAX_WORKERS = 64;

/**
 * `auto` (any case: the number of cores, `navigator.hardwareConcurrency`,
 * at most {@link MAX_WORKERS}) or a whole number from 1 to {@link MAX_WORKERS}.
 */
export function workers(
  cores: () => number = () => navigator.hardwareConcurrency,
): Parser<number> {
  return parser((raw, q) => {
    if (raw.toLowerCase() === "auto") {
      return Math.min(MAX_WORKERS, Math.max(1, Math.floor(cores() || 1)));
    }
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    return Number.isSafeInteger(value) && value >= 1 && value <= MAX_WORKERS
      ? value
      : no`must be "auto" or a whole number from 1 to ${MAX_WORKERS}, not ${q}`;
  });
}

/**
 * A number of seconds above 0 (or, with `zero`, 0 too) and at most `max`,
 * as whole milliseconds (at least 1, unless 0).
 */
export function secondsAsMs(
  max: number,
  options: { readonly zero?: boolean } = {},
): Parser<number> {
  const floor = options.zero ? "0 or more" : "above 0";
  return parser((raw, q) => {
    const seconds = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : -1;
    if (seconds === 0 && options.zero) return 0;
    return seconds > 0 && seconds <= max
      ? Math.max(1, Math.round(seconds * 1000))
      : no`must be a number of seconds ${floor} and at most ${max}, such as "10" or "2.5", not ${q}`;
  });
}

/** One of the names, in any case, mapped to its value; messages list them in this order. */
export function choice<const T>(
  choices: readonly (readonly [string, T])[],
): Parser<T> {
  const byName = new Map(choices.map(([n, value]) => [n.toLowerCase(), value]));
  const names = quoteChoices(choices.map(([name]) => name));
  return parser((raw, q) =>
    byName.get(raw.toLowerCase()) ??
      no`must be ${names} (in any case), not ${q}`
  );
}

/** One of the names, in any case, as written here. */
export const oneOf = <const T extends string>(...names: T[]): Parser<T> =>
  choice(names.map((name) => [name, name] as const));

/** `true`/`false`, `1`/`0` or `yes`/`no`, in any case. */
export const boolean = (): Parser<boolean> =>
  choice([["true", true], ["false", false], ["1", true], ["0", false], [
    "yes",
    true,
  ], ["no", false]]);

/** A host name or address to listen on. */
export function host(): Parser<string> {
  // A URL here is a common slip; Deno.serve would fail later, less helpfully.
  return parser((raw, q) =>
    /[\s/?#@]/.test(raw)
      ? no`must be a host name or IP address to listen on, such as "127.0.0.1" or "0.0.0.0", not ${q}; put the public URL in BASE_URL`
      : raw
  );
}

/** A URL path starting with `/`, slashes normalised (`"//a//b/"` → `"/a/b"`; `"/"` stays). */
export function urlPath(): Parser<string> {
  return parser((raw, q) => {
    if (!raw.startsWith("/")) {
      return no`must start with "/", such as "/mcp", not ${q}`;
    }
    const path = normalisePath(raw) || "/";
    // The path must survive URL parsing unchanged, or the endpoint served
    // and the URL advertised would differ.
    const url = new URL(path, "http://localhost");
    return url.pathname === path && url.search === "" && url.hash === ""
      ? path
      : no`must be a plain URL path such as "/mcp", without a query, fragment, "." or ".." segments or characters that need percent-encoding, not ${q}`;
  });
}

/** Options for {@link httpUrlText}. */
export interface HttpUrlOptions {
  /** Refuse a query (`?`) or fragment (`#`), as base URLs and issuers must. Default `false`. */
  readonly bare?: boolean;
  /** An example shown in messages. Default `"https://mcp.example.com"`. */
  readonly example?: string;
}

/**
 * An absolute http(s) URL without credentials, kept as written (issuers are
 * compared character by character).
 */
export function httpUrlText(options: HttpUrlOptions = {}): Parser<string> {
  const example = quote(options.example ?? "https://mcp.example.com");
  return parser((raw, q) => {
    const url = URL.parse(raw);
    // "localhost:3002" parses, with "localhost:" as its scheme; say what is
    // missing rather than calling "localhost" a scheme.
    if (url === null || !raw.includes("://")) {
      return no`must be an absolute URL starting with "https://" or "http://", such as ${example}, not ${q}`;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      const scheme = quote(url.protocol.slice(0, -1));
      return no`must use http or https, not ${scheme} (in ${q}); set it to a URL such as ${example}`;
    }
    if (url.username !== "" || url.password !== "") {
      return no`must not contain a user name or password`;
    }
    if (options.bare && /[?#]/.test(raw)) {
      return no`must not have a query or fragment, but ${q} does`;
    }
    return raw;
  });
}

/** Like {@link httpUrlText}, parsed. */
export const httpUrl = (options?: HttpUrlOptions): Parser<URL> =>
  httpUrlText(options).transform((raw) => new URL(raw));

/**
 * A `DATABASE_URL`: `sqlite:<path>`, `postgres://…`/`postgresql://…` or
 * `memory:`, checked by the store's own reader (`parseDatabaseUrl`) so the
 * server refuses at start exactly what the store would refuse later. Kept
 * as written (the store reads it again, with `DATA_DIR`); its problems name
 * the scheme at most, never the value, which may hold a password.
 */
export function databaseUrl(): Parser<string> {
  // parseDatabaseUrl() starts each message with the name it is given.
  const name = "DATABASE_URL";
  return parser((raw) => {
    try {
      parseDatabaseUrl(raw, { name });
      return raw;
    } catch (error) {
      if (!(error instanceof TodoStoreError)) throw error;
      return new Problem(error.message.replace(`${name} `, ""));
    }
  });
}

/** A Scalekit resource id: unreserved URL characters (RFC 3986 §2.3), as it is used as a path segment. */
export const resourceId = (): Parser<string> =>
  parser((raw, q) =>
    /^[A-Za-z0-9._~-]+$/.test(raw)
      ? raw
      : no`must be a Scalekit resource id such as "res_92015146095" (letters, digits, "_", "-", "." or "~"), not ${q}`
  );

/**
 * FastMCP's list syntax: a value starting with `[` is a JSON array of
 * strings; anything else is split on commas and whitespace alike. Items are
 * trimmed, empty ones dropped, duplicates removed (first kept). With `item`,
 * each item is parsed too, and every bad item is a problem of its own.
 */
export function list(): Parser<string[]>;
export function list<T>(item: Parser<T>): Parser<T[]>;
export function list<T>(item?: Parser<T>): Parser<string[] | T[]> {
  const strings = parser((raw) => {
    if (!raw.startsWith("[")) return unique(raw.split(/[\s,]+/));
    let items: unknown[];
    try {
      // A text starting with "[" that parses is always an array.
      items = JSON.parse(raw);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // The parser's own message quotes the input: keep only the position.
      const at = /at position (\d+)/.exec(error.message);
      const where = at ? ` (error at character ${Number(at[1]) + 1})` : "";
      return no`starts with "[" but is not a valid JSON array${where}; write it as ["a","b"] or as a comma-separated list`;
    }
    const bad = items.findIndex((each) => typeof each !== "string");
    const what = describeJson(items[bad]);
    return bad === -1
      ? unique(items as string[])
      : no`must be a JSON array of strings, but item ${bad + 1} is ${what}`;
  });
  return item ? strings.pipe(z.array(item)).transform(unique) : strings;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A list of OAuth scopes (RFC 6749 §3.3 scope tokens). */
export const scopes = (): Parser<string[]> =>
  list(
    parser((scope, q) =>
      SCOPE_TOKEN.test(scope)
        ? scope
        : no`contains ${q}, which is not a valid scope (RFC 6749 §3.3: printable ASCII without spaces, quotes or backslashes)`
    ),
  );

/**
 * Scopes every request must carry. `offline_access` is refused: it asks the
 * authorization server for refresh tokens and is never a resource's
 * requirement (MCP 2026-07-28, "Refresh Tokens"), so no token would ever
 * carry it for this server.
 */
export const requiredScopes = (): Parser<string[]> =>
  scopes().pipe(
    z.array(z.string()).transform((items, ctx) => {
      if (!items.includes("offline_access")) return items;
      ctx.addIssue({
        code: "custom",
        message:
          'must not contain "offline_access": it asks for refresh tokens, which no resource requires (MCP 2026-07-28, Refresh Tokens)',
      });
      return z.NEVER;
    }),
  );

/**
 * A scope hierarchy: `broad=narrow narrow; broad2=narrow2`, or a JSON
 * object `{"broad":["narrow"]}`. Each scope on the left grants the scopes on
 * its right (transitively, when the policy applies it).
 */
export function scopeImplications(): Parser<
  Readonly<Record<string, readonly string[]>>
> {
  const scope = (s: unknown) => typeof s === "string" && SCOPE_TOKEN.test(s);
  return parser((raw, q) => {
    let entries: unknown[][] | undefined;
    try {
      entries = raw.startsWith("{")
        ? Object.entries(JSON.parse(raw))
        : raw.split(";").filter((part) => part.trim()).map((part) => {
          const [broad, narrow] = part.split(/=(.*)/s);
          return [broad.trim(), narrow?.trim().split(/\s+/).filter(Boolean)];
        });
    } catch {
      // Not JSON: the message below says what to write.
    }
    const valid = entries?.every(([broad, narrow]) =>
      scope(broad) && Array.isArray(narrow) && narrow.every(scope)
    );
    return valid
      ? Object.freeze(Object.fromEntries(
        entries!.map(([broad, narrow]) => [
          broad,
          Object.freeze([...new Set(narrow as string[])]),
        ]),
      ))
      : no`must map scopes to scopes, as "broad=narrow narrow; other=narrow" or {"broad":["narrow"]} (RFC 6749 §3.3 scope tokens), not ${q}`;
  });
}

/** Asymmetric JWS algorithms (RFC 7518 §3.1, RFC 8037): the only kind a JWKS of public keys can verify. */
const ALGORITHMS = "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
  .split(" ");

/** A list of asymmetric JWS algorithms, in canonical spelling. */
export function algorithms(): Parser<string[]> {
  const byName = new Map(ALGORITHMS.map((alg) => [alg.toLowerCase(), alg]));
  const accepted = ALGORITHMS.join(", ");
  // "none" is unsigned and HS* needs a shared secret; with a public key as
  // the secret it is a known forgery (RFC 8725 §2.1, §3.1).
  return list(
    parser((name, q) =>
      byName.get(name.toLowerCase()) ??
        (/^(none|hs\d+)$/i.test(name)
          ? no`must not include ${q}: only asymmetric algorithms verified with keys from the JWKS are allowed (${accepted})`
          : no`contains unsupported algorithm ${q}; use one or more of ${accepted}`)
    ),
  );
}

/**
 * A list of browser origins, normalised to what a browser sends
 * (`HTTPS://App.Example.com:443/` → `https://app.example.com`). `*` and
 * `null` are refused: an allow-list must name its origins.
 */
export const origins = (): Parser<string[]> =>
  list(parser((item, q) => {
    const url = URL.parse(item);
    if (
      url?.host && item.includes("://") && !url.username && !url.password &&
      ["", "/"].includes(url.pathname) && !/[?#]/.test(item)
    ) {
      // Non-special schemes (chrome-extension:, vscode-webview:) have an
      // opaque URL.origin of "null"; browsers still send scheme://host.
      return url.origin !== "null"
        ? url.origin
        : `${url.protocol}//${url.host}`;
    }
    if (item === "*") {
      return no`must list exact origins; "*" would let any web page call the server`;
    }
    if (item.toLowerCase() === "null") {
      return no`must not contain "null": sandboxed frames and local files all send that origin`;
    }
    return no`must contain origins of the form scheme://host[:port], such as "https://app.example.com", not ${q}`;
  }));

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `the ${typeof value} ${String(value)}`;
}

function unique<T>(items: readonly T[]): T[] {
  const kept = items.map((i) => typeof i === "string" ? i.trim() as T : i);
  return [...new Set(kept.filter((item) => item !== ""))];
}
