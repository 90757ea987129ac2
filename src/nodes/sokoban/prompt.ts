/**
 * Prompts and responses, shared by the dataset node, the evaluator and the GRPO reward so that training and
 * evaluation see byte-identical text. A Sokoban template file is the prompt, optionally followed by a line
 * `--- response ---` and the response template. Prompt placeholders: `{{grid}}` (paper rendering),
 * `{{gridCompact}}`, `{{answers}}` (the `<answer> w </answer> | …` line), `{{mapping}}` (`where w1 is Up, …`, empty
 * for the base vocabulary), `{{actionMap}}` (`w1=Up w2=Down w3=Left w4=Right`), `{{up}}` `{{down}}` `{{left}}`
 * `{{right}}`. Response placeholders: `{{think}}` (empty for answer-only), `{{answer}}` (the word), `{{direction}}`.
 * One trailing newline of each section is not part of it.
 *
 * The `paper` template (pipelines/templates/sokoban-paper.txt) reproduces the reference prompt. docs/paper.md §1 describes
 * `Decide the next action:\` with a trailing backslash, but in the reference source that backslash is a Python
 * line continuation inside INSTRUCTION_TEMPLATE, so the real prompt has none: with it removed a 6×6 ID prompt is
 * 802 characters, exactly the length of every prompt in the paper's `cot-sokoban` set.
 */
import { renderTemplate } from '../prompts/template.js';
import { parseLevel } from './level.js';
import { renderGrid, renderGridCompact } from './render.js';
import { BASE_VOCAB, lookupWord, normalizeWord, resolveSplit, type SokobanSplit, type Vocab } from './splits.js';
import { DIRECTIONS, type Direction, type Level } from './types.js';

/** The line that separates the prompt from the response template in a template file. */
export const RESPONSE_MARKER = '--- response ---';

/** Response template used when a template file has none. */
export const DEFAULT_RESPONSE_TEMPLATE = '{{#think}}{{think}}\n{{/think}}<answer>{{answer}}</answer>';

/** A template file split into its prompt and response templates. */
export interface SokobanTemplate {
  readonly prompt: string;
  readonly response: string;
}

/** Splits a template file's text into its prompt and response templates. */
export function parseSokobanTemplate(text: string): SokobanTemplate {
  const normalized = text.replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  const at = lines.findIndex((l) => l.trim() === RESPONSE_MARKER);
  if (at < 0) return { prompt: dropFinalNewline(normalized), response: DEFAULT_RESPONSE_TEMPLATE };
  return {
    prompt: lines.slice(0, at).join('\n'),
    response: dropFinalNewline(lines.slice(at + 1).join('\n')),
  };
}

