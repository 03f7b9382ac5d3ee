// deno run --allow-read bench/http/rereport.ts FILE.json: prints the table
// and the ratios of a JSON that `deno task bench:http` wrote, as the
// current report.ts computes them.
import {
  formatReport,
  ratiosOf,
  type RoundStatistic,
  type ScenarioResult,
} from "./report.ts";

const [file, stat = "best"] = Deno.args;
if (file === undefined) {
  console.error("usage: rereport.ts FILE.json [best|median]");
  Deno.exit(2);
}
const record = JSON.parse(await Deno.readTextFile(file)) as {
  scenarios: ScenarioResult[];
  skipped?: Record<string, string>;
};
const results: ScenarioResult[] = record.scenarios.map((s) => ({
  id: s.id,
  label: s.label,
  server: s.server,
  runs: s.runs,
}));
console.log(
  formatReport(
    results,
    ratiosOf(results),
    record.skipped ?? {},
    stat as RoundStatistic,
  ),
);
