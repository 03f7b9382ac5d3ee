/**
 * What counts as this machine: the one definition of "loopback" that the
 * configuration (HOST, BASE_URL), the Host check and the Origin check share.
 *
 * @module
 */

/**
 * Whether `host` (a bind address, a `Host` name or a URL's hostname; IPv6
 * with or without brackets) is a loopback address: `localhost`,
 * 127.0.0.0/8 or `::1`. The whole name must match, so
 * `127.0.0.1.evil.example` is not loopback.
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
