/**
 * HTTP around the authorization: Origin validation (MCP transports §Security
 * Warning) and CORS, which browser clients such as MCP Inspector need to
 * read a challenge at all.
 *
 * @module
 */

import { INITIALIZE } from "../probe.ts";
import type { Checker, Scenario, ScenarioContext } from "../scenario.ts";
import { describe, fullToken } from "./_helpers.ts";

/** An origin no MCP server has a reason to trust. */
const FOREIGN_ORIGIN = "https://attacker.example";

/** The origin MCP Inspector's web UI runs on: a browser client people use. */
const BROWSER_ORIGIN = "http://localhost:6274";

/** Request headers a browser MCP client sends, so asks a preflight about. */
const CLIENT_HEADERS = "authorization, content-type, mcp-protocol-version";

function listed(header: string | null, name: string): boolean {
  if (header === null) return false;
  return header.split(",").map((h) => h.trim().toLowerCase()).some((h) =>
    h === "*" || h === name.toLowerCase()
  );
}

/** The HTTP scenarios. */
export const HTTP_SCENARIOS: readonly Scenario[] = [
  {
    id: "http.origin",
    title: "a request from a foreign Origin is refused with 403",
    rule: "origin_validated",
    async run(context: ScenarioContext, check: Checker) {
      // With a token a server that skips the check serves the request; a
      // live run without one can only see the Origin refused before auth.
      const tokenless = context.issuer === undefined &&
        context.liveToken === undefined;
      const good = tokenless ? undefined : await fullToken(context, check);
      const answer = await context.probe.send({
        body: INITIALIZE,
        headers: { origin: FOREIGN_ORIGIN },
        ...(good ? { token: good } : {}),
      });
      if (answer.status === 403) return;
      if (good === undefined && answer.status === 401) {
        check.skip(
          "live mode without --token-file: a 401 to a request without a token says nothing about its Origin",
        );
      }
      if (answer.status >= 200 && answer.status < 300) {
        check.fail(
          "A request from a foreign Origin was served (DNS rebinding lets any web page do the same)",
          `HTTP 403 for Origin: ${FOREIGN_ORIGIN}`,
          describe(answer),
        );
        return;
      }
      // 2025-06-18 asks only that the Origin be validated; later revisions
      // name 403.
      check.fail(
        "A request from a foreign Origin was refused, but not with 403",
        `HTTP 403 for Origin: ${FOREIGN_ORIGIN}`,
        describe(answer),
      );
    },
  },
  {
    id: "http.cors",
    title:
      "a CORS preflight is not answered 401, and a browser client can read the 401 challenge",
    rule: "cors_preflight",
    async run(context: ScenarioContext, check: Checker) {
      const preflight = await context.probe.send({
        method: "OPTIONS",
        headers: {
          origin: BROWSER_ORIGIN,
          "access-control-request-method": "POST",
          "access-control-request-headers": CLIENT_HEADERS,
        },
      });
      if (preflight.status === 401) {
        check.fail(
          "The CORS preflight was answered 401 (browsers send preflights without credentials, so a browser client can never connect)",
          "an ok status (2xx) to OPTIONS",
          describe(preflight),
        );
        return;
      }
      const allowOrigin = preflight.headers.get("access-control-allow-origin");
      if (
        preflight.status >= 300 ||
        (allowOrigin !== "*" && allowOrigin !== BROWSER_ORIGIN)
      ) {
        check.note(
          `the server does not let ${BROWSER_ORIGIN} (MCP Inspector) call it from a browser; fine if it serves no browser clients (${
            describe(preflight)
          })`,
        );
        return;
      }
      const allowHeaders = preflight.headers.get(
        "access-control-allow-headers",
      );
      if (!listed(allowHeaders, "authorization")) {
        check.fail(
          "The preflight allows the origin but not the Authorization header, so a browser client cannot send its token",
          "Access-Control-Allow-Headers including Authorization",
          `Access-Control-Allow-Headers: ${allowHeaders ?? "(none)"}`,
        );
      }
      const refused = await context.probe.send({
        body: INITIALIZE,
        headers: { origin: BROWSER_ORIGIN },
      });
      if (refused.status !== 401) {
        check.note(
          `a request from ${BROWSER_ORIGIN} without a token got HTTP ${refused.status}`,
        );
        return;
      }
      const exposed = refused.headers.get("access-control-expose-headers");
      if (!listed(exposed, "www-authenticate")) {
        check.fail(
          "The 401 does not expose WWW-Authenticate to browser clients, so they cannot find the authorization server",
          "Access-Control-Expose-Headers including WWW-Authenticate",
          `Access-Control-Expose-Headers: ${exposed ?? "(none)"}`,
        );
      }
    },
  },
];
