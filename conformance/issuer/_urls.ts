/**
 * URL rules shared by registration, client ID metadata documents and
 * resource indicators.
 *
 * @module
 */

/** Parses an absolute URL, or returns `undefined`. */
export function parseAbsoluteUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Whether a URL's host is a loopback address (RFC 8252 §7.3) or `localhost`. */
export function isLoopbackHost(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" ||
    /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Why a string cannot be a redirect URI, or `undefined` when it can: an
 * absolute URL without a fragment (RFC 6749 §3.1.2), `https`, or `http` on a
 * loopback host only (RFC 8252 §7.3, OAuth 2.1 §2.3.1).
 */
export function redirectUriProblem(value: string): string | undefined {
  const url = parseAbsoluteUrl(value);
  if (url === undefined) return `"${value}" is not an absolute URL`;
  if (url.hash !== "" || value.includes("#")) {
    return `"${value}" has a fragment`;
  }
  if (url.username !== "" || url.password !== "") {
    return `"${value}" has user information`;
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && isLoopbackHost(url)) return undefined;
  if (url.protocol === "http:") {
    return `"${value}" uses http on a host that is not loopback`;
  }
  return `"${value}" uses the scheme "${url.protocol.slice(0, -1)}"`;
}

/**
 * Whether a `client_id` names a client ID metadata document: an `https` URL,
 * or an `http` URL on a loopback host (for local tests), without fragment or
 * user information (draft-ietf-oauth-client-id-metadata-document §3).
 */
export function isClientMetadataDocumentUrl(clientId: string): boolean {
  if (!/^https?:\/\//i.test(clientId)) return false;
  return redirectUriProblem(clientId) === undefined;
}

/**
 * A URL in a form that ignores spelling differences that do not change
 * what it names: case of scheme and host, default port, and one trailing
 * slash.
 */
export function comparableUrl(value: string): string | undefined {
  const url = parseAbsoluteUrl(value);
  if (url === undefined) return undefined;
  const href = url.href;
  return href.endsWith("/") ? href.slice(0, -1) : href;
}
