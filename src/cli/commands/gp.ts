/**
 * `pipe gp solve|deal|score` — General Points task tools for people and tests; JSON on stdout, one object per line.
 * Bad input (unknown card symbol, rank out of range, malformed JSON line) is reported naming the card or line and
 * exits 2; in `solve --batch` a bad line yields an error object and the remaining lines are still solved.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { defineCommand } from '../command-spec.js';
import {
  cardSymbol,
  dealTask,
  FACE_MAPPINGS,
  formatGpAnswer,
  gpCot,
  gpValuesScaffold,
  inferGpFormat,
  renderGpPrompt,
  GP_SPLIT_NAMES,
  MAX_RANK,
  MIN_RANK,
  parseCard,
  rankValue,
  resolveFaceMapping,
  resolveGpSplit,
  scoreGp,
  solveGpDetailed,
  type FaceMapping,
} from '../../nodes/gp/api.js';
import { InputError, isInputError } from '../input-error.js';

/** Where the command reads and writes (injectable so tests need no subprocess). */
export interface GpIo {
  readonly lines: () => AsyncIterable<string>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: GpIo = {
  lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

const USAGE = `Usage: pipe gp <solve|deal|render|score> [options]

  solve --cards A,5,K,10 [--faces all_10] [--target 24]
  solve --batch [--faces all_10] [--target 24]
        reads JSON lines {"cards": [..], "target": 24} (cards: symbols or ranks 1..19; optional "faces" per line)
        and writes {"cards", "values", "target", "solvable", "formula", "scores"} per line
  deal  --split <${GP_SPLIT_NAMES.join('|')}> [--count 1] [--seed 42]
        one task per line (seed, seed+1, …)
  render --split <split> [--seed 42] [--template pipelines/templates/gp-compact.txt] [--response answer|cot|values]
        [--text]   the prompt a model sees and the training response for it ({"prompt", "response"}; --text: raw)
  score --cards A,5,K,10 --formula "10*(5-1)/..." [--faces all_10] [--target 24]
        --formula takes a formula or a whole model output; writes {"reward", "valid", "reason", "detail", "formula"}

Cards: A, 2..10, J, Q, K, 14..19 (or ranks ${MIN_RANK}..${MAX_RANK}). --faces: the mapping J/Q/K count as
(${Object.keys(FACE_MAPPINGS).join(', ')}). Exit codes: 0 ok, 2 bad input.
`;


/** The exhaustive search grows ~50× per card: 6 unsolvable cards take seconds, 7 would take minutes. */
const MAX_CARDS = 6;

function parseInt10(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^-?[0-9]+$/.test(text.trim())) throw new InputError(`${what} must be an integer, got '${text}'`);
  return Number(text);
}

function faces(name: string | undefined): FaceMapping {
  try {
    return resolveFaceMapping(name ?? 'all_10');
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

/** A card given as a symbol string or a rank number. */
function rankOf(card: unknown): number {
  try {
    if (typeof card === 'number') {
      if (!Number.isInteger(card) || card < MIN_RANK || card > MAX_RANK) {
        throw new InputError(`card ${card} is out of range ${MIN_RANK}..${MAX_RANK}`);
      }
      return card;
    }
    if (typeof card === 'string') return parseCard(card);
  } catch (e) {
    throw e instanceof InputError ? e : new InputError((e as Error).message);
  }
  throw new InputError(`a card must be a symbol or a rank, got ${JSON.stringify(card)}`);
}

function parseCardList(text: string | undefined): number[] {
  if (text === undefined || text.trim() === '') throw new InputError('--cards is required, e.g. --cards A,5,K,10');
  return text
    .split(/[,\s]+/)
    .filter((c) => c !== '')
    .map(rankOf);
}

function solveLine(cards: readonly unknown[], ranks: readonly number[], mapping: FaceMapping, target: number) {
  const values = ranks.map((r) => rankValue(r, mapping));
  const solution = solveGpDetailed(values, target);
  return {
    cards,
    values,
    target,
    solvable: solution !== null,
    formula: solution?.formula ?? null,
    scores: solution?.floatExact ?? false,
  };
}

async function solveBatch(io: GpIo, mapping: FaceMapping, target: number): Promise<number> {
  let bad = 0;
  let n = 0;
  for await (const raw of io.lines()) {
    n++;
    const line = raw.trim();
    if (line === '') continue;
    try {
      let spec: unknown;
      try {
        spec = JSON.parse(line);
      } catch (e) {
        throw new InputError(`malformed JSON (${(e as Error).message})`);
      }
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
        throw new InputError('expected an object like {"cards": ["A", 5, "K", 10], "target": 24}');
      }
      const o = spec as Record<string, unknown>;
      if (!Array.isArray(o['cards']) || o['cards'].length === 0) throw new InputError('"cards" must be a non-empty list');
      if (o['cards'].length > MAX_CARDS) throw new InputError(`at most ${MAX_CARDS} cards, got ${o['cards'].length}`);
      const t = o['target'] ?? target;
      if (typeof t !== 'number' || !Number.isSafeInteger(t)) throw new InputError('"target" must be an integer');
      if (o['faces'] !== undefined && typeof o['faces'] !== 'string') throw new InputError('"faces" must be a string');
      const m = o['faces'] === undefined ? mapping : faces(o['faces'] as string);
      io.out(JSON.stringify(solveLine(o['cards'], o['cards'].map(rankOf), m, t)) + '\n');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      bad++;
      io.out(JSON.stringify({ line: n, error: e.message }) + '\n');
      io.err(`pipe gp solve: line ${n}: ${e.message}\n`);
    }
  }
  return bad > 0 ? 2 : 0;
}

async function solve(args: readonly string[], io: GpIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      cards: { type: 'string' },
      faces: { type: 'string' },
      target: { type: 'string' },
      batch: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const mapping = faces(values.faces);
  const target = parseInt10(values.target, '--target', 24);
  if (values.batch) {
    if (values.cards !== undefined) throw new InputError('--batch reads cards from stdin; drop --cards');
    return solveBatch(io, mapping, target);
  }
  const ranks = parseCardList(values.cards);
  if (ranks.length > MAX_CARDS) throw new InputError(`at most ${MAX_CARDS} cards, got ${ranks.length}`);
  io.out(JSON.stringify(solveLine(ranks.map(cardSymbol), ranks, mapping, target)) + '\n');
  return 0;
}

/** The split named by `--split`, or an input error listing the known ones. */
function requireSplit(name: string | undefined): ReturnType<typeof resolveGpSplit> {
  if (name === undefined) throw new InputError(`--split is required (${GP_SPLIT_NAMES.join(', ')})`);
  try {
    return resolveGpSplit(name);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

async function deal(args: readonly string[], io: GpIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { split: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const split = requireSplit(values.split);
  const count = parseInt10(values.count, '--count', 1);
  const seed = parseInt10(values.seed, '--seed', 42);
  if (count < 1 || count > 1_000_000) throw new InputError('--count must be in 1..1000000');
  if (seed < 0 || seed + count - 1 > 0xffffffff) throw new InputError('--seed must be in 0..4294967295');
  for (let i = 0; i < count; i++) {
    const task = dealTask(split, seed + i, { index: i });
    if (task === null) io.err(`pipe gp deal: task ${i} (seed ${seed + i}) skipped: no solvable deal in 51 tries\n`);
    else io.out(JSON.stringify(task) + '\n');
  }
  return 0;
}

const DEFAULT_TEMPLATE = new URL('../../../pipelines/templates/gp-compact.txt', import.meta.url);

async function render(args: readonly string[], io: GpIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      split: { type: 'string' },
      seed: { type: 'string' },
      template: { type: 'string' },
      response: { type: 'string', default: 'answer' },
      text: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const split = requireSplit(values.split);
  const seed = parseInt10(values.seed, '--seed', 42);
  if (seed < 0 || seed > 0xffffffff) throw new InputError('--seed must be in 0..4294967295');
  const kind = values.response;
  if (kind !== 'answer' && kind !== 'cot' && kind !== 'values') {
    throw new InputError(`--response must be answer, cot or values, got '${kind}'`);
  }
  let template: string;
  try {
    template = await readFile(values.template ?? DEFAULT_TEMPLATE, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read template ${values.template ?? DEFAULT_TEMPLATE.pathname}: ${(e as Error).message}`);
  }
  const task = dealTask(split, seed);
  if (task === null) throw new InputError(`split ${split.name}, seed ${seed}: no solvable deal in 51 tries`);
  let prompt: string;
  try {
    prompt = renderGpPrompt({ template, task, source: values.template ?? 'gp-compact.txt' });
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  const format = inferGpFormat(template);
  const response =
    kind === 'cot'
      ? gpCot(task, format)
      : kind === 'values'
        ? gpValuesScaffold(task, format)
        : formatGpAnswer(task, task.solution, format);
  if (values.text) io.out(`${prompt}${response ?? '(no response: this task has no solution that scores +5)'}\n`);
  else io.out(JSON.stringify({ split: split.name, seed, prompt, response }) + '\n');
  return 0;
}

async function score(args: readonly string[], io: GpIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      cards: { type: 'string' },
      formula: { type: 'string' },
      faces: { type: 'string' },
      target: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const ranks = parseCardList(values.cards);
  if (values.formula === undefined) throw new InputError('--formula is required');
  const mapping = faces(values.faces);
  const target = parseInt10(values.target, '--target', 24);
  const s = scoreGp(values.formula, { values: ranks.map((r) => rankValue(r, mapping)), target });
  io.out(
    JSON.stringify({ reward: s.reward, valid: s.valid, reason: s.reason, detail: s.detail, formula: s.formula }) + '\n',
  );
  return 0;
}

/** Runs `pipe gp …` against the given IO; returns the exit code. */
export async function runGp(args: readonly string[], io: GpIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help')) {
    io.out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const handlers: Record<string, (a: readonly string[], io: GpIo) => Promise<number>> = { solve, deal, render, score };
  const handler = handlers[sub];
  if (handler === undefined) {
    io.err(`pipe gp: unknown subcommand '${sub}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await handler(rest, io);
  } catch (e) {
    if (isInputError(e)) {
      io.err(`pipe gp ${sub}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

/** `pipe gp …` (it parses its own subcommands' arguments). */
export const spec = defineCommand({
  name: 'gp',
  group: 'Tasks and models',
  rank: 2,
  summary: "General Points solver, dealing, the paper's scorer",
  passThrough: { subcommands: ['solve', 'deal', 'render', 'score'], usage: USAGE },
  action: (args, _opts, ctx) => runGp(args, ctx.out !== undefined ? { ...processIo, out: ctx.out, err: ctx.err ?? processIo.err } : processIo),
});
