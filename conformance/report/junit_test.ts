import assert from "node:assert/strict";
import type { RunReport } from "../runner.ts";
import { groupFindings, summarize } from "../runner.ts";
import type { ScenarioResult, Status } from "../scenario.ts";
import { formatJunitReport } from "./junit.ts";

/** An element as the small checker below reads it. */
interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: Element[];
  text: string;
}

/** Characters XML 1.0 cannot carry at all. */
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function unescape(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

/** Checks characters XML 1.0 allows in text and attribute values, with only known entities. */
function assertCharacterData(raw: string, where: string): void {
  assert.doesNotMatch(raw, /</, `raw < in ${where}`);
  assert.doesNotMatch(raw.replace(ENTITY, ""), /&/, `raw & in ${where}`);
  assert.doesNotMatch(raw, FORBIDDEN, `control character in ${where}`);
}

/**
 * A deliberately small XML reader for what the JUnit writer emits (a
 * declaration, elements, attributes in double quotes, text): it fails on
 * anything not well-formed, which is all this test needs.
 */
function parseXml(xml: string): Element {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  assert.match(xml, declaration);
  let rest = xml.replace(declaration, "");
  const root: Element = {
    name: "#root",
    attributes: {},
    children: [],
    text: "",
  };
  const stack: Element[] = [root];
  const TAG =
    /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*(\/?)>/;
  while (rest !== "") {
    const lt = rest.indexOf("<");
    const text = lt === -1 ? rest : rest.slice(0, lt);
    if (text !== "") {
      assertCharacterData(text, `text of <${stack.at(-1)!.name}>`);
      stack.at(-1)!.text += unescape(text);
    }
    if (lt === -1) break;
    rest = rest.slice(lt);
    const tag = rest.match(TAG);
    assert.ok(tag, `not a tag: ${rest.slice(0, 60)}`);
    const [whole, closing, name, rawAttributes, selfClosing] = tag;
    rest = rest.slice(whole.length);
    if (closing) {
      const open = stack.pop();
      assert.equal(open?.name, name, `</${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (
      const [, key, value] of rawAttributes.matchAll(/([\w.-]+)="([^"]*)"/g)
    ) {
      assert.equal(attributes[key], undefined, `duplicate attribute ${key}`);
      assertCharacterData(value, `${name}@${key}`);
      attributes[key] = unescape(value);
    }
    const element: Element = { name, attributes, children: [], text: "" };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  assert.equal(stack.length, 1, `unclosed <${stack.at(-1)?.name}>`);
  assert.equal(root.text.trim(), "", "text outside the root element");
  assert.equal(root.children.length, 1, "exactly one root element");
  return root.children[0];
}

function result(
  id: string,
  status: Status,
  more: Partial<ScenarioResult> = {},
): ScenarioResult {
  return {
    id,
    title: `${id} title`,
    spec: "RFC 6750 §3.1",
    rule: "token_expiry",
    level: status === "warn" ? "SHOULD" : "MUST",
    status,
    findings: status === "fail" || status === "warn"
      ? [{
        rule: status === "fail" ? "token_expiry" : "scopes_supported",
        level: status === "fail" ? "MUST" : "SHOULD",
        cite: "RFC 6750 §3.1",
        message: `${id} finding`,
        expected: "HTTP 401",
        actual: "HTTP 200",
      }]
      : [],
    notes: status === "skip" ? [`${id} does not apply`] : [],
    exchanges: [],
    durationMs: 1500,
    ...more,
  };
}

const RESULTS: readonly ScenarioResult[] = [
  result("discovery.challenge", "pass"),
  result("rejection.expired", "fail"),
  result("rejection.no_token", "warn"),
  result("scopes.tool_refused", "skip"),
  result("happy.initialize", "pass"),
];

function report(
  results: readonly ScenarioResult[],
  strict: boolean,
  url = "http://127.0.0.1:3002/mcp",
): RunReport {
  return {
    url,
    issuerUrl: "http://127.0.0.1:4444",
    live: false,
    startedAt: "2025-01-02T03:04:05.000Z",
    durationMs: 2500,
    results,
    groups: groupFindings(results),
    summary: summarize(results, strict, "2026-07-28"),
  };
}

function testcases(root: Element): Element[] {
  return root.children[0].children.filter((c) => c.name === "testcase");
}

function properties(root: Element): Record<string, string> {
  const block = root.children[0].children.find((c) => c.name === "properties");
  return Object.fromEntries(
    (block?.children ?? []).map((p) => [p.attributes.name, p.attributes.value]),
  );
}

Deno.test("formatJunitReport() writes one suite with a testcase per scenario, counts right", () => {
  const root = parseXml(formatJunitReport(report(RESULTS, false)));
  assert.equal(root.name, "testsuites");
  assert.deepEqual(root.attributes, {
    name: "mcp-scalekit conformance",
    tests: "5",
    failures: "1",
    skipped: "1",
    time: "2.500",
  });
  assert.equal(root.children.length, 1);
  assert.deepEqual(properties(root), {
    spec: "MCP 2026-07-28",
    "root cause G1":
      "[MUST] rejection.expired finding (RFC 6750 §3.1): rejection.expired",
    "root cause G2":
      "[SHOULD] rejection.no_token finding (RFC 6750 §3.1): rejection.no_token",
  });
  const [suite] = root.children;
  assert.equal(suite.name, "testsuite");
  assert.deepEqual(suite.attributes, {
    name: "http://127.0.0.1:3002/mcp",
    tests: "5",
    failures: "1",
    skipped: "1",
    time: "2.500",
    timestamp: "2025-01-02T03:04:05.000Z",
  });
  const cases = testcases(root);
  assert.deepEqual(cases.map((c) => c.name), Array(5).fill("testcase"));
  assert.deepEqual(
    cases.map((c) => c.attributes),
    RESULTS.map((r) => ({
      classname: `conformance.${r.id.split(".")[0]}`,
      name: `${r.id}: ${r.title}`,
      time: "1.500",
    })),
  );
});

Deno.test("formatJunitReport() marks each status the way CI systems read it", async (t) => {
  const cases = testcases(parseXml(formatJunitReport(report(RESULTS, false))));
  await t.step("pass: an empty testcase", () => {
    assert.deepEqual(cases[0].children, []);
    assert.equal(cases[0].text, "");
  });
  await t.step(
    "fail: a MUST failure with the first finding and details",
    () => {
      const [failure] = cases[1].children;
      assert.equal(cases[1].children.length, 1);
      assert.equal(failure.name, "failure");
      assert.deepEqual(failure.attributes, {
        type: "MUST",
        message: "rejection.expired finding",
      });
      assert.equal(
        failure.text,
        "spec: RFC 6750 §3.1\n[MUST] rejection.expired finding (root cause G1; RFC 6750 §3.1)\n  expected: HTTP 401\n  actual: HTTP 200",
      );
    },
  );
  await t.step("warn: system-out, not a failure", () => {
    assert.deepEqual(cases[2].children.map((c) => c.name), ["system-out"]);
    assert.match(
      cases[2].children[0].text,
      /^WARNING spec: RFC 6750 §3\.1\n\[SHOULD\] rejection\.no_token finding \(root cause G2/,
    );
  });
  await t.step("skip: <skipped> with the reason", () => {
    assert.deepEqual(cases[3].children, [{
      name: "skipped",
      attributes: { message: "scopes.tool_refused does not apply" },
      children: [],
      text: "",
    }]);
  });
});

Deno.test("formatJunitReport() with strict reports a warning as a SHOULD failure", () => {
  const root = parseXml(formatJunitReport(report(RESULTS, true)));
  assert.equal(root.attributes.failures, "2");
  assert.equal(root.children[0].attributes.failures, "2");
  const warned = testcases(root)[2];
  assert.deepEqual(warned.children.map((c) => [c.name, c.attributes]), [
    ["failure", { type: "SHOULD", message: "rejection.no_token finding" }],
  ]);
  assert.equal(
    testcases(root).flatMap((c) => c.children).filter((c) =>
      c.name === "failure"
    ).length,
    2,
  );
});

Deno.test("formatJunitReport() escapes markup and drops characters XML cannot carry", () => {
  const nasty = 'a & b < c > d "e" \x00\x07\x1B\x1F end';
  const results = [
    result("rejection.nasty", "fail", {
      title: nasty,
      spec: nasty,
      findings: [{
        rule: "token_expiry",
        level: "MUST",
        cite: nasty,
        message: nasty,
        expected: nasty,
        actual: "</failure><injected/>",
      }],
      notes: [nasty],
    }),
    result("scopes.nasty", "skip", { notes: [nasty] }),
    result("journey.nasty", "warn", { title: "<x>&amp;" }),
  ];
  const xml = formatJunitReport(report(results, false, 'http://x/?a=1&b="2"'));
  assert.doesNotMatch(xml, /<injected/);
  const root = parseXml(xml);
  const clean = 'a & b < c > d "e"  end';
  assert.equal(root.children[0].attributes.name, 'http://x/?a=1&b="2"');
  const [failed, skipped, warned] = testcases(root);
  assert.equal(failed.attributes.name, `rejection.nasty: ${clean}`);
  assert.equal(failed.children[0].attributes.message, clean);
  assert.equal(
    failed.children[0].text,
    `spec: ${clean}\n[MUST] ${clean} (root cause G1; ${clean})\n  expected: ${clean}\n  actual: </failure><injected/>\nnote: ${clean}`,
  );
  assert.equal(skipped.children[0].attributes.message, clean);
  assert.equal(warned.attributes.name, "journey.nasty: <x>&amp;");
});

Deno.test("formatJunitReport() writes an empty run as a well-formed empty suite", () => {
  const root = parseXml(formatJunitReport(report([], false)));
  assert.equal(root.attributes.tests, "0");
  assert.deepEqual(testcases(root), []);
});
