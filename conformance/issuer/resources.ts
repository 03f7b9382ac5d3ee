/**
 * The resources (MCP servers) an environment knows: lookup, audiences and
 * resource indicators (RFC 8707).
 *
 * @module
 */

import type { ResourceRegistration } from "./types.ts";
import { OAuthError } from "./_errors.ts";
import { comparableUrl, parseAbsoluteUrl } from "./_urls.ts";

/** The scope that asks for a refresh token (OpenID Connect Core §11). */
export const OFFLINE_ACCESS = "offline_access";

/** The resource used when the options name none. */
export const DEFAULT_RESOURCE: ResourceRegistration = Object.freeze({
  id: "res_conformance",
  scopes: Object.freeze(["todo:read", "todo:write", "todo:admin"]),
});

/**
 * Problems with a list of resource registrations, each a sentence; empty
 * when the list is usable.
 */
export function resourceProblems(
  resources: readonly ResourceRegistration[],
): string[] {
  const problems: string[] = [];
  if (resources.length === 0) problems.push("resources must not be empty");
  const seen = new Set<string>();
  for (const [index, resource] of resources.entries()) {
    const where = `resources[${index}]`;
    if (typeof resource.id !== "string" || !/^[\w.~-]+$/.test(resource.id)) {
      problems.push(
        `${where}.id must be a non-empty path segment such as "res_123", not ${
          JSON.stringify(resource.id)
        }`,
      );
    } else if (seen.has(resource.id)) {
      problems.push(`${where}.id "${resource.id}" is used twice`);
    } else {
      seen.add(resource.id);
    }
    if (resource.url !== undefined && urlProblem(resource.url)) {
      problems.push(`${where}.url ${urlProblem(resource.url)}`);
    }
    if (!Array.isArray(resource.scopes)) {
      problems.push(`${where}.scopes must be an array of scope names`);
      continue;
    }
    for (const scope of resource.scopes) {
      if (typeof scope !== "string" || !isScopeToken(scope)) {
        problems.push(
          `${where}.scopes has an invalid scope ${JSON.stringify(scope)}`,
        );
      }
    }
  }
  return problems;
}

/** Whether a string is a scope token (RFC 6749 §3.3). */
export function isScopeToken(value: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value);
}

function urlProblem(url: string): string | undefined {
  const parsed = parseAbsoluteUrl(url);
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol)) {
    return `must be an absolute http(s) URL, not "${url}"`;
  }
  if (parsed.hash !== "") return `must not have a fragment ("${url}")`;
  return undefined;
}

/** The environment's resources; URLs can be set after start. */
export class ResourceDirectory {
  #resources: ResourceRegistration[];

  /** Takes a validated list (see {@link resourceProblems}); copies it. */
  constructor(resources: readonly ResourceRegistration[]) {
    this.#resources = resources.map(freezeResource);
  }

  /** All resources, first is the default. */
  get list(): readonly ResourceRegistration[] {
    return Object.freeze([...this.#resources]);
  }

  /** The default resource. */
  get first(): ResourceRegistration {
    return this.#resources[0];
  }

  /** The resource with this id, or `undefined`. */
  get(id: string): ResourceRegistration | undefined {
    return this.#resources.find((resource) => resource.id === id);
  }

  /** The resource with this id; throws a `RangeError` when there is none. */
  require(id: string): ResourceRegistration {
    const resource = this.get(id);
    if (resource === undefined) {
      throw new RangeError(`Unknown resource "${id}"`);
    }
    return resource;
  }

  /** Sets or clears a resource's URL; throws on an unknown id or a bad URL. */
  setUrl(id: string, url: string | undefined): void {
    const index = this.#resources.findIndex((resource) => resource.id === id);
    if (index < 0) throw new RangeError(`Unknown resource "${id}"`);
    if (url !== undefined && urlProblem(url)) {
      throw new TypeError(`Resource URL ${urlProblem(url)}`);
    }
    const { url: _old, ...rest } = this.#resources[index];
    this.#resources[index] = freezeResource(
      url === undefined ? rest : { ...rest, url },
    );
  }

  /** The `aud` Scalekit sets: `[url, id]`, or `[id]` without a URL. */
  audience(id: string): string[] {
    const resource = this.require(id);
    return resource.url === undefined
      ? [resource.id]
      : [resource.url, resource.id];
  }

  /**
   * Whether a `resource` parameter (RFC 8707 §2) names this resource: its
   * id, its URL (ignoring a trailing slash and case of scheme and host), or,
   * for a resource whose URL is not configured, any absolute http(s) URL
   * without a fragment (the issuer cannot know the server's address then).
   */
  accepts(id: string, indicator: string): boolean {
    const resource = this.require(id);
    if (indicator === resource.id) return true;
    const wanted = comparableUrl(indicator);
    if (wanted === undefined) return false;
    if (resource.url !== undefined) {
      return comparableUrl(resource.url) === wanted;
    }
    return urlProblem(indicator) === undefined;
  }

  /**
   * The resource a grant is for: the one in the endpoint's path, else the
   * one the RFC 8707 `resource` parameter names, else the client's own,
   * else the first.
   *
   * @throws {OAuthError} `invalid_target` when the indicator names a
   * resource this environment does not serve, or the client is registered
   * for another resource.
   */
  forGrant(
    pathResourceId: string | undefined,
    indicator: string | undefined,
    client: { readonly clientId: string; readonly resourceId?: string },
  ): ResourceRegistration {
    const resource = pathResourceId !== undefined
      ? this.require(pathResourceId)
      : (indicator !== undefined ? this.find(indicator) : undefined) ??
        this.get(client.resourceId ?? "") ?? this.first;
    if (indicator !== undefined && !this.accepts(resource.id, indicator)) {
      throw new OAuthError(
        "invalid_target",
        `Resource "${indicator}" is not served by this authorization server`,
      );
    }
    if (client.resourceId !== undefined && client.resourceId !== resource.id) {
      throw new OAuthError(
        "invalid_target",
        `Client "${client.clientId}" is not registered for resource "${resource.id}"`,
      );
    }
    return resource;
  }

  /**
   * The resource a `resource` parameter names by id or configured URL, or
   * `undefined` when none does.
   */
  find(indicator: string): ResourceRegistration | undefined {
    const byId = this.get(indicator);
    if (byId !== undefined) return byId;
    const wanted = comparableUrl(indicator);
    if (wanted === undefined) return undefined;
    return this.#resources.find((resource) =>
      resource.url !== undefined && comparableUrl(resource.url) === wanted
    );
  }
}

function freezeResource(resource: ResourceRegistration): ResourceRegistration {
  return Object.freeze({
    ...resource,
    scopes: Object.freeze([...resource.scopes]),
  });
}
