/**
 * Discovery: can a client that knows only the MCP URL find the
 * authorization server? (MCP authorization "Authorization Server
 * Discovery", RFC 9728.)
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/auth"
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Checker, Scenario } from "../scenario.ts";
import {
  describe,
  isObject,
  pathSuffixedMetadataUrl,
  PRM_SUFFIX,
  unauthenticated,
} from "./_helpers.ts";
import type { Answer } from "../probe.ts";
import type { ScenarioContext } from "../scenario.ts";

/** Fetches the metadata the challenge points to (or the path-suffixed URL). */
async function metadata(
  context: ScenarioContext,
): Promise<
  { url: string; answer: Answer; document?: Record<string, unknown> }
> {
  const { challenge } = await unauthenticated(context);
  const url = challenge?.params.resource_metadata ??
    pathSuffixedMetadataUrl(context.options.url);
  const answer = await context.probe.send({ method: "GET", url });
  return {
    url,
    answer,
    document: answer.status === 200 && isObject(answer.json)
      ? answer.json
      : undefined,
  };
}

/** The discovery scenarios. */
export const DISCOVERY_SCENARIOS: readonly Scenario[] = [
  {
    id: "discovery.challenge",
    title:
      "401 without a token carries a Bearer challenge with resource_metadata",
    spec:
      "MCP authorization 2025-06-18 §Authorization Server Location; RFC 9728 §5.1",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const { answer, challenge } = await unauthenticated(context);
      if (answer.status !== 401) {
        check.fail(
          "A request without a token was not refused with 401",
          "HTTP 401",
          describe(answer),
        );
      }
      if (challenge === undefined) {
        check.fail(
          "No well-formed Bearer challenge",
          'WWW-Authenticate: Bearer resource_metadata="…"',
          describe(answer),
        );
      } else if (challenge.params.resource_metadata === undefined) {
        check.fail(
          "The challenge has no resource_metadata",
          'a resource_metadata="<metadata URL>" parameter',
          describe(answer),
        );
      }
    },
  },
  {
    id: "discovery.challenge_scope",
    title: "the 401 challenge names the required scopes",
    spec: "MCP authorization 2025-11-25 §Scope Selection Strategy",
    level: "SHOULD",
    async run(context: ScenarioContext, check: Checker) {
      const { answer, challenge } = await unauthenticated(context);
      if (challenge === undefined) {
        check.skip("no Bearer challenge (see discovery.challenge)");
      }
      const scope = challenge.params.scope;
      const required = context.options.requiredScopes;
      if (scope === undefined) {
        if (required.length === 0) {
          check.note(
            "no scope parameter, and the server requires none: clients fall back to scopes_supported",
          );
          return;
        }
        check.fail(
          "The challenge has no scope parameter",
          `scope="${required.join(" ")}"`,
          describe(answer),
        );
        return;
      }
      const named = scope.split(" ");
      if (required.some((s) => !named.includes(s))) {
        check.fail(
          "The challenge's scope leaves out required scopes",
          `scope containing ${required.join(" ")}`,
          `scope="${scope}"`,
        );
      }
    },
  },
  {
    id: "discovery.metadata_from_challenge",
    title: "the resource_metadata URL from the challenge answers with JSON",
    spec: "RFC 9728 §5.1, §3.2",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const { challenge } = await unauthenticated(context);
      const url = challenge?.params.resource_metadata;
      if (url === undefined) {
        check.skip(
          "no resource_metadata in the challenge (see discovery.challenge)",
        );
      }
      const answer = await context.probe.send({ method: "GET", url });
      if (answer.status !== 200 || !isObject(answer.json)) {
        check.fail(
          "The metadata URL does not serve a JSON document",
          `HTTP 200 with a JSON object at ${url}`,
          describe(answer),
        );
      }
    },
  },
  {
    id: "discovery.metadata_path_suffixed",
    title: "metadata is served at the path-suffixed well-known URL",
    spec:
      "RFC 9728 §3.1; MCP authorization 2025-11-25 §Protected Resource Metadata Discovery",
    level: "SHOULD",
    async run(context: ScenarioContext, check: Checker) {
      const url = pathSuffixedMetadataUrl(context.options.url);
      const answer = await context.probe.send({ method: "GET", url });
      if (answer.status !== 200 || !isObject(answer.json)) {
        check.fail(
          "No metadata at the path-suffixed URL",
          `HTTP 200 with JSON at ${url}`,
          describe(answer),
        );
      }
    },
  },
  {
    id: "discovery.metadata_root",
    title: "metadata is served at the root well-known URL for older clients",
    spec: "MCP authorization 2025-11-25 §Protected Resource Metadata Discovery",
    level: "SHOULD",
    async run(context: ScenarioContext, check: Checker) {
      const url = `${new URL(context.options.url).origin}${PRM_SUFFIX}`;
      const answer = await context.probe.send({ method: "GET", url });
      if (answer.status !== 200 || !isObject(answer.json)) {
        check.fail(
          "No metadata at the root well-known URL",
          `HTTP 200 with JSON at ${url}`,
          describe(answer),
        );
      }
    },
  },
  {
    id: "discovery.resource_matches",
    title: "the metadata's resource is exactly the MCP URL",
    spec: "RFC 9728 §3.3; RFC 8707 §2",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const { document, answer } = await metadata(context);
      if (document === undefined) {
        check.skip(`no metadata document (${describe(answer)})`);
      }
      if (document.resource !== context.options.url) {
        check.fail(
          "resource differs from the URL clients connect to (clients such as the MCP SDK then refuse the server)",
          JSON.stringify(context.options.url),
          JSON.stringify(document.resource),
        );
      }
    },
  },
  {
    id: "discovery.authorization_servers",
    title: "authorization_servers lists the Scalekit resource's issuer URL",
    spec: "RFC 9728 §2; MCP authorization §Authorization Server Location",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const { document, answer } = await metadata(context);
      if (document === undefined) {
        check.skip(`no metadata document (${describe(answer)})`);
      }
      const expected = context.issuer.resourceIssuer(
        context.options.resourceId,
      );
      const servers = document.authorization_servers;
      if (!Array.isArray(servers) || servers.length === 0) {
        check.fail(
          "authorization_servers is missing or empty",
          `["${expected}"]`,
          JSON.stringify(servers),
        );
      } else if (!servers.includes(expected)) {
        check.fail(
          "authorization_servers does not list the resource's authorization server",
          `a list containing "${expected}"`,
          JSON.stringify(servers),
        );
      }
    },
  },
  {
    id: "discovery.authorization_server_metadata",
    title: "the listed authorization server's metadata can be fetched",
    spec:
      "RFC 8414 §3; MCP authorization §Authorization Server Metadata Discovery",
    level: "MUST",
    async run(context: ScenarioContext, check: Checker) {
      const { document, answer } = await metadata(context);
      if (document === undefined) {
        check.skip(`no metadata document (${describe(answer)})`);
      }
      const servers = Array.isArray(document.authorization_servers)
        ? document.authorization_servers.filter((s): s is string =>
          typeof s === "string"
        )
        : [];
      if (servers.length === 0) {
        check.skip(
          "no authorization server listed (see discovery.authorization_servers)",
        );
      }
      const found = await discoverAuthorizationServerMetadata(servers[0], {
        fetchFn: context.probe.recordingFetch([]),
      });
      if (found === undefined) {
        check.fail(
          "No RFC 8414 or OpenID metadata at the listed authorization server",
          "authorization-server metadata",
          `nothing found for ${servers[0]}`,
        );
      } else if (!found.token_endpoint || !found.authorization_endpoint) {
        check.fail(
          "The authorization-server metadata lacks endpoints",
          "authorization_endpoint and token_endpoint",
          JSON.stringify(found),
        );
      }
    },
  },
  {
    id: "discovery.scopes_supported",
    title: "scopes_supported is present and not empty",
    spec:
      "RFC 9728 §2 (RECOMMENDED); MCP authorization 2025-11-25 §Scope Selection Strategy",
    level: "SHOULD",
    async run(context: ScenarioContext, check: Checker) {
      const { document, answer } = await metadata(context);
      if (document === undefined) {
        check.skip(`no metadata document (${describe(answer)})`);
      }
      const scopes = document.scopes_supported;
      if (!Array.isArray(scopes) || scopes.length === 0) {
        check.fail(
          "scopes_supported is missing or empty (VS Code then cannot choose scopes)",
          "a non-empty list of scopes",
          JSON.stringify(scopes),
        );
        return;
      }
      const missing = context.options.requiredScopes.filter((s) =>
        !scopes.includes(s)
      );
      if (missing.length > 0) {
        check.fail(
          "scopes_supported leaves out required scopes",
          `a list containing ${missing.join(", ")}`,
          JSON.stringify(scopes),
        );
      }
    },
  },
];
