import assert from "node:assert/strict";
import { freePort } from "./fixtures/net.ts";

const DEV = new URL("./dev.ts", import.meta.url).pathname;

/** Starts dev mode and resolves once it prints its instructions. */
async function startDev(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      DEV,
    ],
    env: { ...env, NO_COLOR: "1" },
    clearEnv: true,
    cwd: env.DEV_STATE_DIR,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("Stop with Ctrl+C")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`dev mode exited early:\n${text}`);
    text += value;
  }
  return {
    text,
    async stop(): Promise<number> {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const status = await child.status;
      await reader.cancel();
      return status.code;
    },
  };
}

Deno.test("dev mode wires the issuer and server, and a restart keeps registrations", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "mcp-dev-" });
  const port = freePort();
  const issuerPort = freePort();
  const env = {
    // Padded: read like every setting (trimmed), not pasted into a URL.
    PORT: ` ${port} `,
    MOCK_ISSUER_PORT: `${issuerPort}\t`,
    DEV_STATE_DIR: stateDir,
    // A FastMCP .env for a real environment must not win over the mock.
    FASTMCP_SERVER_AUTH_SCALEKITPROVIDER_ENVIRONMENT_URL:
      "https://real-env.scalekit.example",
  };
  const mcpUrl = `http://localhost:${port}/mcp`;
  const issuer = `http://127.0.0.1:${issuerPort}`;
  const redirect = "http://localhost:6274/oauth/callback";
  let dev: Awaited<ReturnType<typeof startDev>> | undefined;
  try {
    dev = await startDev(env);
    assert.match(dev.text, /npx -y @modelcontextprotocol\/inspector@2\.12\.0/);
    assert.ok(dev.text.includes(`URL: ${mcpUrl}`));

    const prm = await (await fetch(
      `http://localhost:${port}/.well-known/oauth-protected-resource/mcp`,
    )).json();
    assert.deepEqual(prm.authorization_servers, [
      `${issuer}/resources/res_dev`,
    ]);
    const challenge = await fetch(mcpUrl, { method: "POST", body: "{}" });
    assert.equal(challenge.status, 401);
    await challenge.body?.cancel();

    // A client registers the way MCP Inspector does.
    const registration = await fetch(
      `${issuer}/api/v1/resources/res_dev/clients:register`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_name: "inspector",
          redirect_uris: [redirect],
        }),
      },
    );
    assert.equal(registration.status, 201);
    const { client_id } = await registration.json();
    const kids = async () =>
      (await (await fetch(`${issuer}/keys`)).json()).keys.map((
        k: { kid: string },
      ) => k.kid);
    const kidsBefore = await kids();

    assert.equal(await dev.stop(), 0);
    dev = await startDev(env);

    assert.deepEqual(
      await kids(),
      kidsBefore,
      "signing keys survive a restart",
    );
    const authorize = new URL(`${issuer}/resources/res_dev/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: redirect,
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      state: "s",
    }).toString();
    // Dev mode asks the person: a consent page, then a code for what they tick.
    const page = await fetch(authorize);
    assert.equal(page.status, 200, "the registration survived the restart");
    const html = await page.text();
    assert.ok(html.includes("usr_dev") && html.includes("org_dev"), html);
    const consent = html.match(/name="consent" value="([^"]+)"/)?.[1];
    assert.ok(consent, html);
    const answer = await fetch(authorize, {
      method: "POST",
      body: new URLSearchParams([
        ["consent", consent],
        ["decision", "allow"],
        ["scope", "todo:read"],
      ]),
      redirect: "manual",
    });
    await answer.body?.cancel();
    assert.equal(answer.status, 302);
    assert.ok(answer.headers.get("location")?.startsWith(`${redirect}?code=`));
    assert.equal(await dev.stop(), 0);
    dev = undefined;
  } finally {
    await dev?.stop();
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("dev mode refuses a bad PORT and MOCK_ISSUER_PORT at once, naming both", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      DEV,
    ],
    // PORT 0 would leave the mock issuer without the server's URL.
    env: { PORT: "0", MOCK_ISSUER_PORT: "abc", NO_COLOR: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 78);
  const text = new TextDecoder().decode(stderr);
  assert.match(
    text,
    /^- PORT must be a whole number from 1 to 65535, not "0"$/m,
  );
  assert.match(text, /^- MOCK_ISSUER_PORT must be .*, not "abc"$/m);
});
