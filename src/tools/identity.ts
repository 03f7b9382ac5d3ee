/**
 * Tools that tell the caller who the server thinks they are.
 *
 * @module
 */

import { z } from "zod";
import { defineTool, type ToolDefinition } from "./tool.ts";

/** `whoami()`: any valid token. */
export const whoami: ToolDefinition = defineTool({
  name: "whoami",
  title: "Who am I",
  description:
    "Show the caller's identity from the access token: subject, client, scopes, expiry and organisation.",
  input: z.object({}),
  output: z.object({
    subject: z.string(),
    client_id: z.string(),
    scopes: z.array(z.string()),
    expires_at: z.string().optional().describe("Absent without a token"),
    organization_id: z.string().optional().describe(
      "Absent when the token names no organisation",
    ),
  }),
  annotations: { readOnlyHint: true },
  run(_args, { identity }) {
    return Promise.resolve({
      subject: identity.subject,
      client_id: identity.clientId,
      scopes: [...identity.scopes],
      ...(identity.expiresAt
        ? { expires_at: new Date(identity.expiresAt * 1000).toISOString() }
        : {}),
      ...(identity.organizationId === undefined
        ? {}
        : { organization_id: identity.organizationId }),
    });
  },
});

/** `auth_status()`: any valid token. */
export const authStatus: ToolDefinition = defineTool({
  name: "auth_status",
  title: "Authentication status",
  description: "Show how this request was authenticated.",
  input: z.object({}),
  output: z.object({
    authenticated: z.boolean(),
    provider: z.string(),
    issuer: z.string().optional().describe("Absent without authentication"),
    scopes: z.array(z.string()),
    expires_in_seconds: z.number().int().optional().describe(
      "Absent without authentication",
    ),
  }),
  annotations: { readOnlyHint: true },
  run(_args, { identity, provider, now }) {
    const authenticated = provider !== "none";
    return Promise.resolve({
      authenticated,
      provider,
      scopes: [...identity.scopes],
      ...(authenticated
        ? {
          issuer: identity.issuer,
          expires_in_seconds: Math.max(
            0,
            identity.expiresAt - Math.floor(now() / 1000),
          ),
        }
        : {}),
    });
  },
});

/** All identity tools. */
export const IDENTITY_TOOLS: readonly ToolDefinition[] = Object.freeze([
  whoami,
  authStatus,
]);
