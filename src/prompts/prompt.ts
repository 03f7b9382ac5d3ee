/**
 * What a prompt is made of. Scopes live in `PROMPT_SCOPES`
 * (src/authz/scopes.ts); the MCP layer checks them before `get` runs.
 *
 * @module
 */

import type { z } from "zod";
import type { PromptName } from "../authz/scopes.ts";
import type { OperationContext } from "../tools/tool.ts";

/** One message of a prompt: text from the user or the assistant. */
export interface PromptText {
  /** Who says it. */
  readonly role: "user" | "assistant";
  /** What is said. */
  readonly text: string;
}

/** One prompt: its arguments and how it is built. */
export interface PromptDefinition<Args extends z.ZodObject = z.ZodObject> {
  /** The prompt's name, a key of `PROMPT_SCOPES`. */
  readonly name: PromptName;
  /** Human-readable title. */
  readonly title: string;
  /** What the prompt is for. */
  readonly description: string;
  /** Arguments; every one is a string (MCP prompt arguments are strings). */
  readonly args: Args;
  /** Builds the messages for the caller. */
  get(
    args: z.output<Args>,
    context: OperationContext,
  ): Promise<readonly PromptText[]>;
}

/** Erases a definition's argument type so prompts can share one array. */
export function definePrompt<Args extends z.ZodObject>(
  definition: PromptDefinition<Args>,
): PromptDefinition {
  return definition as unknown as PromptDefinition;
}
