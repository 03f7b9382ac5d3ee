/**
 * Registered clients, and the one lookup the endpoints use for any
 * `client_id`: a registered client or a client ID metadata document.
 *
 * @module
 */

import type { RegisteredClient } from "./types.ts";
import { OAuthError } from "./_errors.ts";
import { isClientMetadataDocumentUrl } from "./_urls.ts";

/** A registered client as stored (and written to the state file). */
export interface ClientRecord extends RegisteredClient {
  /** The resource whose registration endpoint made it. */
  readonly resource_id: string;
}

/** A client as the authorization and token endpoints see it. */
export interface ResolvedClient {
  /** The `client_id` as sent. */
  readonly clientId: string;
  /** Where it came from. */
  readonly kind: "registered" | "metadata_document";
  /** The secret of a confidential client; `undefined` for public clients. */
  readonly secret: string | undefined;
  /** Exact redirect URIs. */
  readonly redirectUris: readonly string[];
  /** Registered grant types; `undefined` when the client declared none. */
  readonly grantTypes: readonly string[] | undefined;
  /** Registered clients belong to one resource; metadata-document clients to any. */
  readonly resourceId: string | undefined;
}

/** Loads and checks a client ID metadata document (see `client_metadata_document.ts`). */
export type ClientMetadataLoader = (
  clientId: string,
) => Promise<ResolvedClient>;

/** The registered clients, by id. */
export class ClientRegistry {
  #clients = new Map<string, ClientRecord>();

  /** A registry holding `records` (from the state file). */
  constructor(records: Iterable<ClientRecord> = []) {
    for (const record of records) this.add(record);
  }

  /** Stores a client, replacing one with the same id. */
  add(record: ClientRecord): void {
    this.#clients.set(record.client_id, Object.freeze({ ...record }));
  }

  /** The registered client with this id, or `undefined`. */
  get(clientId: string): ClientRecord | undefined {
    return this.#clients.get(clientId);
  }

  /** Every registered client, for the state file. */
  list(): ClientRecord[] {
    return [...this.#clients.values()];
  }
}

/**
 * Finds the client a `client_id` names: a registered one, else (for an
 * `https` or loopback `http` URL) the client its metadata document
 * describes. Throws `invalid_client` for anything else.
 */
export async function resolveClient(
  clientId: string,
  registry: ClientRegistry,
  loadMetadataDocument: ClientMetadataLoader,
): Promise<ResolvedClient> {
  const record = registry.get(clientId);
  if (record !== undefined) return resolvedFromRecord(record);
  if (isClientMetadataDocumentUrl(clientId)) {
    return await loadMetadataDocument(clientId);
  }
  throw new OAuthError("invalid_client", `Unknown client "${clientId}"`);
}

function resolvedFromRecord(record: ClientRecord): ResolvedClient {
  return {
    clientId: record.client_id,
    kind: "registered",
    secret: record.token_endpoint_auth_method === "none"
      ? undefined
      : record.client_secret,
    redirectUris: record.redirect_uris,
    grantTypes: record.grant_types,
    resourceId: record.resource_id,
  };
}
