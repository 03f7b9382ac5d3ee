/**
 * URI templates whose only expression is a trailing form-style query
 * (`todo://todos{?limit,cursor}`, RFC 6570 §3.2.8), matched the way a client
 * writes such a URI: parameters in any order, any of them left out.
 *
 * The SDK's `UriTemplate.match` turns the template into one regular
 * expression, which accepts `?limit=5&cursor=x` but neither
 * `?cursor=x&limit=5` nor `?cursor=x`. Expansion (`expand`) is the SDK's.
 *
 * @module
 */

import { UriTemplate, type Variables } from "@modelcontextprotocol/server";

const QUERY_ONLY = /^([^{}]+)\{\?([A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)*)\}$/;

/** A URI template matched with its query parameters in any order. */
export class QueryUriTemplate extends UriTemplate {
  readonly #base: string;

  /**
   * @param template `<fixed part>{?name,name…}`.
   * @throws {TypeError} for any other template.
   */
  constructor(template: string) {
    super(template);
    const parsed = QUERY_ONLY.exec(template);
    if (parsed === null) {
      throw new TypeError(
        `"${template}" is not a fixed URI followed by one {?…} query expression`,
      );
    }
    this.#base = parsed[1];
  }

  /** Whether `template` has the form this class matches. */
  static fits(template: string): boolean {
    return QUERY_ONLY.test(template);
  }

  /**
   * The query parameters of `uri` (percent-decoded; a repeated one as a
   * list) when `uri` is the fixed part plus an optional query, else `null`.
   * Parameters the template does not name are returned too, for the reader
   * to refuse by name rather than answer "not found".
   */
  override match(uri: string): Variables | null {
    const at = uri.indexOf("?");
    const base = at === -1 ? uri : uri.slice(0, at);
    if (base !== this.#base || uri.includes("#")) return null;
    const variables: Variables = {};
    if (at === -1) return variables;
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(uri.slice(at + 1));
    } catch {
      return null;
    }
    for (const name of new Set(params.keys())) {
      const values = params.getAll(name);
      variables[name] = values.length === 1 ? values[0] : values;
    }
    return variables;
  }
}

/** The SDK's template for `template`, or a {@link QueryUriTemplate} when it fits one. */
export function uriTemplate(template: string): UriTemplate {
  return QueryUriTemplate.fits(template)
    ? new QueryUriTemplate(template)
    : new UriTemplate(template);
}
