/**
 * Helpers shared by this folder's tests: PKCE pairs, form posts and the
 * authorization request a client would build.
 *
 * @module
 */

import { base64url } from "jose";

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2). */
export async function pkcePair(): Promise<
  { verifier: string; challenge: string }
> {
  const verifier = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(verifier),
  );
  return { verifier, challenge: base64url.encode(new Uint8Array(digest)) };
}

/** Fetches through `fetchFn` and returns status, headers and parsed JSON body (consumed). */
export async function fetchJson(
  fetchFn: (request: Request) => Promise<Response>,
  request: Request,
): Promise<
  { status: number; headers: Headers; body: Record<string, unknown> }
> {
  const response = await fetchFn(request);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? {} : JSON.parse(text),
  };
}

/** A form-encoded POST (the token endpoint's format). */
export function formRequest(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Request {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(params),
  });
}

/** A JSON POST (the registration endpoint's format). */
export function jsonRequest(url: string, body: unknown): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** An authorization URL with the given parameters. */
export function authorizeUrl(
  endpoint: string,
  params: Record<string, string>,
): string {
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(params)) {
    url.searchParams.set(name, value);
  }
  return url.href;
}

/** HTTP Basic credentials as RFC 6749 §2.3.1 encodes them. */
export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value);
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`;
}

/** Runs `fetchFn` on a GET with `redirect: "manual"` and returns the redirect target's query. */
export async function followAuthorize(
  fetchFn: (request: Request) => Promise<Response>,
  url: string,
): Promise<{ status: number; location: URL | undefined; body: string }> {
  const response = await fetchFn(new Request(url, { redirect: "manual" }));
  const body = await response.text();
  const location = response.headers.get("location");
  return {
    status: response.status,
    location: location === null ? undefined : new URL(location),
    body,
  };
}
