/**
 * Prompts and answers of General Points. Prompts are template files (pipelines/templates/gp-paper.txt, the verbatim
 * `Q_GeneralPoint_EQN_L`; gp-compact.txt, the same information in few tokens) rendered with the shared template
 * renderer; every template sees the same variables, listed in `gpTemplateVars`.
 *
 * Two response formats: 'paper' is the reference's answer-only JSON target (`formatted_solution`); 'compact' is
 * one line `formula: <formula>`. The scorer accepts both.
 */
import { renderTemplate } from '../prompts/template.js';
import { faceCardCompact, faceCardMsg, resolveFaceMapping, type FaceMapping } from './face-mappings.js';

/** The response format a template expects. */
export type GpFormat = 'paper' | 'compact';

/** What a prompt shows of a task (a GpTask satisfies it). */
export interface GpPromptTask {
  readonly display_cards: readonly string[];
  readonly promptMapping: string;
  /** The stated face values; when present they are used as they are (a user-declared mapping has no name to look up). */
  readonly promptFaces?: { readonly J: number; readonly Q: number; readonly K: number };
  readonly target: number;
}

/** The mapping a task's prompt states: its own face values when it carries them, else its mapping's name. */
export function statedMapping(task: Pick<GpPromptTask, 'promptMapping' | 'promptFaces'>): FaceMapping {
  const f = task.promptFaces;
  return f === undefined ? resolveFaceMapping(task.promptMapping) : { name: task.promptMapping, J: f.J, Q: f.Q, K: f.K };
}

/** What an answer states of a task (a GpTask satisfies it). */
export interface GpAnswerTask {
  readonly display_cards: readonly string[];
  readonly values: readonly number[];
}

/** Python's repr of a list of simple strings: `['A', '5', 'K', '10']`. */
export function pyStrList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s}'`).join(', ')}]`;
}

/**
 * The variables every GP template can use:
 * `num_cards`, `target`, `face_card_msg` (the reference's sentence), `cards` (Python list repr, as the paper
 * prompt shows it), `cards_compact` (`2 A 6 J`), `faces_compact` (`J=10 Q=10 K=10`).
 */
export function gpTemplateVars(task: GpPromptTask): Record<string, string | number> {
  const mapping = statedMapping(task);
  return {
    num_cards: task.display_cards.length,
    target: task.target,
    face_card_msg: faceCardMsg(mapping),
    cards: pyStrList(task.display_cards),
    cards_compact: task.display_cards.join(' '),
    faces_compact: faceCardCompact(mapping),
  };
}

/** Renders a GP prompt from template text (the same function the dataset node and the evaluator use). */
export function renderGpPrompt(args: { readonly template: string; readonly task: GpPromptTask; readonly source?: string }): string {
  return renderTemplate(args.template, gpTemplateVars(args.task), args.source ?? 'gp template');
}

/**
 * The response format a template implies when none is given: the paper's JSON answer when the template itself
 * describes a `"formula"` field, else the compact one.
 */
export function inferGpFormat(template: string): GpFormat {
  return template.includes('"formula"') ? 'paper' : 'compact';
}

/**
 * The answer-only response for a formula: 'paper' →
 * `{\n"cards": ["A", "5", "K", "10"],\n "number": [1, 5, 10, 10],\n "formula": "<formula>"\n}`
 * ('number' holds the scoring values, as the reference's `display_card_nums`); 'compact' → `formula: <formula>`.
 */
export function formatGpAnswer(task: GpAnswerTask, formula: string, format: GpFormat): string {
  if (format === 'compact') return `formula: ${formula}`;
  const cards = `[${task.display_cards.map((c) => JSON.stringify(c)).join(', ')}]`;
  return `{\n"cards": ${cards},\n "number": [${task.values.join(', ')}],\n "formula": "${formula}"\n}`;
}
