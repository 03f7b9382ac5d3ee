/**
 * Scopes: a valid token without the scopes a request needs is refused, and
 * the refusal lets the client step up (MCP authorization 2025-11-25
 * §Scope Challenge Handling, RFC 6750 §3.1).
 *
 * @module
 */

import { bearerChallenge } from "../challenge.ts";
import { INITIALIZE } from "../probe.ts";
import type { ToolProbe } from "../options.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import { resultText, withClient } from "./_client.ts";
import { describe, scopesWithout, token } from "./_helpers.ts";

function describeResponse(response: Response | undefined): string {
  if (response === undefined) return "no HTTP response";
  const challenge = response.headers.get("www-authenticate");
  return `HTTP ${response.status}${
    challenge ? `, WWW-Authenticate: ${challenge}` : ""
  }`;
}

/** What a tool call came to: a result (maybe a tool error) or an HTTP refusal. */
type CallOutcome =
  | {
    readonly kind: "result";
    readonly isError: boolean;
    readonly text: string;
  }
  | {
    readonly kind: "refused";
    readonly response?: Response;
    readonly message: string;
  };

/**
 * Calls `call` with a token that has every scope of the resource except
 * those `lacking` needs.
 */
async function callWithoutScopesOf(
  context: ScenarioContext,
  lacking: ToolProbe,
  call: ToolProbe,
): Promise<CallOutcome> {
  const partial = await token(
    context,
    `token without ${lacking.scopes.join(" ")}`,
    { scopes: scopesWithout(context, lacking.scopes) },
  );
  return await withClient(context, partial, async (connection) => {
    try {
      const result = await connection.client.callTool({
        name: call.name,
        arguments: { ...call.args },
      });
      return {
        kind: "result",
        isError: result.isError === true,
        text: resultText(result),
      };
    } catch (error) {
      return {
        kind: "refused",
        response: connection.lastResponse(),
        message: (error as Error).message,
      };
    }
  });
}

/** The scope scenarios. */
export const SCOPE_SCENARIOS: readonly Scenario[] = [
  {
    id: "scopes.required_missing",
    title:
      "a token without a required scope is refused with 403 insufficient_scope",
    spec:
      "RFC 6750 §3.1; MCP authorization 2025-11-25 §Scope Challenge Handling",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const required = context.options.requiredScopes;
      if (required.length === 0) check.skip("no --required-scopes given");
      const lacking = await token(context, `token without ${required[0]}`, {
        scopes: scopesWithout(context, [required[0]]),
      });
      const answer = await context.probe.send({
        body: INITIALIZE,
        token: lacking,
      });
      if (answer.status >= 200 && answer.status < 300) {
        check.fail(
          "A token without a required scope was accepted",
          "HTTP 403",
          describe(answer),
        );
        return;
      }
      const challenge = bearerChallenge(answer.headers.get("www-authenticate"));
      if (answer.status !== 403) {
        check.warn(
          "Insufficient scope should be 403, not " + answer.status,
          "HTTP 403 (a 401 makes clients re-authenticate instead of stepping up)",
          describe(answer),
        );
      }
      if (challenge?.params.error !== "insufficient_scope") {
        check.warn(
          'The challenge should say error="insufficient_scope"',
          'WWW-Authenticate: Bearer error="insufficient_scope", scope="…"',
          describe(answer),
        );
      }
      const named = challenge?.params.scope?.split(" ") ?? [];
      if (!required.every((scope) => named.includes(scope))) {
        check.warn(
          "The challenge should name the scopes needed",
          `scope containing ${required.join(" ")}`,
          describe(answer),
        );
      }
    },
  },
  {
    id: "scopes.tool_refused",
    title: "a token without a tool's scope cannot call that tool",
    spec:
      "MCP authorization 2025-11-25 §Scope Challenge Handling; RFC 6750 §3.1",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const tool = context.options.tool;
      if (tool === undefined) {
        check.skip("per-tool checks are off (--tool none)");
      }
      const outcome = await callWithoutScopesOf(context, tool, tool);
      if (outcome.kind === "result") {
        if (outcome.isError) {
          check.note(`refused in-band with a tool error: ${outcome.text}`);
        } else {
          check.fail(
            `"${tool.name}" ran without its scopes`,
            `HTTP 403 insufficient_scope or a tool error`,
            `success: ${outcome.text}`,
          );
        }
        return;
      }
      const { response } = outcome;
      if (response?.status === 403) {
        check.note("refused with HTTP 403");
        const challenge = bearerChallenge(
          response.headers.get("www-authenticate"),
        );
        const named = challenge?.params.scope?.split(" ") ?? [];
        if (
          challenge?.params.error !== "insufficient_scope" ||
          !tool.scopes.every((s) => named.includes(s))
        ) {
          check.warn(
            'The 403 should carry error="insufficient_scope" and name the tool\'s scopes',
            `scope containing ${tool.scopes.join(" ")}`,
            describeResponse(response),
          );
        }
      } else if (response?.status === 401) {
        check.warn(
          "Refused, but with 401: clients re-authenticate instead of stepping up",
          "HTTP 403 insufficient_scope",
          describeResponse(response),
        );
      } else {
        check.fail(
          `Calling "${tool.name}" failed in an unexpected way`,
          "HTTP 403 or a tool error",
          `${describeResponse(response)}: ${outcome.message}`,
        );
      }
    },
  },
  {
    id: "scopes.other_tool_allowed",
    title: "the same token can still call a tool whose scopes it has",
    spec: "MCP authorization §Access Token Usage (least privilege per tool)",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const { tool, otherTool } = context.options;
      if (tool === undefined || otherTool === undefined) {
        check.skip("per-tool checks are off (--tool none)");
      }
      const outcome = await callWithoutScopesOf(context, tool, otherTool);
      if (outcome.kind === "refused" || outcome.isError) {
        check.fail(
          `"${otherTool.name}" was refused although the token has ${
            otherTool.scopes.join(" ")
          }`,
          "a successful result",
          outcome.kind === "refused"
            ? `${describeResponse(outcome.response)}: ${outcome.message}`
            : outcome.text,
        );
      }
    },
  },
];
