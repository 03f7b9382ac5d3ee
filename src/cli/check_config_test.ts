import assert from "node:assert/strict";
import { checkConfig } from "./check_config.ts";

const VALID = {
  SCALEKIT_ENVIRONMENT_URL: "https://env.scalekit.example",
  SCALEKIT_RESOURCE_ID: "res_123",
  BASE_URL: "https://mcp.example.com",
};

Deno.test("checkConfig() shows each setting's variable, value and source, and the endpoint", () => {
  const { valid, text } = checkConfig({ ...VALID, PORT: "8080" });
  assert.equal(valid, true);
  assert.match(text, /^Provider: scalekit$/m);
  assert.match(text, /^ {2}SCALEKIT_RESOURCE_ID +"res_123" +environment$/m);
  assert.match(text, /^ {2}PORT +8080 +environment$/m);
  assert.match(text, /^ {2}HOST +"127\.0\.0\.1" +default$/m);
  assert.match(text, /^MCP endpoint: +https:\/\/mcp\.example\.com\/mcp$/m);
  assert.match(
    text,
    /^Protected resource metadata: https:\/\/mcp\.example\.com\/\.well-known\/oauth-protected-resource\/mcp$/m,
  );
  assert.match(text, /^Warnings: none$/m);
  assert.match(text, /^The configuration is valid\.$/m);
});

Deno.test("checkConfig() lists every warning with its code", () => {
  const { valid, text } = checkConfig({
    ...VALID,
    BASE_URL: "http://mcp.example.com/mcp",
    SCALEKIT_CLIENT_ID: "skc_1",
  });
  assert.equal(valid, true);
  for (
    const code of [
      "mcp_path_in_base_url",
      "insecure_base_url",
      "ignored_variable",
    ]
  ) {
    assert.match(text, new RegExp(`^  - \\[${code}\\] `, "m"));
  }
});

Deno.test("checkConfig() names every problem and says the server would not start", () => {
  const { valid, text } = checkConfig({
    SCALEKIT_ENVIRONMENT_URL: "https://env.scalekit.example",
    PORT: "http",
  });
  assert.equal(valid, false);
  assert.match(text, /^Problems \(3\), the server would not start:$/m);
  assert.match(text, /^ {2}- .*SCALEKIT_RESOURCE_ID/m);
  assert.match(text, /^ {2}- .*BASE_URL/m);
  assert.match(text, /^ {2}- PORT must be/m);
  assert.doesNotMatch(text, /MCP endpoint/);
});
