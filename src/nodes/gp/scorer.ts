/**
 * The General Points reward (docs/paper.md §2, `score_gp_l_wo_sol` of the reference): +5 correct, −1 a legal formula
 * with the right numbers that does not give the target (or that Python's eval rejects), −2 wrong numbers, −3 an
 * illegal formula. Valid = reward ≥ −1.
 *
 * Parsing follows the reference: `json.loads(output)['formula']` (Python's json: bare NaN/Infinity accepted),
 * else the first match of `"formula": "(.*?)"`; then everything from the first `=` on is dropped and spaces are
 * removed. pipe's compact response adds two fallbacks (mode 'any', the default; mode 'paper' is the reference
 * alone): the last line starting `formula:`, else the output's first line.
 * Python eval errors — ZeroDivisionError (`1/(2-2)` with the right numbers), SyntaxError (`(1+2`, `1+`, `08`,
 * non-ASCII digits) — land in the reference's fall-through and score −1, as here.
 *
 * One departure, where the reference has no answer: a JSON `formula` that is not a string crashes it (`.replace`
 * on a non-str); here it is −3. bench/gp/reference-diff.mjs compares mode 'paper' with the reference file itself.
 */
import { checkTokenSequence, isNumberToken, pyEqualsInt, pyEval, tokenInt, tokenize } from './py-eval.js';

/** The reward classes of the reference's REWARD_FN that can occur without reference solutions. */
export const GP_REWARDS = Object.freeze({
  CORRECT_SOLUTION: 5,
  NO_SOLUTION: -1,
  INCORRECT_NUMBER: -2,
  ILLEGAL_FORMULA: -3,
} as const);

export type GpReward = (typeof GP_REWARDS)[keyof typeof GP_REWARDS];

/** Why a score was given. */
export type GpScoreReason = 'correct' | 'wrong-value' | 'eval-error' | 'wrong-numbers' | 'illegal-formula' | 'no-formula';

/** Where the formula was found in the output. */
export type GpFormulaSource = 'json' | 'regex' | 'label' | 'line' | 'none';

export interface GpScore {
  readonly reward: GpReward;
  /** reward ≥ −1: a legal formula with the right (mapped) numbers. */
  readonly valid: boolean;
  readonly reason: GpScoreReason;
  /** A human-readable explanation (what was wrong). */
  readonly detail: string;
  /** The formula as scored (after `=` removal and space stripping); null when none was found. */
  readonly formula: string | null;
  readonly source: GpFormulaSource;
}

/**
 * What scoring needs from a task: the numbers the formula must use (scoring mapping applied) and the target.
 * A GpTask has them as `values`; the reference's meta_info (RL parquet extra_info) has them as numeric
 * `display_cards`, which is accepted too.
 */
export type GpScorable =
  | { readonly values: readonly number[]; readonly target: number }
  | { readonly values?: undefined; readonly display_cards: readonly number[]; readonly target: number };

function scoringValues(task: GpScorable): readonly number[] {
  const values = task.values ?? ('display_cards' in task ? task.display_cards : undefined);
  if (!Array.isArray(values) || !values.every((v) => Number.isSafeInteger(v))) {
    throw new TypeError('scoreGp: the task needs integer `values` (or numeric `display_cards`) and a `target`');
  }
  if (!Number.isSafeInteger(task.target)) throw new TypeError('scoreGp: the task target must be an integer');
  return values;
}

/** 'paper': the reference's parsing only; 'any': also the compact `formula:` line and a bare first line. */
export type GpParseMode = 'paper' | 'any';

const FORMULA_RE = /"formula": "([^\n]*?)"/;
const LABEL_RE = /^[ \t]*formula:[ \t]*([^\n]*)$/gm;

/**
 * `json.loads` as Python's json module reads a document: standard JSON plus the bare constants `NaN`,
 * `Infinity` and `-Infinity` (replaced by null outside strings before JSON.parse, as their values never matter here).
 */
