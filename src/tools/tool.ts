/**
 * What a tool is made of, and what every operation (tool, resource read,
 * prompt) receives when it runs. Scope checks happen before an operation
 * runs (`src/mcp/server.ts`), so an operation only does its work.
 *
 * @module
 */

import type { z } from "zod";
import type { Identity } from "../auth/identity.ts";
import type { ProviderKind } from "../config/types.ts";
import type { TodoStore } from "../store/todo_store.ts";
import type { ToolName } from "../authz/scopes.ts";

/** What every operation can use: the caller, their tenant, the store, a clock. */
export interface OperationContext {
  /** The verified caller. */
  readonly identity: Identity;
  /** The caller's tenant key: organisation, else subject. */
  readonly tenant: string;
  /** Todo storage. */
  readonly store: TodoStore;
  /** Which provider verified the caller. */
  readonly provider: ProviderKind;
  /** The clock, in milliseconds since the epoch. */
  readonly now: () => number;
}

/** A refusal a tool reports to the caller as a tool error (`isError`). */
export class ToolFailure extends Error {
  /** @param message A sentence for the caller and the model. */
  constructor(message: string) {
    super(message);
    this.name = "ToolFailure";
  }
}

/** One tool: its schemas and what it does. Scopes live in `TOOL_SCOPES` (src/authz/scopes.ts). */
export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
> {
  /** The tool's name, a key of `TOOL_SCOPES`. */
  readonly name: ToolName;
  /** Human-readable title. */
  readonly title: string;
  /** What the tool does, for the model. */
  readonly description: string;
  /** Arguments. */
  readonly input: Input;
  /** `structuredContent`. */
  readonly output: Output;
  /** MCP tool annotations (read-only, destructive, idempotent hints). */
  readonly annotations?: {
    readonly readOnlyHint?: boolean;
    readonly destructiveHint?: boolean;
    readonly idempotentHint?: boolean;
  };
  /**
   * Does the work.
   *
   * @throws {ToolFailure} for outcomes the caller should see as a tool error.
   */
  run(
    args: z.output<Input>,
    context: OperationContext,
  ): Promise<z.input<Output>>;
}

/** Erases a definition's schema types so tools can share one array. */
export function defineTool<
  Input extends z.ZodObject,
  Output extends z.ZodObject,
>(
  definition: ToolDefinition<Input, Output>,
): ToolDefinition {
  return definition as unknown as ToolDefinition;
}
