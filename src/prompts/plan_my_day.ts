/**
 * `plan_my_day`: a prompt that hands the model the caller's open todos and
 * asks for a plan for the day. It reads todos, so it needs `todo:read`.
 *
 * @module
 */

import { z } from "zod";
import { definePrompt, type PromptDefinition } from "./prompt.ts";

/** How many open todos the prompt quotes at most, oldest first. */
export const PLAN_MAX_TODOS = 50;

/** `plan_my_day(focus?)`: needs `todo:read`. */
export const planMyDay: PromptDefinition = definePrompt({
  name: "plan_my_day",
  title: "Plan my day",
  description:
    "Plan the day from your open todos. Requires the todo:read scope.",
  args: z.object({
    focus: z.string().max(500).optional().describe(
      "What to put first today, in your own words",
    ),
  }),
  async get(args, { store, tenant }) {
    const page = await store.list(tenant, {
      completed: false,
      limit: PLAN_MAX_TODOS,
    });
    const lines = page.todos.map((todo) =>
      `- ${todo.title}${
        todo.description ? `: ${todo.description}` : ""
      } (id ${todo.id})`
    );
    const list = page.todos.length === 0
      ? "I have no open todos."
      : `My open todos, oldest first:\n${lines.join("\n")}${
        page.nextCursor ? "\n…and more." : ""
      }`;
    const focus = args.focus ? `\nMy focus today: ${args.focus}` : "";
    return [{
      role: "user",
      text:
        `Help me plan my day. Order these by what to do first, estimate how long each takes, and suggest what to leave for later.${focus}\n\n${list}`,
    }];
  },
});

/** All prompts, in the order `prompts/list` shows them. */
export const PROMPTS: readonly PromptDefinition[] = Object.freeze([planMyDay]);
