/**
 * Finds the protected resource metadata the way an MCP client does: the
 * `resource_metadata` URL of the 401 challenge first, then the
 * path-suffixed well-known URL, then the root one (MCP 2025-11-25
 * §Protected Resource Metadata Discovery Requirements). Done once per run:
 * every discovery scenario judges the same facts, so a broken link is one
 * finding and does not hide a good document found further down the list.
 *
 * @module
 */

import { bearerChallenge, type Challenge } from "./challenge.ts";
import { type Answer, INITIALIZE, type Probe } from "./probe.ts";

/** The well-known suffix of RFC 9728 §3. */
export const PRM_SUFFIX = "/.well-known/oauth-protected-resource";

/** Where a document was looked for, and what came back. */
export interface Lookup {
  /** The URL fetched. */
  readonly url: string;
  /** The answer, when there was one. */
  readonly answer?: Answer;
  /** Why there was no answer (network error, timeout). */
  readonly error?: string;
  /** The JSON object served, when the answer was 200 with one. */
  readonly document?: Readonly<Record<string, unknown>>;
}

/** Which discovery mechanism gave the document. */
export type Mechanism = "challenge" | "path_suffixed" | "root";

/** What a client that knows only the MCP URL can learn. */
export interface Discovery {
  /** The answer to `initialize` without credentials. */
  readonly unauthenticated: Answer;
  /** Its well-formed Bearer challenge, if any. */
  readonly challenge?: Challenge;
  /** The challenge's `resource_metadata` URL, fetched, if it named one. */
  readonly fromChallenge?: Lookup;
  /** The path-suffixed well-known URL (RFC 9728 §3.1), fetched. */
  readonly pathSuffixed: Lookup;
  /** The root well-known URL, fetched. */
  readonly root: Lookup;
  /** The first document in client order, and how it was found. */
  readonly found?: {
    readonly via: Mechanism;
    readonly url: string;
    readonly document: Readonly<Record<string, unknown>>;
  };
}

/** The RFC 9728 §3.1 metadata URL for a resource URL: well-known before the path. */
export function pathSuffixedMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return `${url.origin}${PRM_SUFFIX}${path}${url.search}`;
}

/** The root well-known metadata URL of a resource URL's origin. */
export function rootMetadataUrl(resource: string): string {
  return `${new URL(resource).origin}${PRM_SUFFIX}`;
}

/** Whether a JSON value is a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function lookUp(probe: Probe, url: string): Promise<Lookup> {
  try {
    const answer = await probe.send({ method: "GET", url });
    return {
      url,
      answer,
      ...(answer.status === 200 && isObject(answer.json)
        ? { document: answer.json }
        : {}),
    };
  } catch (error) {
    return {
      url,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Runs discovery against `mcpUrl`. Network errors on the MCP URL itself are thrown. */
export async function discover(
  probe: Probe,
  mcpUrl: string,
): Promise<Discovery> {
  const unauthenticated = await probe.send({ body: INITIALIZE });
  const challenge = bearerChallenge(
    unauthenticated.headers.get("www-authenticate"),
  );
  const linked = challenge?.params.resource_metadata;
  let fromChallenge: Lookup | undefined;
  if (linked !== undefined) {
    fromChallenge = URL.canParse(linked)
      ? await lookUp(probe, linked)
      : { url: linked, error: "not an absolute URL" };
  }
  const pathSuffixed = await lookUp(probe, pathSuffixedMetadataUrl(mcpUrl));
  const root = await lookUp(probe, rootMetadataUrl(mcpUrl));
  const order: ReadonlyArray<readonly [Mechanism, Lookup | undefined]> = [
    ["challenge", fromChallenge],
    ["path_suffixed", pathSuffixed],
    ["root", root],
  ];
  const first = order.find(([, lookup]) => lookup?.document !== undefined);
  return {
    unauthenticated,
    ...(challenge ? { challenge } : {}),
    ...(fromChallenge ? { fromChallenge } : {}),
    pathSuffixed,
    root,
    ...(first
      ? {
        found: {
          via: first[0],
          url: first[1]!.url,
          document: first[1]!.document!,
        },
      }
      : {}),
  };
}
