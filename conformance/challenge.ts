/**
 * Parses `WWW-Authenticate` challenges (RFC 9110 §11.6.1), strictly enough
 * to tell a well-formed Bearer challenge (RFC 6750 §3) from a sloppy one.
 *
 * @module
 */

/** One challenge: its scheme and auth-params (names lower-cased). */
export interface Challenge {
  /** The scheme as sent, e.g. `Bearer`. */
  readonly scheme: string;
  /** Parameter values, unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses a header value into its challenges; `undefined` when it is not
 * valid challenge syntax.
 */
export function parseChallenges(header: string): Challenge[] | undefined {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> =
    [];
  let rest = header.trim();
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) return undefined;
    rest = rest.slice(scheme.length);
    const current = { scheme, params: {} as Record<string, string> };
    challenges.push(current);
    rest = rest.replace(/^ +/, "");
    // auth-params: name = token / quoted-string, separated by commas.
    while (rest.length > 0) {
      const name = TOKEN.exec(rest)?.[0];
      if (name === undefined) return undefined;
      const afterName = rest.slice(name.length).replace(/^ */, "");
      if (!afterName.startsWith("=")) break; // next challenge's scheme
      rest = afterName.slice(1).replace(/^ */, "");
      let value: string;
      if (rest.startsWith('"')) {
        const match = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
        if (match === null) return undefined;
        value = match[1].replace(/\\(.)/g, "$1");
        rest = rest.slice(match[0].length);
      } else {
        const token = TOKEN.exec(rest)?.[0];
        if (token === undefined) return undefined;
        value = token;
        rest = rest.slice(token.length);
      }
      current.params[name.toLowerCase()] = value;
      rest = rest.replace(/^ */, "");
      if (rest.startsWith(",")) rest = rest.slice(1).replace(/^ */, "");
      else if (rest.length > 0) return undefined;
    }
  }
  return challenges;
}

/** The Bearer challenge in a header, if there is a well-formed one. */
export function bearerChallenge(
  header: string | null,
): Challenge | undefined {
  if (header === null) return undefined;
  return parseChallenges(header)?.find((c) =>
    c.scheme.toLowerCase() === "bearer"
  );
}
