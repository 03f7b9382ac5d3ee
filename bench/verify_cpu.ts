// deno run -A bench/verify_cpu.ts: the CPU cost of one RS256 token
// verification, WebCrypto (jose's jwtVerify, today) against node:crypto
// (nodeJwtVerify), measured as process CPU time (every thread: WebCrypto
// runs its verify on Deno's blocking thread pool) over many verifications,
// one at a time and ten at once, rounds interleaved. CPU per verification
// is what bounds a loaded server; wall time on a shared machine is noise.
import process from "node:process";
import { jwtVerify } from "jose";
import { startMockIssuer } from "../conformance/issuer/mod.ts";
import { createRemoteKeySet } from "../src/auth/jwks.ts";
import { nodeJwtVerify } from "./node_jwt_verify.ts";

const N = Number(Deno.args[0] ?? 2000);
const ROUNDS = Number(Deno.args[1] ?? 4);
const issuer = await startMockIssuer({
  resources: [{ id: "res_bench", scopes: ["todo:read"] }],
});
const token = await issuer.mint();
const getKey = createRemoteKeySet({ url: `${issuer.url}/keys` });
const options = {
  issuer: [issuer.url],
  audience: ["res_bench"],
  algorithms: ["RS256"],
  clockTolerance: 30,
  requiredClaims: ["exp", "sub"],
};
const impls = {
  "WebCrypto (jose jwtVerify)": () => jwtVerify(token, getKey, options),
  "node:crypto (nodeJwtVerify)": () => nodeJwtVerify(token, getKey, options),
};
for (const run of Object.values(impls)) await run();

const results: Record<string, { cpuUs: number[]; wallRate: number[] }> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const concurrency of [1, 10]) {
    for (const [name, run] of Object.entries(impls)) {
      const key = `${name}, ${concurrency} at once`;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let left = N;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (left-- > 0) await run();
        }),
      );
      const cpu = process.cpuUsage(c0);
      const wall = performance.now() - t0;
      const entry = results[key] ??= { cpuUs: [], wallRate: [] };
      entry.cpuUs.push((cpu.user + cpu.system) / N);
      entry.wallRate.push(N / (wall / 1000));
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${N} verifications x ${ROUNDS} rounds, medians:`);
for (const [key, { cpuUs, wallRate }] of Object.entries(results)) {
  console.log(
    `${key.padEnd(42)} ${median(cpuUs).toFixed(0).padStart(5)} µs CPU each (${
      (1e6 / median(cpuUs)).toFixed(0)
    }/CPU-s)  ${median(wallRate).toFixed(0).padStart(6)}/s wall`,
  );
}
await issuer.close();
