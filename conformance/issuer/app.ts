/**
 * The issuer's HTTP surface: a Hono app routing Scalekit's endpoints to the
 * one-job modules beside this one.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { ResourceRegistration } from "./types.ts";
import type { IssuerContext } from "./_context.ts";
import { OAuthError, oauthErrorResponse } from "./_errors.ts";
import { authorize, completeConsent } from "./authorize.ts";
import { consentPage } from "./consent.ts";
import { environmentMetadata, resourceMetadata } from "./metadata.ts";
import { registerClient } from "./registration.ts";
import { exchangeToken } from "./token_endpoint.ts";

/** Largest request body the registration and token endpoints read, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Builds the issuer's Hono app. Tests can call `app.fetch(request)` in
 * process; `server.ts` serves it.
 *
 * Routes: `GET /keys`; environment-level and per-resource authorization
 * server metadata; `POST /api/v1/resources/<res>/clients:register`;
 * `GET /oauth/authorize` and `POST /oauth/token`, each also under
 * `/resources/<res>`. Everything but the authorization endpoint (a browser
 * navigation) allows any origin, as browser-based MCP clients call them.
 */
export function createIssuerApp(context: IssuerContext): Hono {
  const app = new Hono();
  const openCors = cors({
    origin: "*",
    allowMethods: ["GET", "POST", "OPTIONS"],
    exposeHeaders: ["WWW-Authenticate"],
    maxAge: 600,
  });
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () =>
      oauthErrorResponse(
        new OAuthError(
          "invalid_request",
          `Request body is larger than ${MAX_BODY_BYTES} bytes`,
          { status: 413 },
        ),
      ),
  });
  for (
    const path of [
      "/keys",
      "/.well-known/*",
      "/resources/:res/.well-known/*",
      "/api/v1/resources/*",
      "/oauth/token",
      "/resources/:res/oauth/token",
    ]
  ) {
    app.use(path, openCors);
  }

  const resourceOf = (c: Context): ResourceRegistration => {
    const id = c.req.param("res") ?? "";
    const resource = context.resources.get(id);
    if (resource === undefined) {
      throw new OAuthError("not_found", `Unknown resource "${id}"`);
    }
    return resource;
  };

  app.get("/keys", (c) => {
    context.counters.jwksFetches++;
    return c.json(context.keys.jwks());
  });

  const environmentDocument = (c: Context) =>
    c.json(environmentMetadata(context.url, context.resources.list));
  app.get("/.well-known/oauth-authorization-server", environmentDocument);
  app.get("/.well-known/openid-configuration", environmentDocument);
  const resourceDocument = (c: Context) =>
    c.json(resourceMetadata(context.url, resourceOf(c)));
  // RFC 8414 §3.1 form, and the form Scalekit also serves under the issuer.
  app.get(
    "/.well-known/oauth-authorization-server/resources/:res",
    resourceDocument,
  );
  app.get(
    "/resources/:res/.well-known/oauth-authorization-server",
    resourceDocument,
  );

  // Hono reads ":register" in "clients:register" as a parameter, so match
  // the last segment by hand.
  app.post("/api/v1/resources/:res/:action", limit, async (c) => {
    if (c.req.param("action") !== "clients:register") {
      throw new OAuthError("not_found", "Not found");
    }
    const resource = resourceOf(c);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new OAuthError(
        "invalid_client_metadata",
        "The request body is not JSON",
      );
    }
    const client = await registerClient(context, body, resource.id);
    return c.json(client, 201, { "cache-control": "no-store" });
  });

  const redirect = (location: URL) =>
    new Response(null, {
      status: 302,
      headers: { location: location.href, "cache-control": "no-store" },
    });
  const authorizeHandler = async (c: Context) => {
    const resourceId = c.req.param("res") === undefined
      ? undefined
      : resourceOf(c).id;
    const outcome = await authorize(
      context,
      resourceId,
      new URL(c.req.url).searchParams,
    );
    if (outcome.kind === "redirect") return redirect(outcome.location);
    const id = context.consents.open(outcome.consent);
    return consentPage(
      outcome.consent,
      id,
      context.settings.user,
      new URL(c.req.url).pathname,
    );
  };
  app.get("/oauth/authorize", authorizeHandler);
  app.get("/resources/:res/oauth/authorize", authorizeHandler);

  // The consent page's form (prompt mode only; elsewhere 405 as before).
  const prompting = context.settings.consent === "prompt";
  const consentHandler = async (c: Context) => {
    if (c.req.param("res") !== undefined) resourceOf(c);
    const contentType = c.req.header("content-type") ?? "";
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) {
      throw new OAuthError(
        "invalid_request",
        "The consent form must be application/x-www-form-urlencoded",
      );
    }
    const form = new URLSearchParams(await c.req.text());
    const consent = context.consents.take(form.get("consent") ?? "");
    if (consent === undefined) {
      // Not redirected: without a known request there is no checked
      // redirect URI to send the error to (RFC 6749 §4.1.2.1).
      throw new OAuthError(
        "invalid_request",
        "This consent request is unknown, answered or expired; start again from the client",
      );
    }
    return redirect(completeConsent(context, consent, form));
  };
  if (prompting) {
    app.post("/oauth/authorize", limit, consentHandler);
    app.post("/resources/:res/oauth/authorize", limit, consentHandler);
  }

  const tokenHandler = async (c: Context) => {
    const resourceId = c.req.param("res") === undefined
      ? undefined
      : resourceOf(c).id;
    const contentType = c.req.header("content-type") ?? "";
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) {
      throw new OAuthError(
        "invalid_request",
        "The token request must be application/x-www-form-urlencoded",
      );
    }
    const params = new URLSearchParams(await c.req.text());
    const tokens = await exchangeToken(
      context,
      resourceId,
      params,
      c.req.header("authorization"),
    );
    // RFC 6749 §5.1.
    return c.json(tokens, 200, {
      "cache-control": "no-store",
      pragma: "no-cache",
    });
  };
  app.post("/oauth/token", limit, tokenHandler);
  app.post("/resources/:res/oauth/token", limit, tokenHandler);

  const allowed: Record<string, string> = {
    "/keys": "GET, HEAD",
    "/.well-known/*": "GET, HEAD",
    "/resources/:res/.well-known/*": "GET, HEAD",
    "/api/v1/resources/:res/:action": "POST",
    "/oauth/authorize": prompting ? "GET, HEAD, POST" : "GET, HEAD",
    "/resources/:res/oauth/authorize": prompting
      ? "GET, HEAD, POST"
      : "GET, HEAD",
    "/oauth/token": "POST",
    "/resources/:res/oauth/token": "POST",
  };
  for (const [path, methods] of Object.entries(allowed)) {
    app.on(["PUT", "DELETE", "PATCH", "POST", "GET"], path, (c, next) => {
      if (methods.split(", ").includes(c.req.method)) return next();
      throw new OAuthError(
        "method_not_allowed",
        `Method ${c.req.method} is not allowed here`,
        { headers: { allow: methods } },
      );
    });
  }

  app.notFound(() =>
    oauthErrorResponse(new OAuthError("not_found", "Not found"))
  );
  app.onError((error) => {
    if (error instanceof OAuthError) return oauthErrorResponse(error);
    // Never a stack trace to the client; the operator sees it.
    console.error("Mock issuer: unexpected error", error);
    return oauthErrorResponse(new OAuthError("server_error", "Internal error"));
  });
  return app;
}
