/**
 * Assembles one mock issuer from its options: keys and clients (from the
 * state file when there is one), stores, the minter and the Hono app. The
 * asynchronous part runs before the URL is known, so `server.ts` can bind a
 * free port first and then finish the issuer with its real URL.
 *
 * @module
 */

import type { Hono } from "hono";
import type {
  BadTokenKind,
  MintOptions,
  MockIssuer,
  MockIssuerOptions,
  RegisteredClient,
  ResourceRegistration,
  TestUser,
} from "./types.ts";
import type { IssuerContext } from "./_context.ts";
import { type IssuerSettings, resolveOptions } from "./_options.ts";
import { readStateFile, StateWriter } from "./_state_file.ts";
import { createIssuerApp } from "./app.ts";
import { createClientMetadataLoader } from "./client_metadata_document.ts";
import { ClientRegistry } from "./clients.ts";
import { ConsentStore } from "./consent.ts";
import { GrantStore } from "./grants.ts";
import { KeyRing } from "./keys.ts";
import { registerClient } from "./registration.ts";
import { ResourceDirectory } from "./resources.ts";
import { TokenMinter } from "./tokens.ts";

/** A mock issuer driven in process, without a listening socket. */
export interface InProcessMockIssuer extends MockIssuer {
  /** The Hono app; `app.fetch(request)` answers as the server would. */
  readonly app: Hono;
  /** Shorthand for `app.fetch(request)`. */
  fetch(request: Request): Promise<Response>;
}

/** The part of an issuer that does not depend on its URL. */
export interface PreparedIssuer {
  /** Options with defaults. */
  readonly settings: IssuerSettings;
  /** Signing keys, restored or new. */
  readonly keys: KeyRing;
  /** Registered clients, restored or none. */
  readonly clients: ClientRegistry;
}

/**
 * Checks the options and loads or creates the signing keys and registered
 * clients. Throws a `TypeError` on bad options, an `Error` on an unreadable
 * state file.
 */
export async function prepareIssuer(
  options: MockIssuerOptions = {},
): Promise<PreparedIssuer> {
  const settings = resolveOptions(options);
  const saved = settings.statePath === undefined
    ? undefined
    : await readStateFile(settings.statePath);
  const keys = saved === undefined
    ? await KeyRing.generate()
    : await KeyRing.restore({ keys: saved.keys });
  const clients = new ClientRegistry(saved?.clients ?? []);
  const prepared = { settings, keys, clients };
  if (settings.statePath !== undefined && saved === undefined) {
    await writerFor(prepared)?.save();
  }
  return prepared;
}

function writerFor(prepared: PreparedIssuer): StateWriter | undefined {
  const { settings, keys, clients } = prepared;
  if (settings.statePath === undefined) return undefined;
  return new StateWriter(settings.statePath, () => ({
    version: 1,
    keys: keys.snapshot().keys,
    clients: clients.list(),
  }));
}

/**
 * Finishes a prepared issuer at `url` (no trailing slash). `close` runs
 * after pending state-file writes.
 */
export function assembleIssuer(
  prepared: PreparedIssuer,
  url: string,
  close: () => Promise<void>,
): InProcessMockIssuer {
  const { settings, keys, clients } = prepared;
  const environmentUrl = url.replace(/\/+$/, "");
  const resources = new ResourceDirectory(settings.resources);
  const writer = writerFor(prepared);
  const minter = new TokenMinter({
    environmentUrl,
    resources,
    user: settings.user,
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
    now: settings.now,
    keys,
  });
  const context: IssuerContext = {
    url: environmentUrl,
    settings,
    resources,
    keys,
    clients,
    grants: new GrantStore(settings.now),
    consents: new ConsentStore({ now: settings.now }),
    minter,
    loadClientMetadata: createClientMetadataLoader({
      fetch: settings.fetch,
      timeoutMs: settings.clientMetadataTimeoutMs,
    }),
    persist: () => writer?.save() ?? Promise.resolve(),
    counters: { jwksFetches: 0 },
  };
  const app = createIssuerApp(context);

  return {
    url: environmentUrl,
    get resources(): readonly ResourceRegistration[] {
      return resources.list;
    },
    user: settings.user as TestUser,
    app,
    fetch: async (request: Request) => await app.fetch(request),
    resourceIssuer(resourceId?: string): string {
      const id = resources.require(resourceId ?? resources.first.id).id;
      return `${environmentUrl}/resources/${id}`;
    },
    mint: (options?: MintOptions) => minter.mint(options),
    mintBad: (kind: BadTokenKind, options?: MintOptions) =>
      minter.mintBad(kind, options),
    async rotateKey(options?: { readonly dropOld?: boolean }): Promise<string> {
      const kid = await keys.rotate(options?.dropOld ?? false);
      await context.persist();
      return kid;
    },
    async publishKey(): Promise<string> {
      const kid = await keys.publish();
      await context.persist();
      return kid;
    },
    get jwksFetchCount(): number {
      return context.counters.jwksFetches;
    },
    get currentKid(): string {
      return keys.current.kid;
    },
    setResourceUrl(resourceId: string, resourceUrl: string | undefined): void {
      resources.setUrl(resourceId, resourceUrl);
    },
    registerClient(
      metadata: Readonly<Record<string, unknown>>,
      resourceId?: string,
    ): Promise<RegisteredClient> {
      return registerClient(
        context,
        metadata,
        resourceId ?? resources.first.id,
      );
    },
    async close(): Promise<void> {
      await writer?.flush();
      await close();
    },
  };
}

/**
 * A mock issuer answering in process at `url`, for unit tests that call
 * `issuer.fetch(new Request(...))` instead of the network.
 *
 * @example
 * ```ts
 * const issuer = await createMockIssuer("http://issuer.test");
 * const response = await issuer.fetch(new Request("http://issuer.test/keys"));
 * console.log((await response.json()).keys[0].kid); // snk_…
 * await issuer.close();
 * ```
 */
export async function createMockIssuer(
  url: string,
  options: MockIssuerOptions = {},
): Promise<InProcessMockIssuer> {
  const prepared = await prepareIssuer(options);
  return assembleIssuer(prepared, url, () => Promise.resolve());
}
