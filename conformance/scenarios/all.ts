/**
 * Every scenario, in the order they run: discovery first (what a client
 * sees first), then Origin and CORS, refusals, scopes, the happy path and
 * whole journeys.
 *
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { DISCOVERY_SCENARIOS } from "./discovery.ts";
import { HAPPY_PATH_SCENARIOS } from "./happy_path.ts";
import { HTTP_SCENARIOS } from "./http.ts";
import { JOURNEY_SCENARIOS } from "./journey.ts";
import { REJECTION_SCENARIOS } from "./rejection.ts";
import { SCOPE_SCENARIOS } from "./scopes.ts";

/** All scenarios. */
export const ALL_SCENARIOS: readonly Scenario[] = Object.freeze([
  ...DISCOVERY_SCENARIOS,
  ...HTTP_SCENARIOS,
  ...REJECTION_SCENARIOS,
  ...SCOPE_SCENARIOS,
  ...HAPPY_PATH_SCENARIOS,
  ...JOURNEY_SCENARIOS,
]);

/**
 * The scenarios `only` and `skip` select: each entry is a whole id
 * (`rejection.expired`) or a group (`rejection`).
 */
export function selectScenarios(
  scenarios: readonly Scenario[],
  only: readonly string[],
  skip: readonly string[],
): Scenario[] {
  const matches = (id: string, prefix: string) =>
    id === prefix ||
    id.startsWith(prefix.endsWith(".") ? prefix : `${prefix}.`);
  return scenarios.filter((scenario) =>
    (only.length === 0 || only.some((p) => matches(scenario.id, p))) &&
    !skip.some((p) => matches(scenario.id, p))
  );
}
