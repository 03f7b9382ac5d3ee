/**
 * Scopes: a valid token without the scopes an operation needs does not get
 * it done, and the refusal lets the client step up (RFC 6750 §3.1, MCP
 * authorization §Scope Challenge Handling). A refusal is judged by its
 * effect first (did anything happen?), then by its form (403 with a
 * step-up challenge, or only in-band).
 *
 * @module
 */

import { bearerChallenge } from "../challenge.ts";
import { INITIALIZE } from "../probe.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import {
  type Era,
  type McpSession,
  preferredEra,
  type ToolOutcome,
  withClient,
} from "./_client.ts";
import {
  checkChallengeSyntax,
  describe,
  describeResponse,
  fullToken,
  hasMarker,
  newMarker,
  tokenLacking,
  withMarker,
} from "./_helpers.ts";

/**
 * Judges the challenge of a 403 for an operation that needs `needed`
 * (`undefined` when the suite does not know, so what it names is not judged).
 */
function judgeForbidden(
  header: string | null,
  needed: readonly string[] | undefined,
  actual: string,
  check: Checker,
): void {
  checkChallengeSyntax(header, check);
  const challenge = bearerChallenge(header);
  if (challenge?.params.error !== "insufficient_scope") {
    check.violates(
      "insufficient_scope_error_code",
      'The 403 does not say error="insufficient_scope"',
      'WWW-Authenticate: Bearer error="insufficient_scope", scope="…"',
      actual,
    );
  }
  const named = challenge?.params.scope?.split(" ").filter(Boolean) ?? [];
  const missing = needed?.filter((scope) => !named.includes(scope)) ?? [];
  if (missing.length > 0) {
    check.violates(
      "insufficient_scope_names_scopes",
      "The 403 does not name every scope the operation needs",
      `scope containing ${needed?.join(" ")}`,
      actual,
    );
  }
  const extra = needed === undefined
    ? []
    : named.filter((scope) => !needed.includes(scope));
  if (needed !== undefined && extra.length > 0) {
    check.violates(
      "insufficient_scope_only_needed",
      "The 403 names scopes the operation does not need",
      `scope naming only ${needed?.join(" ")}`,
      `also ${extra.join(" ")}`,
    );
  }
  if (named.includes("offline_access")) {
    check.violates(
      "no_offline_access",
      "The 403 challenge asks for offline_access",
      "a scope without offline_access",
      actual,
    );
  }
  if (
    challenge !== undefined && challenge.params.resource_metadata === undefined
  ) {
    check.violates(
      "insufficient_scope_resource_metadata",
      "The 403 challenge has no resource_metadata",
      'resource_metadata="<metadata URL>"',
      actual,
    );
  }
}

/** How a refused operation came back. */
type Refusal =
  | {
    readonly kind: "http";
    readonly response?: Response;
    readonly message: string;
  }
  | { readonly kind: "result"; readonly outcome: ToolOutcome }
  | { readonly kind: "read"; readonly text: string };

/**
 * Judges a refusal given over HTTP (403, 401, or a JSON-RPC error in a 200).
 * Returns false when the outcome was not an HTTP-level refusal at all.
 */
function judgeHttpRefusal(
  refusal: Refusal,
  what: string,
  needed: readonly string[] | undefined,
  check: Checker,
): boolean {
  if (refusal.kind !== "http") return false;
  const { response } = refusal;
  const actual = `${describeResponse(response)}: ${refusal.message}`;
  if (response?.status === 403) {
    check.note(`${what} was refused with HTTP 403`);
    judgeForbidden(
      response.headers.get("www-authenticate"),
      needed,
      actual,
      check,
    );
  } else if (response?.status === 401) {
    checkChallengeSyntax(response.headers.get("www-authenticate"), check);
    check.violates(
      "insufficient_scope_status",
      "A token without the needed scopes was refused with 401: clients re-authenticate instead of stepping up",
      'HTTP 403 error="insufficient_scope"',
      actual,
    );
  } else {
    check.violates(
      "scope_refusal_over_http",
      "The refusal was given in-band only, with no step-up challenge",
      'HTTP 403 error="insufficient_scope" naming the scopes',
      actual,
    );
  }
  return true;
}

