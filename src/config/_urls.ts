/**
 * URL checks and the well-known URL rules shared by the endpoint and the
 * providers.
 *
 * @module
 */

import { quote } from "./_findings.ts";

/** A parsed URL, or why the value is not an acceptable one. */
export type UrlResult =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly message: string };

/** Options for {@link parseHttpUrl}. */
export interface HttpUrlOptions {
  /** Refuse a query (`?`) or fragment (`#`), as base URLs and issuers must. Default `false`. */
  readonly bare?: boolean;
  /** An example value shown in messages. Default `"https://mcp.example.com"`. */
  readonly example?: string;
}

/**
 * Parses an absolute http(s) URL without credentials. Messages name
 * `variable` and, for a wrong scheme, the scheme.
 */
export function parseHttpUrl(
  raw: string,
  variable: string,
  options: HttpUrlOptions = {},
): UrlResult {
  const example = quote(options.example ?? "https://mcp.example.com");
  const url = URL.parse(raw);
  if (url === null || !raw.includes("://")) {
    // "localhost:3002" parses, with "localhost:" as its scheme; say what is
    // missing rather than calling "localhost" a scheme.
    return {
      ok: false,
      message:
        `${variable} must be an absolute URL starting with "https://" or "http://", such as ${example}, not ${
          quote(raw)
        }`,
    };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return {
      ok: false,
      message: `${variable} must use http or https, not ${
        quote(url.protocol.slice(0, -1))
      } (in ${quote(raw)}); set it to a URL such as ${example}`,
    };
  }
  if (url.username !== "" || url.password !== "") {
    return {
      ok: false,
      message: `${variable} must not contain a user name or password`,
    };
  }
  if (options.bare && (raw.includes("?") || raw.includes("#"))) {
    return {
      ok: false,
      message: `${variable} must not have a query or fragment, but ${
        quote(raw)
      } does`,
    };
  }
  return { ok: true, url };
}

/**
 * Whether `host` (a HOST setting or a URL's hostname, IPv6 with or without
 * brackets) is a loopback address: `localhost`, 127.0.0.0/8 or `::1`.
 */
export function isLoopbackHost(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name === "localhost") return true;
  if (name.includes(":")) {
    // Let the URL parser canonicalise IPv6 (0:0:0:0:0:0:0:1 is ::1 too).
    return URL.parse(`http://[${name}]/`)?.hostname === "[::1]";
  }
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}

/** Collapses repeated slashes and drops trailing ones (`"//a//b/"` → `"/a/b"`, `"/"` → `""`). */
export function normalisePath(path: string): string {
  return path.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
}

/**
 * The well-known URL for `url` with the well-known segment inserted between
 * the host and the path, any terminating slash removed first (RFC 8414 §3.1,
 * RFC 9728 §3.1): `https://x.com/api/mcp` with `oauth-protected-resource`
 * gives `https://x.com/.well-known/oauth-protected-resource/api/mcp`.
 * `url` must be absolute and carry no query.
 */
export function wellKnownUrl(url: string, suffix: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}/.well-known/${suffix}${
    normalisePath(parsed.pathname)
  }`;
}

/**
 * The host part of a URL for a bind address: wildcard addresses become
 * `localhost` (a client cannot connect to 0.0.0.0), IPv6 gets brackets.
 */
export function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "[::]") {
    return "localhost";
  }
  if (host.includes(":") && !host.startsWith("[")) return `[${host}]`;
  return host;
}
