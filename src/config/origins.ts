/**
 * `MCP_ALLOWED_ORIGINS`: the browser origins allowed to call the endpoint
 * (the MCP transport must validate `Origin` against DNS rebinding).
 *
 * @module
 */

import { addProblem, type Findings, quote } from "./_findings.ts";
import { splitList } from "./_list.ts";
import { type Env, readVar } from "./_read.ts";

const VARIABLE = "MCP_ALLOWED_ORIGINS";

/**
 * The allowed origins, normalised (`HTTPS://App.Example.com:443/` becomes
 * `https://app.example.com`). Unset means the base URL's origin only;
 * loopback origins are the HTTP layer's business. `*` and `null` are
 * refused: an allow-list must name its origins.
 */
export function readAllowedOrigins(
  env: Env,
  baseUrl: string | undefined,
  findings: Findings,
): string[] {
  const raw = readVar(env, VARIABLE);
  if (raw === undefined) {
    return baseUrl === undefined ? [] : [new URL(baseUrl).origin];
  }
  const list = splitList(raw, VARIABLE);
  if (!list.ok) {
    addProblem(findings, VARIABLE, list.message);
    return [];
  }
  const origins = new Set<string>();
  for (const item of list.values) {
    const origin = normaliseOrigin(item);
    if (origin === undefined) {
      addProblem(findings, VARIABLE, describeBadOrigin(item));
    } else {
      origins.add(origin);
    }
  }
  return [...origins];
}

/** `scheme://host[:port]` in the form a browser sends, or `undefined`. */
function normaliseOrigin(value: string): string | undefined {
  const url = URL.parse(value);
  if (
    url === null || !value.includes("://") || url.host === "" ||
    url.username !== "" || url.password !== "" ||
    (url.pathname !== "" && url.pathname !== "/") ||
    value.includes("?") || value.includes("#")
  ) {
    return undefined;
  }
  // Non-special schemes (chrome-extension:, vscode-webview:) have an opaque
  // URL.origin of "null"; browsers still send scheme://host for them.
  return url.origin !== "null" ? url.origin : `${url.protocol}//${url.host}`;
}

function describeBadOrigin(item: string): string {
  if (item === "*") {
    return `${VARIABLE} must list exact origins; "*" would let any web page call the server`;
  }
  if (item.toLowerCase() === "null") {
    return `${VARIABLE} must not contain "null": sandboxed frames and local files all send that origin`;
  }
  return `${VARIABLE} must contain origins of the form scheme://host[:port], such as "https://app.example.com", not ${
    quote(item)
  }`;
}
