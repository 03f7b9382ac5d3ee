/**
 * Turns tool definitions into what the MCP layer serves: the `tools/list`
 * answer, computed once, and a `tools/call` dispatcher that checks scopes,
 * validates arguments and shapes results.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/types"
import {
  type CallToolResult,
  ErrorCode,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { TodoStoreError } from "../store/todo_store.ts";
import {
  isToolName,
  missingScopes,
  scopeDenialMessage,
  TOOL_SCOPES,
} from "./scopes.ts";
import { type ToolContext, type ToolDefinition, ToolFailure } from "./tool.ts";

/** Options for {@link createToolCatalog}. */
export interface ToolCatalogOptions {
  /** Told about errors no tool expected; the caller only sees a generic tool error. */
  readonly onUnexpectedError?: (error: unknown, tool: string) => void;
}

/** The served tools. */
export interface ToolCatalog {
  /** The `tools/list` result's `tools`, built once. */
  readonly tools: readonly Tool[];
  /**
   * Runs a tool for a verified caller. Missing scopes, bad arguments and
   * tool refusals come back as tool errors (`isError: true`).
   *
   * @throws {McpError} `InvalidParams` for an unknown tool.
   */
  call(
    name: string,
    args: unknown,
    context: ToolContext,
  ): Promise<CallToolResult>;
}

/**
 * Builds the catalog: JSON Schemas for every tool are generated here, once,
 * not per request.
 */
export function createToolCatalog(
  definitions: readonly ToolDefinition[],
  options: ToolCatalogOptions = {},
): ToolCatalog {
  const byName = new Map(definitions.map((tool) => [tool.name, tool]));
  const tools = Object.freeze(definitions.map(describeTool));
  const onUnexpectedError = options.onUnexpectedError ?? (() => {});

  return {
    tools,
    async call(name, args, context) {
      const tool = isToolName(name) ? byName.get(name) : undefined;
      if (tool === undefined) {
        throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${name}"`);
      }
      // Defence in depth: the HTTP layer refuses these with 403 by default;
      // in the in-band mode this is the only check.
      const missing = missingScopes(
        TOOL_SCOPES[tool.name],
        context.identity.scopes,
      );
      if (missing.length > 0) {
        context.onScopeDenied?.(tool.name, missing);
        return toolError(scopeDenialMessage(missing));
      }

      const parsed = tool.input.safeParse(args ?? {});
      if (!parsed.success) {
        return toolError(
          `Invalid arguments for \`${name}\`: ${describeIssues(parsed.error)}`,
        );
      }
      try {
        const output = tool.output.parse(await tool.run(parsed.data, context));
        return {
          content: [{ type: "text", text: JSON.stringify(output, null, 2) }],
          structuredContent: output,
        };
      } catch (error) {
        if (error instanceof ToolFailure || error instanceof TodoStoreError) {
          return toolError(error.message);
        }
        onUnexpectedError(error, name);
        return toolError(`\`${name}\` failed because of an internal error`);
      }
    },
  };
}

function describeTool(tool: ToolDefinition): Tool {
  const scopes = TOOL_SCOPES[tool.name];
  return Object.freeze({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, "input"),
    outputSchema: jsonSchema(tool.output, "output"),
    annotations: { title: tool.title, ...tool.annotations },
    // Lets clients see up front which scopes a call will need.
    _meta: { "io.scalekit/required_scopes": [...scopes] },
  }) as Tool;
}

function jsonSchema(
  schema: z.ZodObject,
  io: "input" | "output",
): Tool["inputSchema"] {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io });
  return rest as Tool["inputSchema"];
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0
        ? `${issue.path.join(".")}: ${issue.message}`
        : issue.message
    )
    .join("; ");
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
