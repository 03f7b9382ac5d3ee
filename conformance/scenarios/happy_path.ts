/**
 * Happy path: a well-scoped Scalekit token works, in every form Scalekit
 * issues, and across a key rotation.
 *
 * @module
 */

import { INITIALIZE } from "../probe.ts";
import type { MintOptions } from "../issuer/types.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import { resultText, withClient } from "./_client.ts";
import { describe, token } from "./_helpers.ts";

/** A scenario that sends `initialize` with a token minted from `mint` and expects 200. */
function accepted(
  id: string,
  title: string,
  spec: string,
  level: "MUST" | "SHOULD",
  mint: (context: ScenarioContext, check: Checker) => MintOptions,
  label: string,
): Scenario {
  return {
    id,
    title,
    spec,
    level,
    async run(context: ScenarioContext, check: Checker) {
      const good = await token(context, label, mint(context, check));
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
  {
    id: "happy.initialize",
    title: "initialize succeeds with a fully scoped token",
    spec:
      "MCP lifecycle §Initialization; MCP authorization §Access Token Usage",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      await withClient(
        context,
        await token(context, "fully scoped token"),
        (connection) => {
          if (connection.client.getServerVersion() === undefined) {
            check.fail(
              "initialize returned no server info",
              "serverInfo in the initialize result",
              "none",
            );
          }
        },
      );
    },
  },
  {
    id: "happy.tools_list",
    title: "tools/list succeeds and lists the probed tools",
    spec: "MCP server §Tools: Listing Tools",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      await withClient(
        context,
        await token(context, "fully scoped token"),
        async (connection) => {
          const { tools } = await connection.client.listTools();
          const names = tools.map((tool) => tool.name);
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
        },
      );
    },
  },
  {
    id: "happy.tools_call",
    title: "tools/call succeeds with a fully scoped token",
    spec: "MCP server §Tools: Calling Tools",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const tool = context.options.tool;
      if (tool === undefined) {
        check.skip("per-tool checks are off (--tool none)");
      }
      await withClient(
        context,
        await token(context, "fully scoped token"),
        async (connection) => {
          const result = await connection.client.callTool({
            name: tool.name,
            arguments: { ...tool.args },
          });
          if (result.isError) {
            check.fail(
              `"${tool.name}" failed with every scope granted`,
              "a successful result",
              resultText(result),
            );
          }
        },
      );
    },
  },
  accepted(
    "happy.key_rotation",
    "a token signed by a newly published key works",
    "RFC 7517 §5; RFC 8414 §2 (jwks_uri)",
    "MUST",
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
    "RFC 9068 §4; Scalekit token format",
    "MUST",
    () => ({ issuerForm: "environment" }),
    "token with iss = environment URL",
  ),
  accepted(
    "happy.issuer_resource",
    "a token whose iss is the resource-scoped issuer URL works (Scalekit is migrating to it)",
    "RFC 9068 §4; RFC 8414 §3.3 (issuer of the per-resource metadata)",
    "SHOULD",
    () => ({ issuerForm: "resource" }),
    "token with iss = <env>/resources/<res>",
  ),
  accepted(
    "happy.audience_resource_id",
    "a token whose aud is only the resource id works (a form Scalekit issues)",
    "RFC 8707 §2; Scalekit token format",
    "SHOULD",
    (context) => ({ audience: [context.options.resourceId] }),
    "token with aud = [resource id]",
  ),
];
