/**
 * Host and URL rules shared by the parsers and the derived settings.
 *
 * @module
 */

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
