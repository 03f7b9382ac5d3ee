/**
 * Parses `WWW-Authenticate` challenges (RFC 9110 §11.6.1) strictly enough to
 * tell a well-formed Bearer challenge (RFC 6750 §3) from a sloppy one, and
 * to say which character broke a broken one.
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

/** What parsing a header gave: its challenges, or where the syntax broke. */
export type ChallengeParse =
  | { readonly ok: true; readonly challenges: readonly Challenge[] }
  | {
    readonly ok: false;
    /** What is wrong, naming the character and its column (1-based). */
    readonly problem: string;
  };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const QUOTED = /^"((?:[^"\\]|\\.)*)"/;

/** Parses a header value into its challenges, or says where it breaks. */
export function parseChallenges(header: string): ChallengeParse {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> =
    [];
  const trimmed = header.trim();
  const offset = header.length - header.trimStart().length;
  let rest = trimmed;
  // 1-based column of the start of `rest` in the header as sent.
  const column = () => offset + trimmed.length - rest.length + 1;
  const broken = (problem: string): ChallengeParse => ({ ok: false, problem });
  if (rest === "") return broken("the header is empty");
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) {
      return broken(
        `${
          describeChar(rest[0])
        } at column ${column()} where a scheme name should start`,
      );
    }
    rest = rest.slice(scheme.length);
    const current = { scheme, params: {} as Record<string, string> };
    challenges.push(current);
    rest = rest.replace(/^ +/, "");
    // auth-params: name = token / quoted-string, separated by commas.
    while (rest.length > 0) {
      const name = TOKEN.exec(rest)?.[0];
      if (name === undefined) {
        return broken(
          `${
            describeChar(rest[0])
          } at column ${column()} where a parameter name should start`,
        );
      }
      const afterName = rest.slice(name.length).replace(/^ */, "");
      if (!afterName.startsWith("=")) break; // the next challenge's scheme
      rest = afterName.slice(1).replace(/^ */, "");
      let value: string;
      if (rest.startsWith('"')) {
        const match = QUOTED.exec(rest);
        if (match === null) {
          return broken(
            `the quoted value of ${name} that opens at column ${column()} never closes`,
          );
        }
        value = match[1].replace(/\\(.)/g, "$1");
        rest = rest.slice(match[0].length);
        const after = rest.replace(/^ */, "");
        const nextParam = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ *=/.test(after);
        if (after.length > 0 && !after.startsWith(",") && !nextParam) {
          // RFC 9110 §5.6.4: a `"` inside a quoted-string must be escaped.
          return broken(
            `an unescaped '"' at column ${
              column() - 1
            } ends the quoted value of ${name} early (the rest, ${
              JSON.stringify(after.slice(0, 24))
            }, is not valid challenge syntax)`,
          );
        }
      } else {
        const token = TOKEN.exec(rest)?.[0];
        if (token === undefined) {
          return broken(
            `${
              describeChar(rest[0])
            } at column ${column()} where the value of ${name} should start`,
          );
        }
        value = token;
        rest = rest.slice(token.length);
      }
      current.params[name.toLowerCase()] = value;
      rest = rest.replace(/^ */, "");
      if (rest.startsWith(",")) rest = rest.slice(1).replace(/^ */, "");
      else if (rest.length > 0) {
        return broken(
          `${
            describeChar(rest[0])
          } at column ${column()} where a comma should separate parameters`,
        );
      }
    }
  }
  return { ok: true, challenges };
}

/** The Bearer challenge in a header, if the header parses and has one. */
export function bearerChallenge(
  header: string | null,
): Challenge | undefined {
  if (header === null) return undefined;
  const parsed = parseChallenges(header);
  if (!parsed.ok) return undefined;
  return parsed.challenges.find((c) => c.scheme.toLowerCase() === "bearer");
}

// RFC 6750 §3: error and error_description are %x20-21 / %x23-5B / %x5D-7E;
// scope values are %x21 / %x23-5B / %x5D-7E, delimited by %x20.
const ERROR_CHARS = /[^\x20\x21\x23-\x5B\x5D-\x7E]/;
const SCOPE_CHARS = /[^\x20\x21\x23-\x5B\x5D-\x7E]/;

/** One thing wrong with a challenge header. */
export interface ChallengeProblem {
  /**
   * `syntax`: the header does not parse, so clients read nothing from it;
   * `content`: it parses, but a Bearer challenge breaks RFC 6750 §3 (no
   * auth-param, or a value with characters RFC 6750 forbids).
   */
  readonly kind: "syntax" | "content";
  /** What is wrong, naming the character. */
  readonly text: string;
}

/**
 * Everything wrong with a `WWW-Authenticate` header: the parse error, or
 * what RFC 6750 §3 forbids in a Bearer challenge (no auth-param, or
 * characters outside its sets in `error`, `error_description` and `scope`).
 * Empty when it is well-formed.
 */
export function challengeSyntaxProblems(header: string): ChallengeProblem[] {
  const parsed = parseChallenges(header);
  if (!parsed.ok) return [{ kind: "syntax", text: parsed.problem }];
  const problems: ChallengeProblem[] = [];
  for (const challenge of parsed.challenges) {
    if (challenge.scheme.toLowerCase() !== "bearer") continue;
    if (Object.keys(challenge.params).length === 0) {
      problems.push({
        kind: "content",
        text:
          "the Bearer challenge has no auth-param, and RFC 6750 §3 wants one or more",
      });
    }
    for (const name of ["error", "error_description", "scope"] as const) {
      const value = challenge.params[name];
      if (value === undefined) continue;
      const bad = (name === "scope" ? SCOPE_CHARS : ERROR_CHARS).exec(value);
      if (bad !== null) {
        problems.push({
          kind: "content",
          text: `the value of ${name} contains ${
            describeChar(bad[0])
          }, which RFC 6750 §3 does not allow there`,
        });
      }
    }
  }
  return problems;
}

function describeChar(char: string | undefined): string {
  if (char === undefined || char === "") return "the end of the header";
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(2, "0");
  return code >= 0x20 && code < 0x7F
    ? `'${char}' (0x${hex})`
    : `the character U+${hex.padStart(4, "0")}`;
}
