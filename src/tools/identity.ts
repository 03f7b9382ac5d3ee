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
    expires_at: z.string().nullable(),
    organization_id: z.string().nullable(),
  }),
  annotations: { readOnlyHint: true },
  run(_args, { identity }) {
    return Promise.resolve({
      subject: identity.subject,
      client_id: identity.clientId,
      scopes: [...identity.scopes],
      expires_at: identity.expiresAt
        ? new Date(identity.expiresAt * 1000).toISOString()
        : null,
      organization_id: identity.organizationId ?? null,
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
    issuer: z.string().nullable(),
    scopes: z.array(z.string()),
    expires_in_seconds: z.number().int().nullable(),
  }),
  annotations: { readOnlyHint: true },
  run(_args, { identity, provider, now }) {
    const authenticated = provider !== "none";
    return Promise.resolve({
      authenticated,
      provider,
      issuer: authenticated ? identity.issuer : null,
      scopes: [...identity.scopes],
      expires_in_seconds: authenticated
        ? Math.max(0, identity.expiresAt - Math.floor(now() / 1000))
        : null,
    });
  },
});

/** All identity tools. */
export const IDENTITY_TOOLS: readonly ToolDefinition[] = Object.freeze([
  whoami,
  authStatus,
]);
