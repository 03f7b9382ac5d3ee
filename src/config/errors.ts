/**
 * The one error configuration loading throws: it lists every problem found,
 * so an operator fixes the environment in one go.
 *
 * @module
 */

/** One thing wrong with the environment. */
export interface ConfigProblem {
  /** The variable to change (for a prefixed/plain pair, the prefixed name). */
  readonly variable: string;
  /** What is wrong and what to set, naming the variable; no trailing period. */
  readonly message: string;
}

/** Stable codes of {@link ConfigError}. */
export type ConfigErrorCode = "invalid_config";

/**
 * Thrown by `loadConfig()` when the environment cannot give a working
 * configuration. `message` has one line per problem; branch on `code` and
 * read `problems`, never parse the message.
 */
export class ConfigError extends Error {
  /** Always `invalid_config`. */
  readonly code: ConfigErrorCode = "invalid_config";
  /** Every problem found, in the order found; never empty. */
  readonly problems: readonly ConfigProblem[];

  /**
   * @param problems every problem found; at least one
   * @param options standard error options (`cause`)
   */
  constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(describeProblems(problems), options);
    this.name = "ConfigError";
    this.problems = Object.freeze(
      problems.map((p) =>
        Object.freeze({ variable: p.variable, message: p.message })
      ),
    );
  }
}

function describeProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1
    ? "1 problem"
    : `${problems.length} problems`;
  const lines = problems.map((p) => `- ${p.message}`);
  return [`The configuration is invalid (${count}):`, ...lines].join("\n");
}
