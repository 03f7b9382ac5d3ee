/**
 * Discovery: can a client that knows only the MCP URL find the
 * authorization server? (MCP authorization "Authorization Server
 * Discovery", RFC 9728, RFC 8414.) Every scenario judges the document a
 * client would use, found once per run in client order, so one broken
 * link is one finding and hides nothing behind it.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/client/auth"
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/sdk/client/auth.js";
import { type Discovery, isObject, type Lookup } from "../discovery_facts.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import { checkChallengeSyntax, describe } from "./_helpers.ts";

/** The discovery facts, or a skip when no document was found at all. */
async function foundDocument(
  context: ScenarioContext,
  check: Checker,
): Promise<
  { facts: Discovery; document: Readonly<Record<string, unknown>> }
> {
  const facts = await context.discovery();
  if (facts.found === undefined) {
    check.skip(
      "no protected resource metadata anywhere a client looks (see discovery.metadata)",
    );
  }
  return { facts, document: facts.found.document };
}

function describeLookup(lookup: Lookup | undefined): string {
  if (lookup === undefined) return "not looked up";
  if (lookup.answer === undefined) {
    return `${lookup.url}: no answer (${lookup.error})`;
  }
  return `${lookup.url}: ${describe(lookup.answer)}`;
}

/** The listed authorization servers that are strings. */
function listedServers(document: Readonly<Record<string, unknown>>): string[] {
  const servers = document.authorization_servers;
  return Array.isArray(servers)
    ? servers.filter((s): s is string => typeof s === "string")
    : [];
}

/** Fetches the first listed authorization server's metadata the way the MCP SDK does. */
async function authorizationServer(
  context: ScenarioContext,
  check: Checker,
): Promise<{ url: string; metadata?: Record<string, unknown> }> {
  const { document } = await foundDocument(context, check);
  const servers = listedServers(document);
  if (servers.length === 0) {
    check.skip(
      "no authorization server listed (see discovery.authorization_servers)",
    );
  }
  const metadata = await discoverAuthorizationServerMetadata(servers[0], {
    fetchFn: context.probe.recordingFetch([]),
  });
  return {
    url: servers[0],
    ...(metadata ? { metadata: metadata as Record<string, unknown> } : {}),
  };
}

/** The metadata fields a served copy of the issuer's document must repeat exactly. */
const AGREEING_FIELDS = [
  "issuer",
  "authorization_endpoint",
  "token_endpoint",
  "registration_endpoint",
  "jwks_uri",
] as const;