async function attempt<T>(
  connection: { lastResponse(): Response | undefined },
  run: () => Promise<T>,
): Promise<{ value: T } | { error: Refusal }> {
  try {
    return { value: await run() };
  } catch (error) {
    return {
      error: {
        kind: "http",
        response: connection.lastResponse(),
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
}

/** Calls `name` with `token`, as a refusal to judge or a result. */
async function callTool(
  context: ScenarioContext,
  era: Era,
  token: Parameters<typeof withClient>[1],
  name: string,
  args: Record<string, unknown>,
): Promise<Refusal> {
  return await withClient(context, token, async (connection) => {
    const result = await attempt(
      connection,
      () => connection.session.callTool(name, args),
    );
    return "value" in result
      ? { kind: "result", outcome: result.value }
      : result.error;
  }, era);
}

/** A read operation (resource or prompt), for {@link readRefused}. */
interface ReadOperation {
  /** `resources` or `prompts`, for messages. */
  readonly noun: string;
  /** What doing it is called: `reading`, `getting`. */
  readonly verb: string;
  /** The scopes given on the command line; empty when unknown. */
  readonly scopes: (context: ScenarioContext) => readonly string[];
  /** Whether the server advertised the capability. */
  readonly offered: (session: McpSession) => boolean;
  /** Lists what there is. */
  readonly list: (session: McpSession) => Promise<string[]>;
  /** Reads one. */
  readonly read: (session: McpSession, name: string) => Promise<string>;
}

/** Checks that reading a resource or prompt without its scopes is refused like a tool call. */
function readRefused(id: string, title: string, op: ReadOperation): Scenario {
  return {
    id,
    title,
    rule: "scope_enforced",
    async run(context: ScenarioContext, check: Checker) {
      const full = await fullToken(context, check);
      const era = await preferredEra(context, full);
      const target = await withClient(context, full, async ({ session }) => {
        if (!op.offered(session)) return undefined;
        const names = await op.list(session).catch(() => [] as string[]);
        for (const name of names) {
          // Only something a fully scoped token can read shows a refusal.
          if (await op.read(session, name).then(() => true, () => false)) {
            return name;
          }
        }
        return undefined;
      }, era);
      if (target === undefined) {
        check.skip(
          `the server lists no ${op.noun} a fully scoped token can read`,
        );
      }
      const known = op.scopes(context);
      const required = context.options.requiredScopes;
      if (known.length > 0 && known.every((s) => required.includes(s))) {
        // A token without them cannot even connect; scopes.required_missing
        // judges that refusal.
        check.skip(
          `${op.verb} needs only required scopes (${
            known.join(" ")
          }), which every request needs`,
        );
      }
      const lacking = known.length > 0
        ? known
        : context.options.scopes.filter((s) =>
          !context.options.requiredScopes.includes(s)
        );
      if (lacking.length === 0) {
        check.skip("every scope is required of every request: nothing to lack");
      }
      const partial = await tokenLacking(context, check, lacking);
      const refusal: Refusal = await withClient(
        context,
        partial,
        async (connection) => {
          const result = await attempt(
            connection,
            () => op.read(connection.session, target),
          );
          return "value" in result
            ? { kind: "read", text: result.value }
            : result.error;
        },
        era,
      );
      if (
        judgeHttpRefusal(
          refusal,
          `${op.verb} "${target}"`,
          known.length > 0 ? known : undefined,
          check,
        )
      ) {
        return;
      }
      if (known.length > 0) {
        check.fail(
          `"${target}" was read without its scopes`,
          `a refusal (HTTP 403 insufficient_scope) without ${known.join(" ")}`,
          refusal.kind === "read" ? refusal.text.slice(0, 200) : "a result",
        );
      } else {
        check.note(
          `"${target}" can be read without ${lacking.join(" ")}; give --${
            op.noun === "resources" ? "resource" : "prompt"
          }-scopes to require a refusal`,
        );
      }
    },
  };
}

/** The scope scenarios. */
export const SCOPE_SCENARIOS: readonly Scenario[] = [
  {
    id: "scopes.required_missing",
    title:
      "a token without a required scope is refused with 403 insufficient_scope",
    rule: "scope_enforced",
    async run(context: ScenarioContext, check: Checker) {
      const required = context.options.requiredScopes;
      if (required.length === 0) check.skip("no --required-scopes given");
      const lacking = await tokenLacking(context, check, [required[0]]);
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
      if (answer.status === 403) {
        judgeForbidden(
          answer.headers.get("www-authenticate"),
          required,
          describe(answer),
          check,
        );
        return;
      }
      checkChallengeSyntax(answer.headers.get("www-authenticate"), check);
      check.violates(
        "insufficient_scope_status",
        "A token without the needed scopes was refused with 401: clients re-authenticate instead of stepping up",
        'HTTP 403 error="insufficient_scope"',
        describe(answer),
      );
    },
  },
  {
    id: "scopes.tool_refused",
    title:
      "a token without a tool's scopes cannot get the tool to do anything, and is told how to step up",
    rule: "scope_enforced",
    async run(context: ScenarioContext, check: Checker) {
      const { tool, otherTool } = context.options;
      if (tool === undefined) {
        check.skip("per-tool checks are off (--tool none)");
      }
      const marker = newMarker();
      const partial = await tokenLacking(context, check, tool.scopes);
      const era = await preferredEra(context, await fullToken(context, check));
      const refusal = await callTool(
        context,
        era,
        partial,
        tool.name,
        withMarker(tool.args, marker),
      );
      if (judgeHttpRefusal(refusal, `"${tool.name}"`, tool.scopes, check)) {
        return;
      }
      if (refusal.kind !== "result") return;
      // Judge the effect: did the call write anything a fully scoped token
      // can see? A hidden tool, an in-band error or a fake success are
      // refusals only if nothing happened.
      let effect: "written" | "none" | "unknown" = "unknown";
      if (hasMarker(tool.args) && otherTool !== undefined) {
        const seen = await callTool(
          context,
          era,
          await fullToken(context, check),
          otherTool.name,
          withMarker(otherTool.args, newMarker()),
        );
        if (seen.kind === "result" && !seen.outcome.isError) {
          effect = seen.outcome.text.includes(marker) ? "written" : "none";
        }
      }
      const text = refusal.outcome.text.slice(0, 200);
      if (effect === "written") {
        check.fail(
          `"${tool.name}" ran without its scopes: what it wrote shows up`,
          "no effect, and HTTP 403 insufficient_scope",
          `${otherTool?.name} shows the call's marker; the call answered: ${text}`,
        );
        return;
      }
      if (effect === "unknown") {
        check.note(
          `could not tell whether "${tool.name}" wrote anything (no {marker} in --tool-args, or --other-tool did not answer)`,
        );
      }
      if (refusal.outcome.isError) {
        check.violates(
          "scope_refusal_over_http",
          "The refusal was given in-band only, with no step-up challenge",
          'HTTP 403 error="insufficient_scope" naming the scopes',
          `tool error: ${text}`,
        );
      } else {
        check.violates(
          "scope_refusal_over_http",
          "The refusal was a normal result, not even marked isError",
          "HTTP 403 insufficient_scope, or at least a result with isError: true",
          `success: ${text}`,
        );
      }
    },
  },
  {
    id: "scopes.other_tool_allowed",
    title: "the same token can still call a tool whose scopes it has",
    rule: "valid_token_served",
    async run(context: ScenarioContext, check: Checker) {
      const { tool, otherTool } = context.options;
      if (tool === undefined || otherTool === undefined) {
        check.skip("per-tool checks are off (--tool none)");
      }
      const partial = await tokenLacking(context, check, tool.scopes);
      const era = await preferredEra(context, await fullToken(context, check));
      const outcome = await callTool(
        context,
        era,
        partial,
        otherTool.name,
        withMarker(otherTool.args, newMarker()),
      );
      if (outcome.kind !== "result" || outcome.outcome.isError) {
        check.fail(
          `"${otherTool.name}" was refused although the token has ${
            otherTool.scopes.join(" ")
          }`,
          "a successful result",
          outcome.kind === "http"
            ? `${describeResponse(outcome.response)}: ${outcome.message}`
            : outcome.kind === "result"
            ? outcome.outcome.text
            : "",
        );
      }
    },
  },
  readRefused(
    "scopes.resource_refused",
    "reading a resource without its scopes is refused like a tool call",
    {
      noun: "resources",
      verb: "reading",
      scopes: (context) => context.options.resourceScopes,
      offered: (session) => session.capabilities().resources,
      list: (session) => session.listResources(),
      read: (session, uri) => session.readResource(uri),
    },
  ),
  readRefused(
    "scopes.prompt_refused",
    "getting a prompt without its scopes is refused like a tool call",
    {
      noun: "prompts",
      verb: "getting",
      scopes: (context) => context.options.promptScopes,
      offered: (session) => session.capabilities().prompts,
      list: (session) => session.listPrompts(),
      read: (session, name) => session.getPrompt(name),
    },
  ),
];
