/**
 * Setting a header on a response whatever made it: `Response.json()` and
 * `new Response()` have mutable headers, but a response from `fetch()` or
 * `Response.redirect()` does not, and `set` then throws.
 *
 * @module
 */

/** Options for {@link withHeader}. */
export interface WithHeaderOptions {
  /** Add `value` to the header's values (as `Vary` takes them) instead of replacing them. */
  readonly append?: boolean;
}

/**
 * Returns `response` with `name` set to `value` (or `value` appended),
 * copying it only when its headers are immutable. In place, because a
 * copy of every response costs: Hono's `c.header()` after the handler
 * copies the whole response each time.
 */
export function withHeader(
  response: Response,
  name: string,
  value: string,
  options: WithHeaderOptions = {},
): Response {
  const write = (headers: Headers) =>
    options.append ? headers.append(name, value) : headers.set(name, value);
  try {
    write(response.headers);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const copy = new Response(response.body, response);
    write(copy.headers);
    return copy;
  }
}
