/**
 * `--check-config`: the effective settings, secrets masked, every warning
 * and every problem, as text for a person at a terminal. The facts come
 * from `describeConfig()` (`src/config/load.ts`); this module only lays
 * them out.
 *
 * @module
 */

import { describeConfig, type Env, loadConfig } from "../config/load.ts";

/** What {@link checkConfig} returns. */
export interface ConfigCheck {
  /** The report, lines ending in `\n`. */
  readonly text: string;
  /** `true` when the server would start with this configuration. */
  readonly valid: boolean;
}

/**
 * Describes the configuration `env` gives, without serving.
 *
 * @example
 * ```ts
 * import { checkConfig } from "./check_config.ts";
 *
 * const { valid, text } = checkConfig({ FASTMCP_SERVER_AUTH: "none" });
 * valid; // true
 * text.includes("PORT"); // true
 * ```
 */
export function checkConfig(env: Env): ConfigCheck {
  const { provider, settings, warnings, problems } = describeConfig(env);
  const rows = settings.map((s) => [
    s.variable ?? s.variables[0] ?? s.key,
    s.value ?? "(unset)",
    s.source,
  ]);
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = [
    `Provider: ${provider ?? "(none chosen)"}`,
    "",
    "Effective settings (variable, value, source):",
    ...rows.map(([name, value, source]) =>
      `  ${name.padEnd(widths[0])}  ${value.padEnd(widths[1])}  ${source}`
    ),
  ];
  if (problems.length === 0) {
    // Only a valid configuration has an endpoint to show.
    const { config } = loadConfig(env);
    lines.push(
      "",
      `MCP endpoint:                ${config.mcpUrl}`,
      `Protected resource metadata: ${config.resourceMetadataUrl}`,
    );
  }
  lines.push("", `Warnings: ${warnings.length === 0 ? "none" : ""}`.trimEnd());
  for (const w of warnings) lines.push(`  - [${w.code}] ${w.message}`);
  if (problems.length === 0) {
    lines.push("", "The configuration is valid.");
  } else {
    lines.push(
      "",
      `Problems (${problems.length}), the server would not start:`,
    );
    for (const p of problems) lines.push(`  - ${p.message}`);
  }
  return { text: lines.join("\n") + "\n", valid: problems.length === 0 };
}
