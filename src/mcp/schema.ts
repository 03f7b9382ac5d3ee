/**
 * Zod schemas in the form the MCP SDK's `registerTool`/`registerPrompt`
 * take (Standard Schema with JSON Schema), with the JSON Schema computed
 * once, at start.
 *
 * The SDK builds a fresh server per request and converts each registered
 * schema to JSON Schema on every registration and every `tools/list`; zod's
 * converter walks the whole schema each time. Converting once and handing
 * the SDK the result keeps per-request work to validation only.
 *
 * @module
 */

import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { z } from "zod";

/**
 * Wraps a zod object schema: validation stays zod's own (with its transforms,
 * such as trimming), the JSON Schema for both directions is computed now.
 * The JSON Schemas carry no `$schema` key: it says nothing to a client and
 * costs bytes on every listing.
 */
export function precomputedSchema<Schema extends z.ZodObject>(
  schema: Schema,
): StandardSchemaWithJSON<z.input<Schema>, z.output<Schema>> {
  const input = jsonSchemaOf(schema, "input");
  const output = jsonSchemaOf(schema, "output");
  const standard = schema["~standard"];
  return Object.freeze({
    "~standard": Object.freeze({
      version: 1 as const,
      vendor: standard.vendor,
      validate: standard.validate,
      jsonSchema: Object.freeze({
        input: () => input,
        output: () => output,
      }),
    }),
  });
}

function jsonSchemaOf(
  schema: z.ZodObject,
  io: "input" | "output",
): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
  });
  return deepFreeze(rest);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
