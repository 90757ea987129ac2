/**
 * Solver-trace chain of thought for General Points: the solver's reduction (pick two numbers, combine, repeat until
 * the target is left) written out step by step, ending in the same answer format as answer-only rows. Every trace
 * is checked by the scorer (+5) before it is returned, so a CoT row can never teach a wrong answer.
 */
import { faceCardMsg } from './face-mappings.js';
import { formatGpAnswer, pyStrList, statedMapping, type GpFormat } from './prompt.js';
import { scoreGp } from './scorer.js';
import { gpSearchTrace } from './search-cot.js';
import { solveGpDetailed, type SolveStep } from './solver.js';

/** `solver`: the solution path the solver found; `search`: the search with its dead ends (search-cot.ts). */
export type GpCotStyle = 'solver' | 'search';

/** What a trace needs of a task (a GpTask satisfies it). */
export interface GpCotTask {
  readonly display_cards: readonly string[];
  readonly promptMapping: string;
  readonly promptFaces?: { readonly J: number; readonly Q: number; readonly K: number };
  readonly values: readonly number[];
  readonly target: number;
}

/** A non-integer rational operand is parenthesized so the step reads unambiguously: `8/(1/3)=24`. */
function operand(text: string): string {
  return text.includes('/') || text.startsWith('-') ? `(${text})` : text;
}

function stepText(s: SolveStep, spaced: boolean): string {
  const sep = spaced ? ' ' : '';
  return `${operand(s.left)}${sep}${s.op}${sep}${operand(s.right)}${sep}=${sep}${s.result}`;
}

/**
 * The CoT response for a task, or null when the task has no solution that scores +5.
 * compact: `values: 1 5 10 10\n10+10=20 (1 5 20)\n5-1=4 (4 20)\n20+4=24\nformula: 10+10+(5-1)`;
 * paper: the same steps in sentences, then the paper's JSON answer.
 */
export function gpCot(task: GpCotTask, format: GpFormat): string | null {
  const solution = solveGpDetailed(task.values, task.target);
  if (solution === null || !solution.floatExact) return null;
  const lines: string[] = [];
  const last = solution.steps.length - 1;
  if (format === 'compact') {
    lines.push(`values: ${task.values.join(' ')}`);
    solution.steps.forEach((s, i) => {
      lines.push(i === last ? stepText(s, false) : `${stepText(s, false)} (${s.remaining.join(' ')})`);
    });
  } else {
    const msg = faceCardMsg(statedMapping(task));
    lines.push(
      `The cards are ${pyStrList(task.display_cards)}. Since ${msg}, the numbers are [${task.values.join(', ')}].`,
      `I combine two numbers at a time until only ${task.target} is left.`,
    );
    solution.steps.forEach((s, i) => {
      lines.push(
        i === last
          ? `Step ${i + 1}: ${stepText(s, true)}, which is the target.`
          : `Step ${i + 1}: ${stepText(s, true)}, leaving [${s.remaining.join(', ')}].`,
      );
    });
    lines.push(`So the formula is ${solution.formula}.`);
  }
  lines.push(formatGpAnswer(task, solution.formula, format));
  const text = lines.join('\n');
  const check = scoreGp(text, task);
  if (check.reward !== 5) {
    throw new Error(`Internal error: GP CoT for [${task.values.join(', ')}] scored ${check.reward} (${check.detail})`);
  }
  return text;
}

/**
 * The search CoT response for a task (search-cot.ts), or null when the task has no solution that scores +5.
 * compact: the search lines, then `formula: …`; paper: the mapping sentence, the search lines, the paper's JSON.
 */
export function gpSearchCot(task: GpCotTask, format: GpFormat): string | null {
  const trace = gpSearchTrace(task.values, task.target);
  if (trace === null) return null;
  const head =
    format === 'compact'
      ? []
      : [`The cards are ${pyStrList(task.display_cards)}. Since ${faceCardMsg(statedMapping(task))}, I search pairs of numbers for ${task.target}.`];
  const text = [...head, ...trace.lines, formatGpAnswer(task, trace.formula, format)].join('\n');
  const check = scoreGp(text, task);
  if (check.reward !== 5) {
    throw new Error(`Internal error: GP search CoT for [${task.values.join(', ')}] scored ${check.reward} (${check.detail})`);
  }
  return text;
}

/**
 * The minimal scaffold between answer-only and the full trace: the card values under the stated mapping, then the
 * answer (`values: 3 7 10 10\nformula: 10+10+7-3`). It splits "read the mapping" from "solve", the two hops that
 * answer-only asks for at once (the small-model pilot in docs/paper.md found the analogous Sokoban scaffold learnable).
 * Null when the task has no solution that scores +5.
 */
export function gpValuesScaffold(task: GpCotTask, format: GpFormat): string | null {
  const solution = solveGpDetailed(task.values, task.target);
  if (solution === null || !solution.floatExact) return null;
  const first =
    format === 'compact'
      ? `values: ${task.values.join(' ')}`
      : `The cards are ${pyStrList(task.display_cards)}, so the numbers are [${task.values.join(', ')}].`;
  const text = `${first}\n${formatGpAnswer(task, solution.formula, format)}`;
  if (scoreGp(text, task).reward !== 5) {
    throw new Error(`Internal error: GP scaffold for [${task.values.join(', ')}] does not score +5`);
  }
  return text;
}
