// deno task bench (with mcp_bench.ts): token verification in-process.
// "repeated token": what a client that keeps its token costs per request,
// today, and with the verified-token cache (hit, and miss: verify + store).
// "fresh token": the signature check, with WebCrypto (jose's jwtVerify,
// today) and with node:crypto (nodeJwtVerify).
import { jwtVerify } from "jose";
import { startMockIssuer } from "../conformance/issuer/mod.ts";
import { createRemoteKeySet } from "../src/auth/jwks.ts";
import { nodeJwtVerify } from "./node_jwt_verify.ts";
import { withTokenCache } from "../src/auth/token_cache.ts";
import { createTokenVerifier } from "../src/auth/verify.ts";

const issuer = await startMockIssuer({
  resources: [{ id: "res_bench", scopes: ["todo:read"] }],
});
const token = await issuer.mint();
const options = {
  jwksUri: `${issuer.url}/keys`,
  issuers: [issuer.url],
  audiences: ["res_bench"],
  algorithms: ["RS256"],
  clockSkewSeconds: 30,
};
const today = createTokenVerifier(options);
await today.verify(token); // warms the key set
const cached = withTokenCache(createTokenVerifier(options), {
  clockSkewSeconds: 30,
});
await cached.verify(token);

Deno.bench("today: full verification", {
  group: "repeated token",
  baseline: true,
}, async () => {
  await today.verify(token);
});
Deno.bench("token cache hit", { group: "repeated token" }, async () => {
  await cached.verify(token);
});
Deno.bench("token cache miss (verify, then store)", {
  group: "repeated token",
}, async () => {
  cached.cache.clear();
  await cached.verify(token);
});

const getKey = createRemoteKeySet({ url: `${issuer.url}/keys` });
const joseOptions = {
  issuer: options.issuers,
  audience: options.audiences,
  algorithms: options.algorithms,
  clockTolerance: 30,
  requiredClaims: ["exp", "sub"],
};
await jwtVerify(token, getKey, joseOptions);
Deno.bench("jose jwtVerify (WebCrypto)", {
  group: "verify a fresh token",
  baseline: true,
}, async () => {
  await jwtVerify(token, getKey, joseOptions);
});
Deno.bench("nodeJwtVerify (node:crypto)", {
  group: "verify a fresh token",
}, async () => {
  await nodeJwtVerify(token, getKey, joseOptions);
});

addEventListener("unload", () => void issuer.close());
