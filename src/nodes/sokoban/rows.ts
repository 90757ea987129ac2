/**
 * Single-step behaviour-cloning rows (docs/paper.md §1, §6): solve each level once with BFS, walk the optimal path, and
 * turn every visited state into rows (prompt, next action) — one per vocabulary variant when diversity is on — in
 * the paper's Hugging Face schemas. Optionally also detour states: one wrong move off the path (still solvable),
 * labelled with the optimal plan from there — the states a history-free policy meets after a mistake, which pure
 * behaviour cloning never shows it. Pure: the dataset node does the I/O.
 */
import { Rng, deriveSeed } from '../../util/rng.js';
import { enclose } from './enclose.js';
import { solverTraceCot, verifyResponse, type CotStyle } from './cot.js';
import { formatResponse, parseSokobanTemplate, renderSokobanPrompt } from './prompt.js';
import { solveBfs } from './solver-bfs.js';
import { sampleVocab } from './pools.js';
import type { Vocab } from './splits.js';
import { actionId, DELTAS, DIRECTIONS, type Direction, type Level } from './types.js';

/** How `buildRows` renders rows. */
export interface RowOptions {
  readonly template: string;
  readonly templateSource?: string;
  readonly response: 'answer' | 'cot';
  readonly cotStyle: CotStyle;
  /**
   * Null = every row uses the level's own prompt vocabulary. Otherwise each state gets `variantsPerState` rows with
   * fresh vocabularies from `pool`, plus `baseVariantsPerState` rows stating the level's own vocabulary.
   */
  readonly diversity: {
    readonly pool: readonly string[];
    readonly variantsPerState: number;
    readonly baseVariantsPerState?: number;
    /** The four words of a sampled vocabulary share one length (see `sampleVocab`). */
    readonly sharedLength?: boolean;
  } | null;
  readonly seed: number;
  readonly dataSource: string;
  /** Per level, this many detour states (one non-optimal move from a path state, still solvable); default 0. */
  readonly detours?: number;
}

/** A level to turn into rows, with the vocabulary its prompts state when diversity is off. */
export interface LevelInput {
  readonly level: Level;
  readonly seed: number;
  readonly vocab: Vocab;
}

/** One SFT row in the paper's Sokoban schema (extra_info also keeps the vocabulary and the action). */
export type SftRow = {
  readonly data_source: string;
  readonly prompt: string;
  readonly response: string;
  readonly ability: string;
  readonly reward_model: { readonly style: string; readonly ground_truth: readonly number[] };
  readonly extra_info: {
    readonly split: string;
    readonly index: number;
    readonly level_seed: number;
    /** The state's step on the optimal path; a detour state has the step it left the path at. */
    readonly step: number;
    readonly vocab: readonly string[];
    readonly action: string;
    /** Present on detour rows: the wrong move that left the path. */
    readonly detour?: string;
  };
};

/** Counts reported as metrics. */
export interface RowStats {
  levels: number;
  states: number;
  detours: number;
  rows: number;
  rejected: number;
  unsolved: number;
}

