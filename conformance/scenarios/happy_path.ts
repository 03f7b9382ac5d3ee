/**
 * Happy path: a well-scoped Scalekit token works, with a legacy (2025-era)
 * client and a modern (2026-07-28) one, in every form Scalekit issues, and
 * across a key rotation.
 *
 * @module
 */

import { INITIALIZE } from "../probe.ts";
import type { MintOptions } from "../issuer/types.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import type { RuleId } from "../spec.ts";
import {
  type Era,
  EraUnavailable,
  type TokenClient,
  withClient,
} from "./_client.ts";
import {
  describe,
  fullToken,
  newMarker,
  requireIssuer,
  token,
  withMarker,
} from "./_helpers.ts";

/** Why a modern-era scenario does not apply under an older revision. */
function modernApplies(context: ScenarioContext, check: Checker): void {
  if (context.spec !== "2026-07-28") {
    check.skip(`the 2026-07-28 era is not part of ${context.spec}`);
  }
}

/**
 * Connects with a fully scoped token in `era` and runs `use`; a server that
 * does not speak the modern era makes the modern variant a skip, not a
 * failure: the suite judges authorization, not protocol revisions.
 */
async function withEra(
  context: ScenarioContext,
  check: Checker,
  era: Era,
  use: (connection: TokenClient) => Promise<void> | void,
): Promise<void> {
  if (era === "modern") modernApplies(context, check);
  const good = await fullToken(context, check);
  try {
    await withClient(context, good, use, era);
  } catch (error) {
    if (error instanceof EraUnavailable) check.skip(error.message);
    throw error;
  }
}

/** The same scenario in both eras: `id` for the legacy client, `id_modern` for the modern one. */
function inBothEras(
  id: string,
  title: string,
  rule: RuleId,
  run: (
    context: ScenarioContext,
    check: Checker,
    era: Era,
  ) => Promise<void>,
): Scenario[] {
  return [
    {
      id,
      title: `${title} (legacy client, 2025 era)`,
      rule,
      run: (context: ScenarioContext, check: Checker) =>
        run(context, check, "legacy"),
    },
    {
      id: `${id}_modern`,
      title: `${title} (modern client, 2026-07-28 era)`,
      rule,
      run: (context: ScenarioContext, check: Checker) =>
        run(context, check, "modern"),
    },
  ];
}

/** A scenario that sends `initialize` with a token minted from `mint` and expects 200. */
function accepted(
  id: string,
  title: string,
  rule: RuleId,
  mint: (context: ScenarioContext, check: Checker) => MintOptions,
  label: string,
): Scenario {
  return {
    id,
    title,
    rule,
    async run(context: ScenarioContext, check: Checker) {
      requireIssuer(context, check);
      const good = await token(context, check, label, mint(context, check));
      const answer = await context.probe.send({
        body: INITIALIZE,
        token: good,
      });
      if (answer.status !== 200) {
        check.fail(
          `A valid token (${label}) was refused`,
          "HTTP 200",
          describe(answer),
        );
      }
    },
  };
}

/** The happy-path scenarios. */
export const HAPPY_PATH_SCENARIOS: readonly Scenario[] = [
  ...inBothEras(
    "happy.initialize",
    "connecting succeeds with a fully scoped token",
    "valid_token_served",
    (context: ScenarioContext, check: Checker, era: Era) =>
      withEra(context, check, era, ({ session }) => {
        if (era === "legacy" && session.serverVersion() === undefined) {
          check.fail(
            "initialize returned no server info",
            "serverInfo in the initialize result",
            "none",
          );
        }
      }),
  ),
  ...inBothEras(
    "happy.tools_list",
    "tools/list succeeds and lists the probed tools",
    "valid_token_served",
    (context: ScenarioContext, check: Checker, era: Era) =>
      withEra(context, check, era, async ({ session }) => {
        const names = await session.listTools();
        for (
          const probe of [context.options.tool, context.options.otherTool]
        ) {
          if (probe !== undefined && !names.includes(probe.name)) {
            check.fail(
              `tools/list does not list "${probe.name}"`,
              `a tool named "${probe.name}"`,
              JSON.stringify(names),
            );
          }
        }
      }),
  ),
  ...inBothEras(
    "happy.tools_call",
    "tools/call succeeds with a fully scoped token",
    "valid_token_served",
    async (context: ScenarioContext, check: Checker, era: Era) => {
      // Live mode calls only the read tool: nothing is written on a real server.
      const tool = context.issuer === undefined
        ? context.options.otherTool
        : context.options.tool;
      if (tool === undefined) {
        check.skip("per-tool checks are off (--tool none)");
      }
      await withEra(context, check, era, async ({ session }) => {
        const result = await session.callTool(
          tool.name,
          withMarker(tool.args, newMarker()),
        );
        if (result.isError) {
          check.fail(
            `"${tool.name}" failed with every scope granted`,
            "a successful result",
            result.text,
          );
        }
      });
    },
  ),
  accepted(
    "happy.key_rotation",
    "a token signed by a newly published key works",
    "key_rotation",
    (context, check) => {
      if (context.nextKid === undefined) {
        check.skip("the issuer published no next key");
      }
      return { kid: context.nextKid };
    },
    "token signed by the rotated key",
  ),
  accepted(
    "happy.issuer_environment",
    "a token whose iss is the environment URL works",
    "valid_token_served",
    () => ({ issuerForm: "environment" }),
    "token with iss = environment URL",
  ),
  accepted(
    "happy.issuer_resource",
    "a token whose iss is the resource-scoped issuer URL works (Scalekit is migrating to it)",
    "scalekit_token_forms",
    () => ({ issuerForm: "resource" }),
    "token with iss = <env>/resources/<res>",
  ),
  accepted(
    "happy.audience_resource_id",
    "a token whose aud is only the resource id works (a form Scalekit issues)",
    "scalekit_token_forms",
    (context) => ({ audience: [context.options.resourceId] }),
    "token with aud = [resource id]",
  ),
];
