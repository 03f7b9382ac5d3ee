/**
 * What a resource is made of. Scopes live in `RESOURCE_SCOPES`
 * (src/authz/scopes.ts); the MCP layer checks them before `read` runs.
 *
 * @module
 */

import type { ResourceName } from "../authz/scopes.ts";
import type { OperationContext } from "../tools/tool.ts";

/** One resource (a fixed URI) or resource template (an RFC 6570 URI template). */
export interface ResourceDefinition {
  /** The resource's name, a key of `RESOURCE_SCOPES`. */
  readonly name: ResourceName;
  /** A fixed URI, or a URI template whose `{variables}` reach `read`. */
  readonly uri: string;
  /** Whether `uri` is a template. */
  readonly template: boolean;
  /** Human-readable title. */
  readonly title: string;
  /** What the resource holds, for the model. */
  readonly description: string;
  /**
   * The JSON document the resource holds, or `undefined` when there is none
   * (answered as "resource not found").
   */
  read(
    variables: Readonly<Record<string, string>>,
    context: OperationContext,
  ): Promise<unknown>;
}
