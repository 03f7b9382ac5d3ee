/**
 * Provider selection from `FASTMCP_SERVER_AUTH`, accepting FastMCP's class
 * paths as well as short names.
 *
 * @module
 */

import { addProblem, type Findings, quote, quoteChoices } from "./_findings.ts";
import { type Env, readVar } from "./_read.ts";
import { SCALEKIT_VARIABLES } from "./scalekit.ts";
import type { ProviderKind } from "./types.ts";

/** Accepted `FASTMCP_SERVER_AUTH` values (compared case-insensitively). */
export const PROVIDER_NAMES: Readonly<Record<string, ProviderKind>> = Object
  .freeze({
    "fastmcp.server.auth.providers.scalekit.ScalekitProvider": "scalekit",
    scalekit: "scalekit",
    "fastmcp.server.auth.providers.jwt.JWTVerifier": "jwt",
    jwt: "jwt",
    none: "none",
  });

const BY_LOWER_NAME = new Map(
  Object.entries(PROVIDER_NAMES).map(([name, kind]) => [
    name.toLowerCase(),
    kind,
  ]),
);

/**
 * The provider `FASTMCP_SERVER_AUTH` selects. When it is unset, Scalekit is
 * chosen if a Scalekit environment URL is configured; otherwise, and for an
 * unknown value, a problem is recorded and `undefined` returned.
 */
export function selectProvider(
  env: Env,
  findings: Findings,
): ProviderKind | undefined {
  const raw = readVar(env, "FASTMCP_SERVER_AUTH");
  if (raw === undefined) {
    const scalekit = SCALEKIT_VARIABLES.environmentUrl.some((name) =>
      readVar(env, name) !== undefined
    );
    if (scalekit) return "scalekit";
    const [prefixed, plain] = SCALEKIT_VARIABLES.environmentUrl;
    addProblem(
      findings,
      "FASTMCP_SERVER_AUTH",
      `Set FASTMCP_SERVER_AUTH to "scalekit", "jwt" or "none", or set ${plain} (or ${prefixed}) to your Scalekit environment URL to use Scalekit`,
    );
    return undefined;
  }
  const kind = BY_LOWER_NAME.get(raw.toLowerCase());
  if (kind !== undefined) return kind;
  addProblem(
    findings,
    "FASTMCP_SERVER_AUTH",
    `FASTMCP_SERVER_AUTH must be one of ${
      quoteChoices(Object.keys(PROVIDER_NAMES))
    } (any case), not ${quote(raw)}`,
  );
  return undefined;
}
