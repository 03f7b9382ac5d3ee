/**
 * The consent step of the authorization endpoint, for people: a page that
 * shows who is logged in, for which organisation, which client asks, and
 * the scopes it would get as checkboxes (RFC 6749 §4.1.1 leaves how the
 * authorization server "obtains an authorization decision" to it). Used by
 * `deno task dev`; tests and the conformance suite keep the automatic mode.
 *
 * The validated request waits here, server side, under an unguessable id;
 * the form sends only that id, the decision and the ticked scopes, so
 * nothing the browser sends can widen what was validated.
 *
 * @module
 */

import { opaqueSecret } from "./_ids.ts";
import type { AuthorizationCode } from "./grants.ts";
import type { TestUser } from "./types.ts";

/** How `/oauth/authorize` decides: `auto` consents at once; `prompt` shows the page. */
export type ConsentMode = "auto" | "prompt";

/** How long a consent page stays answerable, in milliseconds (10 minutes). */
export const CONSENT_TTL_MS = 10 * 60 * 1000;

/** Most consent pages open at once; opening one more drops the oldest. */
export const MAX_PENDING_CONSENTS = 100;

/** An authorization request that passed every check and waits for the user. */
export interface PendingConsent {
  /** The code it becomes on "Allow", before the user's choice of scopes. */
  readonly grant: Omit<AuthorizationCode, "expiresAt">;
  /** The client's `state`, returned on every redirect (RFC 6749 §4.1.2). */
  readonly state: string | null;
  /** The client's name, when it registered one; shown, never trusted. */
  readonly clientName: string | undefined;
  /** The resource's URL, when it has one; shown. */
  readonly resourceUrl: string | undefined;
}

interface Entry {
  readonly consent: PendingConsent;
  readonly expiresAt: number;
}

/** Options for {@link ConsentStore}. */
export interface ConsentStoreOptions {
  /** Clock, milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** Lifetime of a pending consent, ms. Default {@link CONSENT_TTL_MS}. */
  readonly ttlMs?: number;
  /** Most pending consents. Default {@link MAX_PENDING_CONSENTS}. */
  readonly max?: number;
}

/** Pending consents, bounded in number and age so no visitor can grow it. */
export class ConsentStore {
  #entries = new Map<string, Entry>();
  #now: () => number;
  #ttlMs: number;
  #max: number;

  /** An empty store. */
  constructor(options: ConsentStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? CONSENT_TTL_MS;
    this.#max = options.max ?? MAX_PENDING_CONSENTS;
  }

  /** Keeps `consent` and returns its id, dropping the oldest when full. */
  open(consent: PendingConsent): string {
    this.#sweep();
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    const id = opaqueSecret(16);
    this.#entries.set(id, { consent, expiresAt: this.#now() + this.#ttlMs });
    return id;
  }

  /** Takes a pending consent out (each is answered once); `undefined` when unknown or expired. */
  take(id: string): PendingConsent | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    return entry.expiresAt > this.#now() ? entry.consent : undefined;
  }

  /** How many are pending, expired ones included until the next sweep. */
  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(id);
    }
  }
}

/** What the user decided on the page. */
export type ConsentDecision =
  | { readonly kind: "allow"; readonly scopes: readonly string[] }
  | { readonly kind: "deny"; readonly reason: string };

/**
 * Reads the submitted form against what was offered: "Allow" grants the
 * ticked scopes among the offered ones (a scope the page never offered is
 * ignored), "Allow" with none ticked and "Deny" refuse.
 */
export function readDecision(
  consent: PendingConsent,
  form: URLSearchParams,
): ConsentDecision {
  if (form.get("decision") !== "allow") {
    return { kind: "deny", reason: "The user denied the request" };
  }
  const ticked = new Set(form.getAll("scope"));
  const scopes = consent.grant.scopes.filter((scope) => ticked.has(scope));
  if (scopes.length === 0) {
    return { kind: "deny", reason: "The user granted no scope" };
  }
  return { kind: "allow", scopes };
}

/** Security headers of the page: no framing (clickjacking), no scripts, no referrer. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
} as const;

/**
 * The consent page for `consent`, posting to `action` (the path it was
 * shown at). Every value is escaped: the client name comes from anyone who
 * registered a client.
 */
export function consentPage(
  consent: PendingConsent,
  id: string,
  user: TestUser,
  action: string,
): Response {
  const { grant, clientName } = consent;
  const client = clientName === undefined
    ? code(grant.clientId)
    : `${escapeHtml(clientName)} (${code(grant.clientId)})`;
  const resource = consent.resourceUrl === undefined
    ? code(grant.resourceId)
    : `${code(consent.resourceUrl)} (${code(grant.resourceId)})`;
  const userText = user.email === undefined
    ? code(user.id)
    : `${escapeHtml(user.email)} (${code(user.id)})`;
  const boxes = grant.scopes.map((scope) =>
    `<label><input type="checkbox" name="scope" value="${
      escapeHtml(scope)
    }" checked> ${code(scope)}</label>`
  ).join("\n        ");
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Authorize ${escapeHtml(clientName ?? grant.clientId)}</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }
      main { max-width: 34rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
      h1 { font-size: 1.4rem; margin-top: 0; }
      .note { color: #555; font-size: 0.9rem; }
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
      dt { font-weight: 600; }
      dd { margin: 0; overflow-wrap: anywhere; }
      fieldset { border: 1px solid #ccd; border-radius: 6px; margin: 1.2rem 0; }
      label { display: block; padding: 0.2rem 0; }
      button { font: inherit; padding: 0.5rem 1.4rem; border-radius: 6px; border: 1px solid #335; cursor: pointer; }
      button[value=allow] { background: #2451d6; color: #fff; border-color: #2451d6; }
    </style>
  </head>
  <body>
    <main>
      <h1>Authorize ${client}</h1>
      <p class="note">Mock Scalekit environment (<code>deno task dev</code>): no password, you are signed in as its test user.</p>
      <dl>
        <dt>User</dt><dd>${userText}</dd>
        <dt>Organisation</dt><dd>${code(grant.organizationId)}</dd>
        <dt>Client</dt><dd>${client}</dd>
        <dt>Resource</dt><dd>${resource}</dd>
      </dl>
      <form method="post" action="${escapeHtml(action)}">
        <input type="hidden" name="consent" value="${escapeHtml(id)}">
        <fieldset>
          <legend>Scopes to grant</legend>
        ${boxes}
        </fieldset>
        <button type="submit" name="decision" value="allow">Allow</button>
        <button type="submit" name="decision" value="deny">Deny</button>
      </form>
    </main>
  </body>
</html>
`;
  return new Response(html, { status: 200, headers: PAGE_HEADERS });
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
