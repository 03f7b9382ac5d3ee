// The token check the integrator writes for both libraries, as their docs ask
// ("replace with JWT verification"): jose against the environment's keys,
// both Scalekit issuer forms, the resource id as audience, RS256 only.
import { createRemoteJWKSet, jwtVerify } from "jose";

const env = process.env.SCALEKIT_ENVIRONMENT_URL;
const resource = process.env.SCALEKIT_RESOURCE_ID;
const keys = createRemoteJWKSet(new URL(`${env}/keys`));

/** Verifies `token`; returns the MCP SDK's AuthInfo, throws on any problem. */
export async function verifyJwt(token) {
  const { payload } = await jwtVerify(token, keys, {
    issuer: [env, `${env}/resources/${resource}`],
    audience: resource,
    algorithms: ["RS256"],
  });
  return {
    token,
    clientId: String(payload.client_id ?? payload.sub),
    scopes: typeof payload.scope === "string" ? payload.scope.split(" ") : [],
    expiresAt: payload.exp,
    extra: { subject: payload.sub },
  };
}

/** The port and base URL the runner gives a spawned server. */
export const PORT = Number(process.env.PORT ?? 3000);
export const BASE_URL = (process.env.BASE_URL ?? `http://127.0.0.1:${PORT}`)
  .replace(/\/$/, "");
export const ENVIRONMENT = env;
export const RESOURCE_ID = resource;
