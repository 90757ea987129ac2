/**
 * General Points training rows (pure): for row i a face-card mapping (all_10, or one of the diversity pool per row,
 * balanced and shuffled), a deal with seed `seed + k` (k counts every deal attempt, so skipped seeds never
 * repeat), the prompt rendered from the template, and the response — the answer-only target, the solver-trace
 * or search CoT, or the values scaffold. Only deals with a solution that scores +5 are used, and every response is
 * checked by the scorer.
 */
import { Rng } from '../../util/rng.js';
import { gpCot, gpSearchCot, gpValuesScaffold, type GpCotStyle } from './cot.js';
import { dealTask, type GpTask } from './deal.js';
import { assertTrainingPool, TRAIN_MAPPINGS } from './face-mappings.js';
import { formatGpAnswer, renderGpPrompt, type GpFormat } from './prompt.js';
import { scoreGp } from './scorer.js';
import { trainingSpec } from './splits.js';

/** What a training row's response holds. */
export type GpResponse = 'answer' | 'cot' | 'values';

/** Options of a training set. */
export interface GpDatasetOptions {
  readonly count: number;
  readonly seed: number;
  readonly template: string;
  readonly templateName?: string;
  readonly format: GpFormat;
  /** answer-only, the full solver trace, or the values scaffold (mapped values, then the answer). */
  readonly response: GpResponse;
  /** Which CoT a `cot` response holds; default 'solver'. */
  readonly cotStyle?: GpCotStyle;
  /** The face-card pool; undefined = non-diverse (all_10 only). Checked against the test mappings. */
  readonly mappings?: readonly string[];
  readonly cards: number;
  readonly target?: number;
}

/** One row, in both of the paper's schemas (docs/paper.md §6). */
export interface GpDatasetRow {
  readonly task: GpTask;
  readonly sft: Readonly<Record<string, unknown>>;
  readonly rl: Readonly<Record<string, unknown>>;
}

/** The diversity pool used when diversity is enabled without an explicit list: the paper's eight mappings. */
export const DEFAULT_DIVERSE_POOL = TRAIN_MAPPINGS;

/** Builds the rows. Throws on a poisoned pool (a test mapping in training). */
export function* generateGpRows(options: GpDatasetOptions): Generator<GpDatasetRow> {
  const pool = assertTrainingPool(options.mappings ?? ['all_10']).map((m) => m.name);
  const rng = new Rng(options.seed);
  // Balanced assignment (count/|pool| rows each, like the reference's 8 × 1250), in a seeded random order.
  const assignment = rng.shuffle(Array.from({ length: options.count }, (_, i) => pool[i % pool.length] as string));
  const diverse = options.mappings !== undefined;
  let attempt = 0;
  for (let index = 0; index < options.count; index++) {
    const mapping = assignment[index] as string;
    const spec = trainingSpec(mapping, options.cards, options.target ?? 24);
    const respond = (task: GpTask): string | null =>
      options.response === 'cot'
        ? options.cotStyle === 'search'
          ? gpSearchCot(task, options.format)
          : gpCot(task, options.format)
        : options.response === 'values'
          ? gpValuesScaffold(task, options.format)
          : formatGpAnswer(task, task.solution, options.format);
    let task: GpTask | null = null;
    let answer: string | null = null;
    // A deal counts when it is scorable and has its response (a search CoT needs a float-exact path: rare misses).
    for (let tries = 0; answer === null; tries++) {
      if (tries > 1000) throw new Error(`gp.dataset: no solvable deal for row ${index} (mapping ${mapping})`);
      task = dealTask(spec, options.seed + attempt++, { index, require: 'scorable' });
      if (task !== null) answer = respond(task);
    }
    if (task === null) throw new Error('Internal error: gp.dataset lost its deal');
    const question = renderGpPrompt({ template: options.template, task, source: options.templateName });
    if (answer === null || scoreGp(answer, task).reward !== 5) {
      throw new Error(`Internal error: gp.dataset row ${index} has a response that does not score +5`);
    }
    const extra_info = {
      index,
      cards: task.display_cards,
      display_cards: task.values,
      solution: [task.solution],
      target: task.target,
      face_card_mapping: mapping,
    };
    const data_source = diverse ? `gp-l-${mapping}` : 'gp-l';
    yield {
      task,
      sft: { data_source, question, answer, extra_info },
      rl: { data_source, question: [{ role: 'user', content: question }], extra_info },
    };
  }
}
