/**
 * The browser half of `inspector_browser_test.ts`: drives MCP Inspector's
 * web UI in headless Chromium through the README's steps, a screenshot per
 * step. A separate program because Playwright reads `/proc` files that Deno
 * grants only with `--allow-all`, which the test run must not have; the test
 * runs this with `-A`, bounded in time.
 *
 * Arguments: a JSON object `{ inspectorUrl, mcpUrl, shots, chromium,
 * stepMs }`. Exits 0 when every step passed, 1 with the reason on stderr
 * (and a `failure` screenshot).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";

/** What the test passes. */
export interface DriverOptions {
  /** The URL the Inspector printed, with its token. */
  readonly inspectorUrl: string;
  /** The MCP endpoint dev mode serves. */
  readonly mcpUrl: string;
  /** Where the screenshots go. */
  readonly shots: string;
  /** The Chromium executable. */
  readonly chromium: string;
  /** The bound on every wait in the browser, ms. */
  readonly stepMs: number;
}

/** Runs the journey; throws on the first step that fails. */
export async function driveInspector(options: DriverOptions): Promise<void> {
  const { inspectorUrl, mcpUrl, shots, stepMs: STEP_MS } = options;
  const profile = await Deno.makeTempDir({ prefix: "mcp-chromium-" });
  let step = 0;
  let page: Page | undefined;
  const shot = async (name: string) => {
    step++;
    await page?.screenshot({
      path: join(shots, `${String(step).padStart(2, "0")}-${name}.png`),
      fullPage: true,
    });
  };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.chromium,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    viewport: { width: 1400, height: 900 },
    timeout: STEP_MS,
  });
  try {
    context.setDefaultTimeout(STEP_MS);
    page = context.pages()[0] ?? await context.newPage();
    await page.goto(inspectorUrl);
    await page.getByRole("button", { name: "Add Servers" }).waitFor();
    await shot("inspector");

    // Step 2: add the server.
    await page.getByRole("button", { name: "Add Servers" }).click();
    await page.getByRole("menuitem", { name: "Add manually" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Server ID").fill("mcp-scalekit");
    await dialog.getByLabel("Transport").click();
    await page.getByRole("option", { name: "streamable-http" }).click();
    await dialog.getByLabel("URL").fill(mcpUrl);
    await shot("add-server");
    await dialog.getByRole("button", { name: "Add" }).click();
    await dialog.waitFor({ state: "hidden" });

    // Step 3: connect; the 401, discovery and registration lead to the
    // mock's consent page.
    await page.getByRole("switch", {
      name: 'Connect or disconnect "mcp-scalekit"',
    }).click({ force: true });
    await page.getByRole("button", { name: "Allow" }).waitFor();
    const consent = await page.content();
    assert.ok(consent.includes("usr_dev"), "the page shows the user");
    assert.ok(consent.includes("org_dev"), "and the organisation");
    await page.getByRole("checkbox", { name: "todo:write" }).uncheck();
    await shot("consent-without-todo-write");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.getByText("Connected", { exact: true }).waitFor();
    await shot("connected");

    // Step 4: the tools, listed on connect.
    await page.getByText("Tools", { exact: true }).click();
    const main = page.locator("main");
    for (const tool of ["create_todo", "list_todos", "whoami"]) {
      await main.getByRole("button", { name: new RegExp(tool) })
        .waitFor();
    }
    await shot("tools");

    // create_todo without todo:write: step-up.
    await main.getByRole("button", { name: /create_todo/ }).click();
    await main.getByRole("textbox", { name: "title" }).fill(
      "Water the plants",
    );
    await main.getByRole("button", { name: "Execute Tool" }).click();
    const stepUp = page.getByRole("dialog");
    await stepUp.getByText("Additional permissions required").waitFor();
    assert.match(await stepUp.innerText(), /todo:write/);
    await shot("step-up");
    await stepUp.getByRole("button", { name: "Authorize" }).click();
    await page.getByRole("checkbox", { name: "todo:write" }).waitFor();
    assert.ok(
      await page.getByRole("checkbox", { name: "todo:write" })
        .isChecked(),
    );
    await shot("step-up-consent");
    await page.getByRole("button", { name: "Allow" }).click();

    // Back in the Inspector with the new token: create_todo works.
    await main.getByRole("button", { name: "Execute Tool" }).waitFor();
    await main.getByRole("button", { name: "Execute Tool" }).click();
    await main.getByText('"Water the plants"').first().waitFor();
    await shot("create-todo");

    await main.getByRole("button", { name: /list_todos/ }).click();
    await main.getByRole("button", { name: "Execute Tool" }).click();
    await main.getByText('"todos"').first().waitFor();
    await main.getByText('"Water the plants"').first().waitFor();
    await shot("list-todos");

    await main.getByRole("button", { name: /whoami/ }).click();
    await main.getByRole("button", { name: "Execute Tool" }).click();
    await main.getByText('"subject"').first().waitFor();
    assert.match(await main.innerText(), /"subject": "usr_dev"/);
    await shot("whoami");
  } catch (error) {
    await shot("failure").catch(() => {});
    throw error;
  } finally {
    await context.close().catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    await driveInspector(JSON.parse(Deno.args[0]));
  } catch (error) {
    console.error(
      error instanceof Error ? error.stack ?? error.message : error,
    );
    Deno.exit(1);
  }
}