/** Builds SFT rows for all levels; `onLevel` reports progress. Throws on a level BFS cannot solve. */
export function buildRows(inputs: readonly LevelInput[], options: RowOptions, onLevel?: (done: number) => void): { rows: SftRow[]; stats: RowStats } {
  const template = parseSokobanTemplate(options.template);
  const rows: SftRow[] = [];
  const stats: RowStats = { levels: 0, states: 0, detours: 0, rows: 0, rejected: 0, unsolved: 0 };
  inputs.forEach((input, li) => {
    const level = enclose(input.level); // offsets below need a wall frame; generated levels already have one
    const solved = solveBfs(level);
    if (!solved.solvable) {
      throw new Error(`level ${li} (seed ${input.seed}) is not solvable (${solved.status}); cannot make rows`);
    }
    stats.levels++;
    const variants = options.diversity?.variantsPerState ?? 1;
    const baseVariants = options.diversity?.baseVariantsPerState ?? 0;
    /** Rows for one state whose optimal plan is `plan`; `seedParts` make its vocabularies its own. */
    const emit = (state: Level, plan: readonly Direction[], step: number, seedParts: readonly unknown[], detour?: Direction): void => {
      const action = plan[0] as Direction;
      for (let v = 0; v < variants + baseVariants; v++) {
        const vocab =
          options.diversity === null || v >= variants
            ? input.vocab
            : sampleVocab(options.diversity.pool, new Rng(deriveSeed(options.seed, input.seed, ...seedParts, v)), options.diversity.sharedLength);
        const think = options.response === 'cot' ? solverTraceCot(state, plan, vocab, options.cotStyle) : '';
        const response = formatResponse({ template, direction: action, vocab, think, source: options.templateSource });
        if (options.response === 'cot' && verifyResponse(state, response, vocab, action) !== null) {
          stats.rejected++;
          continue;
        }
        rows.push({
          data_source: options.dataSource,
          prompt: renderSokobanPrompt({ template, grid: state, vocab, source: options.templateSource }),
          response,
          ability: 'bfs',
          reward_model: { style: 'rule', ground_truth: [actionId(action)] },
          extra_info: { split: 'train', index: rows.length, level_seed: input.seed, step, vocab: [...vocab], action, ...(detour !== undefined ? { detour } : {}) },
        });
      }
    };
    const plan = solved.actions;
    const path: Level[] = [];
    let state = level;
    for (let step = 0; step < plan.length; step++) {
      stats.states++;
      path.push(state);
      emit(state, plan.slice(step), step, [step]);
      state = applyMove(state, plan[step] as Direction);
    }
    for (const d of pickDetours(path, plan, options.detours ?? 0, new Rng(deriveSeed(options.seed, input.seed, 'detours')))) {
      stats.detours++;
      emit(d.state, d.plan, d.step, ['detour', d.step, d.move], d.move);
    }
    onLevel?.(li + 1);
  });
  stats.rows = rows.length;
  return { rows, stats };
}

/** A state one wrong move off the optimal path, with the optimal plan from there. */
interface Detour {
  readonly state: Level;
  readonly plan: readonly Direction[];
  readonly step: number;
  readonly move: Direction;
}

/**
 * Up to `count` detours, drawn without replacement from every (path state, non-optimal move that changes the state)
 * pair whose result is off the path and still solvable; candidates are tried in a seeded order, so only the ones
 * kept are solved.
 */
function pickDetours(path: readonly Level[], plan: readonly Direction[], count: number, rng: Rng): Detour[] {
  if (count <= 0) return [];
  const key = (l: Level): string => `${l.player}:${l.boxes.join(',')}`;
  const onPath = new Set(path.map(key));
  const candidates: { step: number; move: Direction; state: Level }[] = [];
  path.forEach((state, step) => {
    for (const move of DIRECTIONS) {
      if (move === plan[step]) continue;
      const next = applyMove(state, move);
      if (next !== state && !onPath.has(key(next))) candidates.push({ step, move, state: next });
    }
  });
  const seen = new Set<string>();
  const out: Detour[] = [];
  for (const i of rng.shuffle(candidates.map((_, i) => i))) {
    if (out.length === count) break;
    const c = candidates[i] as (typeof candidates)[number];
    if (seen.has(key(c.state))) continue;
    seen.add(key(c.state));
    const solved = solveBfs(c.state);
    if (solved.solvable && solved.actions.length > 0) out.push({ ...c, plan: solved.actions });
  }
  return out;
}

/** The position after one move (push rules as in the environment); the level must have a wall frame. */
export function applyMove(level: Level, dir: Direction): Level {
  const [dr, dc] = DELTAS[dir];
  const off = dr * level.cols + dc;
  const to = level.player + off;
  if (level.walls[to] !== 0) return level;
  const boxes = [...level.boxes];
  const i = boxes.indexOf(to);
  if (i >= 0) {
    const beyond = to + off;
    if (level.walls[beyond] !== 0 || boxes.includes(beyond)) return level;
    boxes[i] = beyond;
    boxes.sort((a, b) => a - b);
  }
  return { ...level, player: to, boxes };
}

/** The RL row of an SFT row: same fields, prompt as a chat message list, no response. */
export function toRlRow(row: SftRow): Omit<SftRow, 'prompt' | 'response'> & { prompt: { role: string; content: string }[] } {
  const { prompt, response: _response, ...rest } = row;
  return { ...rest, prompt: [{ role: 'user', content: prompt }] };
}
