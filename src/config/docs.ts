/**
 * The README's settings tables, generated from `table.ts`:
 * `deno task docs:config` rewrites them between their markers, and
 * `docs_test.ts` fails when the README and the code disagree.
 *
 * @module
 */

import { type SettingSpec, type SettingsTable } from "./settings.ts";
import { DEV_SETTINGS, SETTINGS } from "./table.ts";

/** Each generated README table: its marker name and its settings. */
export const README_TABLES: readonly {
  readonly marker: string;
  readonly table: SettingsTable;
}[] = [
  { marker: "settings", table: SETTINGS },
  { marker: "dev-settings", table: DEV_SETTINGS },
];

const HEADER = ["variable", "provider", "default", "meaning"];

/**
 * The rows of a table's README rendering, header first; cells are markdown.
 * The provider column is left out when every setting applies to any provider.
 */
export function settingsRows(table: SettingsTable): string[][] {
  const specs = Object.values(table);
  const rows = [HEADER, ...specs.map(settingRow)];
  if (specs.some((spec) => spec.providers)) return rows;
  return rows.map((row) => row.filter((_, column) => column !== 1));
}

function settingRow(spec: SettingSpec): string[] {
  const code = (text: string) => `\`${text}\``;
  const names = [spec.fastmcp, spec.name].filter((n) => n !== undefined)
    .map(code).join(" / ");
  const fallback = spec.required !== undefined
    ? "required"
    : spec.default !== undefined
    ? code(spec.default)
    : spec.computedDefault ?? "";
  const meaning = [spec.doc];
  const deprecated = [spec.deprecated?.fastmcp, spec.deprecated?.name]
    .filter((n) => n !== undefined).map(code);
  if (deprecated.length > 0) {
    meaning.push(
      `Deprecated: ${
        deprecated.join(" / ")
      } (the names before win; warns once)`,
    );
  }
  if (spec.secret) meaning.push("Secret: never shown in messages");
  const cells = [
    names,
    spec.providers?.join(", ") ?? "any",
    fallback,
    meaning.join(". "),
  ];
  const bad = cells.find((cell) => cell.includes("|") || cell.includes("\n"));
  if (bad !== undefined) {
    throw new TypeError(
      `A README table cell cannot hold "|" or a line break: ${bad}`,
    );
  }
  return cells;
}

/** A markdown table; `deno fmt` aligns it. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const [header, ...body] = rows;
  return [line(header), line(header.map(() => "---")), ...body.map(line)]
    .join("\n");
}

/** The text between `marker`'s start and end comments; throws unless they occur once. */
export function readmeSection(readme: string, marker: string): string {
  const found = [...readme.matchAll(section(marker))];
  if (found.length !== 1) {
    throw new Error(
      `The README needs one "<!-- ${marker}:start … -->" … "<!-- ${marker}:end -->"`,
    );
  }
  return found[0][2];
}

/** `readme` with `marker`'s section replaced by `body`. */
export function replaceSection(
  readme: string,
  marker: string,
  body: string,
): string {
  readmeSection(readme, marker);
  return readme.replace(
    section(marker),
    (_, start, _old, end) => `${start}\n\n${body}\n\n${end}`,
  );
}

function section(marker: string): RegExp {
  return new RegExp(
    `(<!-- ${marker}:start[^>]*-->)([^]*?)(<!-- ${marker}:end -->)`,
    "g",
  );
}

async function main(): Promise<void> {
  const path = new URL("../../README.md", import.meta.url).pathname;
  let readme = await Deno.readTextFile(path);
  for (const { marker, table } of README_TABLES) {
    readme = replaceSection(readme, marker, renderTable(settingsRows(table)));
  }
  await Deno.writeTextFile(path, readme);
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", path],
  }).output();
  if (!fmt.success) throw new Error(new TextDecoder().decode(fmt.stderr));
}

if (import.meta.main) await main();
