import assert from "node:assert/strict";
import { createMockIssuer } from "./issuer.ts";

const E = "http://issuer.test";

Deno.test("hostile or malformed requests get JSON errors below 500, never a stack trace", async (t) => {
  const issuer = await createMockIssuer(E);
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const json = { "content-type": "application/json" };
  const register = `${E}/api/v1/resources/res_conformance/clients:register`;
  const cases: [string, RequestInit & { url: string }][] = [
    ["binary token body", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: form,
      body: new Uint8Array([0xff, 0xfe, 0, 1]),
    }],
    ["percent garbage", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: form,
      body: "%%%=%%%&grant_type=%ZZ",
    }],
    ["empty form", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: form,
      body: "",
    }],
    ["huge form", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: form,
      body: "a=" + "b".repeat(100_000),
    }],
    ["no content type", {
      url: `${E}/oauth/token`,
      method: "POST",
      body: "grant_type=x",
    }],
    ["basic without colon", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: { ...form, authorization: `Basic ${btoa("nocolon")}` },
      body: "grant_type=client_credentials",
    }],
    ["basic with bad escapes", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: { ...form, authorization: `Basic ${btoa("%zz:%zz")}` },
      body: "grant_type=client_credentials",
    }],
    ["bearer at the token endpoint", {
      url: `${E}/oauth/token`,
      method: "POST",
      headers: { ...form, authorization: "Bearer x" },
      body: "grant_type=client_credentials",
    }],
    ["registration with a number", {
      url: register,
      method: "POST",
      headers: json,
      body: "42",
    }],
    ["registration with nested junk", {
      url: register,
      method: "POST",
      headers: json,
      body: JSON.stringify({ redirect_uris: [[{}]], grant_types: {} }),
    }],
    ["registration empty body", {
      url: register,
      method: "POST",
      headers: json,
      body: "",
    }],
    ["authorize with nothing", { url: `${E}/oauth/authorize` }],
    ["authorize with a URL client that is not loopback http", {
      url: `${E}/oauth/authorize?client_id=${
        encodeURIComponent("http://example.com/c.json")
      }`,
    }],
    ["authorize with encoded path", {
      url: `${E}/resources/%2e%2e/oauth/authorize`,
    }],
    ["metadata with a weird resource", {
      url: `${E}/resources/%00/.well-known/oauth-authorization-server`,
    }],
  ];
  for (const [name, { url, ...init }] of cases) {
    await t.step(name, async () => {
      const response = await issuer.fetch(new Request(url, init));
      const text = await response.text();
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${response.status} ${text}`,
      );
      const body = JSON.parse(text);
      assert.equal(typeof body.error, "string");
      assert.ok(!text.includes("    at "), text);
    });
  }
});