function dropFinalNewline(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

function asTemplate(template: string | SokobanTemplate): SokobanTemplate {
  return typeof template === 'string' ? parseSokobanTemplate(template) : template;
}

/** True when a vocabulary is the base one (Up, Down, Left, Right in order): no `where …` line is shown. */
export function isBaseVocab(vocab: Vocab): boolean {
  return vocab.every((w, i) => normalizeWord(w) === normalizeWord(BASE_VOCAB[i] as string));
}

/** The template variables a vocabulary fills (also useful to callers writing their own templates). */
export function vocabVars(vocab: Vocab): Record<string, string> {
  const [up, down, left, right] = vocab;
  return {
    answers: vocab.map((w) => `<answer> ${w} </answer>`).join(' | '),
    mapping: isBaseVocab(vocab) ? '' : `where ${vocab.map((w, i) => `${w} is ${DIRECTIONS[i]}`).join(', ')}.`,
    actionMap: vocab.map((w, i) => `${w}=${DIRECTIONS[i]}`).join(' '),
    up,
    down,
    left,
    right,
  };
}

/** Inputs of `renderSokobanPrompt`. */
export interface PromptOptions {
  /** The template file's text (or an already split template). */
  readonly template: string | SokobanTemplate;
  /** The position: a `Level`, or level text (grid rendering or XSB). */
  readonly grid: Level | string;
  /** The vocabulary stated in the prompt; defaults to the split's `promptVocab`, else the base vocabulary. */
  readonly vocab?: Vocab;
  readonly split?: string | SokobanSplit;
  /** Name used in template errors (e.g. the file path). */
  readonly source?: string;
}

/** Renders the prompt for one position. The SAME function builds training rows and evaluation prompts. */
export function renderSokobanPrompt(options: PromptOptions): string {
  const level = typeof options.grid === 'string' ? parseLevel(options.grid) : options.grid;
  const vocab = options.vocab ?? (options.split !== undefined ? resolveSplit(options.split).promptVocab : BASE_VOCAB);
  const vars = { ...vocabVars(vocab), grid: renderGrid(level), gridCompact: renderGridCompact(level) };
  return renderTemplate(asTemplate(options.template).prompt, vars, options.source);
}

/** Inputs of `formatResponse`. */
export interface ResponseOptions {
  readonly template: string | SokobanTemplate;
  /** The action to answer. */
  readonly direction: Direction;
  /** The vocabulary stated in the prompt: the answer is the word it binds to `direction`. */
  readonly vocab?: Vocab;
  /** Reasoning text (CoT); omit or '' for answer-only. */
  readonly think?: string;
  readonly source?: string;
}

/** The target response for an action (answer-only or with a CoT), in the template's response format. */
export function formatResponse(options: ResponseOptions): string {
  const vocab = options.vocab ?? BASE_VOCAB;
  const answer = vocab[DIRECTIONS.indexOf(options.direction)];
  if (answer === undefined) throw new Error(`unknown direction ${JSON.stringify(options.direction)}`);
  return renderTemplate(
    asTemplate(options.template).response,
    { think: options.think ?? '', answer, direction: options.direction },
    options.source,
  );
}

/** The response template of a template file (what a model is expected to write), e.g. for docs and checks. */
export function answerFormat(template: string | SokobanTemplate): string {
  return asTemplate(template).response;
}

/** The text inside the first `<answer>…</answer>`, trimmed; null when there is none. */
export function extractAnswer(output: string): string | null {
  const m = /<answer>([\s\S]*?)<\/answer>/.exec(output);
  return m === null ? null : (m[1] as string).trim();
}

/**
 * The action a model output selects: the first `<answer>…</answer>`, trimmed, case-insensitive, mapped through
 * the environment's vocabulary. Null (invalid: uses a turn, executes nothing) when absent or unmappable.
 */
export function parseAction(modelOutput: string, envVocab: Vocab | SokobanSplit): Direction | null {
  const vocab = 'envVocab' in envVocab ? envVocab.envVocab : envVocab;
  const answer = extractAnswer(modelOutput);
  return answer === null ? null : lookupWord(answer, vocab);
}

function count(text: string, tag: string): number {
  return text.split(tag).length - 1;
}

/**
 * Whether a response has the required shape: exactly one `<answer>` and one `</answer>` (in that order), at most
 * one `<think>`/`</think>`, and any `</think>` before the answer (the prompt itself opens `<think>`).
 */
export function isWellFormedResponse(output: string): boolean {
  if (count(output, '<answer>') !== 1 || count(output, '</answer>') !== 1) return false;
  if (count(output, '<think>') > 1 || count(output, '</think>') > 1) return false;
  const open = output.indexOf('<answer>');
  if (output.indexOf('</answer>') < open) return false;
  const endThink = output.indexOf('</think>');
  return endThink < 0 || endThink < open;
}

/**
 * GRPO's single-step reward (docs/paper.md §6): 1 when the response is well formed and its first answer, read through
 * the vocabulary the prompt stated, is the BFS action; else 0.
 */
export function sokobanStepReward(output: string, promptVocab: Vocab, bfsAction: Direction | number): 0 | 1 {
  const target = typeof bfsAction === 'number' ? DIRECTIONS[bfsAction - 1] : bfsAction;
  if (target === undefined) throw new Error(`bfsAction must be a direction or an action id 1..4, got ${bfsAction}`);
  if (!isWellFormedResponse(output)) return 0;
  return parseAction(output, promptVocab) === target ? 1 : 0;
}
