/**
 * Setting a header on a response whatever made it: `Response.json()` and
 * `new Response()` have mutable headers, but a response from `fetch()` or
 * `Response.redirect()` does not, and `set` then throws.
 *
 * @module
 */

/** Returns `response` with `name` set to `value`, copying it only when its headers are immutable. */
export function withHeader(
  response: Response,
  name: string,
  value: string,
): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}
