/**
 * Everything the endpoints share for one running issuer.
 *
 * @module
 */

import type { IssuerSettings } from "./_options.ts";
import type { ClientMetadataLoader, ClientRegistry } from "./clients.ts";
import type { ConsentStore } from "./consent.ts";
import type { GrantStore } from "./grants.ts";
import type { KeyRing } from "./keys.ts";
import type { ResourceDirectory } from "./resources.ts";
import type { TokenMinter } from "./tokens.ts";

/** State and services of one issuer, built once by `issuer.ts`. */
export interface IssuerContext {
  /** Environment URL, no trailing slash. */
  readonly url: string;
  /** Options with defaults. */
  readonly settings: IssuerSettings;
  /** Known resources. */
  readonly resources: ResourceDirectory;
  /** Signing keys. */
  readonly keys: KeyRing;
  /** Registered clients. */
  readonly clients: ClientRegistry;
  /** Codes and refresh tokens. */
  readonly grants: GrantStore;
  /** Authorization requests waiting on the consent page (prompt mode). */
  readonly consents: ConsentStore;
  /** Token signing. */
  readonly minter: TokenMinter;
  /** Fetches client ID metadata documents. */
  readonly loadClientMetadata: ClientMetadataLoader;
  /** Writes keys and clients to the state file, when there is one. */
  readonly persist: () => Promise<void>;
  /** Request counters. */
  readonly counters: { jwksFetches: number };
}