function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    let out = '';
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (inString) {
        out += ch;
        if (ch === '\\') out += text[++i] ?? '';
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      const constant = ['-Infinity', 'Infinity', 'NaN'].find((c) => text.startsWith(c, i));
      if (constant !== undefined) {
        out += 'null';
        i += constant.length - 1;
      } else out += ch;
    }
    return JSON.parse(out);
  }
}

/** The raw formula text the reference (plus pipe's compact fallbacks) reads from a model output. */
export function extractFormula(
  output: string,
  mode: GpParseMode = 'any',
): { readonly raw: string | null; readonly source: GpFormulaSource; readonly notString?: boolean } {
  try {
    const parsed: unknown = parsePythonJson(output);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.hasOwn(parsed, 'formula')) {
      const f = (parsed as Record<string, unknown>)['formula'];
      return typeof f === 'string' ? { raw: f, source: 'json' } : { raw: null, source: 'json', notString: true };
    }
  } catch {
    // not JSON: fall through to the regex, as the reference does
  }
  const m = FORMULA_RE.exec(output);
  if (m) return { raw: m[1] as string, source: 'regex' };
  if (mode === 'paper') return { raw: null, source: 'none' };
  const labels = [...output.matchAll(LABEL_RE)];
  const last = labels[labels.length - 1];
  if (last) return { raw: (last[1] as string).replace(/\r$/, ''), source: 'label' };
  const line = output.replace(/^\s+/, '').split('\n')[0] ?? '';
  return line.trim() === '' ? { raw: null, source: 'none' } : { raw: line.replace(/\r$/, ''), source: 'line' };
}

function result(
  reward: GpReward,
  reason: GpScoreReason,
  detail: string,
  formula: string | null,
  source: GpFormulaSource,
): GpScore {
  return { reward, valid: reward >= -1, reason, detail, formula, source };
}

function multisetKey(values: readonly bigint[]): string {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
}

/**
 * Scores a model output against a task, exactly as the paper's reward does (see the module comment).
 * Never throws on any output string (only on a malformed task).
 */
export function scoreGp(output: string, task: GpScorable, options: { readonly mode?: GpParseMode } = {}): GpScore {
  const taskValues = scoringValues(task);
  const { raw, source, notString } = extractFormula(output, options.mode ?? 'any');
  if (raw === null) {
    return notString
      ? result(-3, 'illegal-formula', 'the JSON "formula" field is not a string', null, source)
      : result(-3, 'no-formula', 'no formula found in the output', null, source);
  }
  const formula = (raw.split('=')[0] as string).replaceAll(' ', '');
  const tokens = tokenize(formula);
  if (tokens.join('') !== formula) {
    return result(-3, 'illegal-formula', 'characters other than digits, + - * / ( ) and spaces', formula, source);
  }
  const sequence = checkTokenSequence(tokens);
  if (sequence !== null) return result(-3, 'illegal-formula', sequence, formula, source);

  const used = tokens.filter(isNumberToken).map(tokenInt);
  const expected = taskValues.map((v) => BigInt(v));
  if (multisetKey(used) !== multisetKey(expected)) {
    return result(
      -2,
      'wrong-numbers',
      `uses [${used.join(', ')}] but the cards are worth [${expected.join(', ')}]`,
      formula,
      source,
    );
  }
  const evaluated = pyEval(formula);
  if (!evaluated.ok) return result(-1, 'eval-error', `${evaluated.error}: ${evaluated.message}`, formula, source);
  if (pyEqualsInt(evaluated.value, task.target)) return result(5, 'correct', `= ${task.target}`, formula, source);
  const shown = evaluated.value.type === 'int' ? String(evaluated.value.value) : String(evaluated.value.value);
  return result(-1, 'wrong-value', `evaluates to ${shown}, not ${task.target}`, formula, source);
}

/**
 * The parse mode that matches a response format: the reference's parsing alone for the paper's JSON answer (a bare
 * formula is then −3, as in the paper), the compact fallbacks otherwise.
 */
export function gpParseMode(format: 'paper' | 'compact'): GpParseMode {
  return format === 'paper' ? 'paper' : 'any';
}