/** The discovery scenarios. */
export const DISCOVERY_SCENARIOS: readonly Scenario[] = [
  {
    id: "discovery.challenge",
    title: "a request without a token gets 401 with a Bearer challenge",
    rule: "bearer_challenge",
    async run(context: ScenarioContext, check: Checker) {
      const { unauthenticated: answer, challenge } = await context.discovery();
      const header = answer.headers.get("www-authenticate");
      if (answer.status !== 401) {
        check.violates(
          "refuse_with_401",
          "A request without a token was not refused with 401",
          "HTTP 401",
          describe(answer),
        );
      }
      checkChallengeSyntax(header, check);
      if (challenge === undefined) {
        check.fail(
          "No well-formed Bearer challenge",
          'WWW-Authenticate: Bearer resource_metadata="…"',
          describe(answer),
        );
        return;
      }
      if (challenge.params.resource_metadata === undefined) {
        check.violates(
          "challenge_resource_metadata",
          "The 401 challenge has no resource_metadata",
          'a resource_metadata="<metadata URL>" parameter',
          describe(answer),
        );
      }
    },
  },
  {
    id: "discovery.challenge_scope",
    title: "the 401 challenge names the scopes every request needs",
    rule: "challenge_scope",
    async run(context: ScenarioContext, check: Checker) {
      const { unauthenticated: answer, challenge } = await context.discovery();
      if (challenge === undefined) {
        check.skip("no Bearer challenge (see discovery.challenge)");
      }
      const scope = challenge.params.scope;
      const required = context.options.requiredScopes;
      if (scope === undefined) {
        if (required.length === 0) {
          check.note(
            "no scope parameter, and no --required-scopes: clients fall back to scopes_supported",
          );
          return;
        }
        check.fail(
          "The 401 challenge has no scope parameter",
          `scope="${required.join(" ")}"`,
          describe(answer),
        );
        return;
      }
      const named = scope.split(" ");
      if (required.some((s) => !named.includes(s))) {
        check.fail(
          "The 401 challenge's scope leaves out required scopes",
          `scope containing ${required.join(" ")}`,
          `scope="${scope}"`,
        );
      }
    },
  },
  {
    id: "discovery.metadata",
    title:
      "a client that knows only the URL finds the protected resource metadata (challenge, then path-suffixed, then root)",
    rule: "metadata_discoverable",
    async run(context: ScenarioContext, check: Checker) {
      const facts = await context.discovery();
      if (facts.found === undefined) {
        check.fail(
          "No protected resource metadata where a client looks",
          "a JSON document at the challenge's resource_metadata URL, the path-suffixed or the root well-known URL",
          [facts.fromChallenge, facts.pathSuffixed, facts.root]
            .filter((l) => l !== undefined)
            .map(describeLookup)
            .join("; "),
        );
        return;
      }
      check.note(`found through the ${facts.found.via}: ${facts.found.url}`);
      // Informational: MCP lists the root only as one option, and RFC 9728
      // §3.3 ties a root document's resource to the origin, not the MCP URL.
      check.note(
        facts.root.document === undefined
          ? `nothing at the root well-known URL (informational: not required; ${facts.root.url})`
          : `also served at the root well-known URL (${facts.root.url})`,
      );
    },
  },
  {
    id: "discovery.metadata_from_challenge",
    title: "the resource_metadata URL in the challenge serves the metadata",
    rule: "metadata_link_works",
    async run(context: ScenarioContext, check: Checker) {
      const facts = await context.discovery();
      const lookup = facts.fromChallenge;
      if (lookup === undefined) {
        check.skip("the challenge names no resource_metadata URL");
      }
      if (lookup.document === undefined) {
        check.fail(
          "The challenge's resource_metadata URL does not serve the metadata (a broken link: clients that follow it stop there)",
          `HTTP 200 with a JSON object at ${lookup.url}`,
          describeLookup(lookup),
        );
        if (facts.found !== undefined) {
          check.note(
            `a client that falls back finds it at ${facts.found.url}, and the other discovery scenarios judge that document`,
          );
        }
      }
    },
  },
  {
    id: "discovery.metadata_path_suffixed",
    title: "the metadata is served at the path-suffixed well-known URL",
    rule: "metadata_path_suffixed",
    async run(context: ScenarioContext, check: Checker) {
      const facts = await context.discovery();
      if (facts.pathSuffixed.document === undefined) {
        check.fail(
          "No metadata at the path-suffixed well-known URL",
          `HTTP 200 with JSON at ${facts.pathSuffixed.url}`,
          describeLookup(facts.pathSuffixed),
        );
      }
    },
  },
  {
    id: "discovery.resource_matches",
    title: "the metadata's resource is exactly the MCP URL",
    rule: "metadata_resource_matches",
    async run(context: ScenarioContext, check: Checker) {
      const { facts } = await foundDocument(context, check);
      const url = context.options.url;
      const judged: ReadonlyArray<readonly [string, Lookup | undefined]> = [
        ["challenge's resource_metadata URL", facts.fromChallenge],
        ["path-suffixed URL", facts.pathSuffixed],
        ...(facts.found?.via === "root"
          ? [["root URL", facts.root] as const]
          : []),
      ];
      for (const [where, lookup] of judged) {
        const resource = lookup?.document?.resource;
        if (lookup?.document === undefined || resource === url) continue;
        check.fail(
          "The metadata's resource differs from the URL clients connect to (clients such as the MCP SDK then refuse the server)",
          JSON.stringify(url),
          `${JSON.stringify(resource)} at the ${where}`,
        );
      }
    },
  },
  {
    id: "discovery.authorization_servers",
    title:
      "authorization_servers lists the authorization server whose tokens the server accepts",
    rule: "authorization_servers_listed",
    async run(context: ScenarioContext, check: Checker) {
      const { document } = await foundDocument(context, check);
      const servers = document.authorization_servers;
      const strings = listedServers(document);
      if (!Array.isArray(servers) || strings.length === 0) {
        check.fail(
          "authorization_servers is missing or lists no URL",
          "a list with at least one authorization server URL",
          JSON.stringify(servers),
        );
        return;
      }
      const issuer = context.issuer;
      if (issuer === undefined) {
        check.note(`lists ${strings.join(", ")}`);
        return;
      }
      const resourceIssuer = issuer.resourceIssuer(context.options.resourceId);
      if (strings.includes(resourceIssuer)) return;
      if (strings.includes(issuer.url)) {
        check.violates(
          "scalekit_resource_issuer",
          "authorization_servers names the Scalekit environment, not the resource's authorization server",
          `a list containing "${resourceIssuer}"`,
          JSON.stringify(servers),
        );
        return;
      }
      check.fail(
        "authorization_servers sends clients to an issuer whose tokens the server refuses",
        `a list containing "${resourceIssuer}"`,
        JSON.stringify(servers),
      );
    },
  },
  {
    id: "discovery.authorization_server_metadata",
    title:
      "the listed authorization server's metadata can be fetched and names its endpoints",
    rule: "authorization_server_metadata",
    async run(context: ScenarioContext, check: Checker) {
      const { url, metadata } = await authorizationServer(context, check);
      if (metadata === undefined) {
        check.fail(
          "No RFC 8414 or OpenID metadata at the listed authorization server",
          "authorization-server metadata",
          `nothing found for ${url}`,
        );
      } else if (!metadata.token_endpoint || !metadata.authorization_endpoint) {
        check.fail(
          "The authorization-server metadata lacks endpoints",
          "authorization_endpoint and token_endpoint",
          JSON.stringify(metadata).slice(0, 300),
        );
      }
    },
  },
  {
    id: "discovery.issuer_keys",
    title:
      "the authorization server's metadata names itself as issuer and its jwks_uri serves signing keys",
    rule: "authorization_server_metadata",
    async run(context: ScenarioContext, check: Checker) {
      const { url, metadata } = await authorizationServer(context, check);
      if (metadata === undefined) {
        check.skip(
          "no authorization-server metadata (see discovery.authorization_server_metadata)",
        );
      }
      if (metadata.issuer !== url) {
        check.violates(
          "as_metadata_agrees",
          "The authorization server's metadata names another issuer than the URL it was found under",
          JSON.stringify(url),
          JSON.stringify(metadata.issuer),
        );
      }
      const jwksUri = metadata.jwks_uri;
      if (typeof jwksUri !== "string" || !URL.canParse(jwksUri)) {
        check.fail(
          "The authorization-server metadata has no usable jwks_uri",
          "a jwks_uri URL",
          JSON.stringify(jwksUri),
        );
        return;
      }
      const answer = await context.probe.send({ method: "GET", url: jwksUri });
      const keys = isObject(answer.json) && Array.isArray(answer.json.keys)
        ? answer.json.keys
        : undefined;
      if (answer.status !== 200 || keys === undefined || keys.length === 0) {
        check.fail(
          "The jwks_uri does not serve a key set with keys",
          `HTTP 200 with {"keys":[…]} at ${jwksUri}`,
          describe(answer),
        );
      }
    },
  },
  {
    id: "discovery.scopes_supported",
    title: "scopes_supported lists the scopes clients need",
    rule: "scopes_supported",
    async run(context: ScenarioContext, check: Checker) {
      const { document } = await foundDocument(context, check);
      const scopes = document.scopes_supported;
      if (Array.isArray(scopes) && scopes.length === 0) {
        check.violates(
          "no_empty_parameters",
          "scopes_supported is an empty list (VS Code then cannot choose scopes)",
          "scopes_supported left out, or a list of scopes",
          "[]",
        );
        return;
      }
      if (!Array.isArray(scopes)) {
        check.fail(
          "scopes_supported is missing",
          "a list of scopes",
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
  {
    id: "discovery.no_offline_access",
    title:
      "offline_access is advertised neither in scopes_supported nor in the 401 challenge",
    rule: "no_offline_access",
    async run(context: ScenarioContext, check: Checker) {
      const facts = await context.discovery();
      const scopes = facts.found?.document.scopes_supported;
      if (Array.isArray(scopes) && scopes.includes("offline_access")) {
        check.fail(
          "scopes_supported advertises offline_access (refresh tokens are not a resource requirement)",
          "scopes_supported without offline_access",
          JSON.stringify(scopes),
        );
      }
      const challenged = facts.challenge?.params.scope?.split(" ") ?? [];
      if (challenged.includes("offline_access")) {
        check.fail(
          "The 401 challenge asks for offline_access",
          "a scope without offline_access",
          describe(facts.unauthenticated),
        );
      }
    },
  },
  {
    id: "discovery.authorization_server_proxy",
    title:
      "authorization-server metadata the MCP server serves itself agrees with the issuer's own",
    rule: "as_metadata_agrees",
    async run(context: ScenarioContext, check: Checker) {
      const origin = new URL(context.options.url).origin;
      const path = new URL(context.options.url).pathname.replace(/\/$/, "");
      const candidates = [
        `${origin}/.well-known/oauth-authorization-server`,
        ...(path
          ? [`${origin}/.well-known/oauth-authorization-server${path}`]
          : []),
      ];
      const served: Array<{ url: string; document: Record<string, unknown> }> =
        [];
      for (const url of candidates) {
        const answer = await context.probe.send({ method: "GET", url });
        if (answer.status === 200 && isObject(answer.json)) {
          served.push({ url, document: answer.json });
        }
      }
      if (served.length === 0) {
        check.note(
          "the MCP server serves no authorization-server metadata of its own (clients use the issuer's)",
        );
        return;
      }
      const { metadata } = await authorizationServer(context, check);
      if (metadata === undefined) {
        check.skip(
          "the listed authorization server has no metadata to compare with (see discovery.authorization_server_metadata)",
        );
      }
      for (const { url, document } of served) {
        const differing = AGREEING_FIELDS.filter((field) =>
          (document[field] !== undefined || metadata[field] !== undefined) &&
          document[field] !== metadata[field]
        );
        for (const field of differing) {
          check.fail(
            "The MCP server's copy of the authorization-server metadata disagrees with the issuer's (a client that reads it is sent to the wrong endpoint)",
            `${field} ${
              JSON.stringify(metadata[field])
            }, as the issuer publishes`,
            `${field} ${JSON.stringify(document[field])} at ${url}`,
          );
        }
        if (differing.length === 0) {
          check.note(
            `${url} repeats the issuer's metadata (strict RFC 8414 §3.3 clients ignore it: its issuer is not ${origin})`,
          );
        }
      }
    },
  },
];
