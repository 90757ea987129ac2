/**
 * The paper's headline effects, measured: for each effect (one method against another on one split, or pooled over
 * the non-Fake splits), the paper's difference beside pipe's, with a 95 % interval for pipe's difference of two
 * proportions (Newcombe's hybrid score interval, built from the two Wilson intervals: method 10 of Newcombe 1998),
 * whether the directions agree, whether the interval excludes 0, and a note when the seeds disagree more than the
 * interval says. Pure: summaries in, rows out.
 */
import { wilsonInterval } from '../eval/wilson.js';
import type { EvalSummary } from '../eval/summary.js';

/** A 95 % interval for p2 − p1 where p1 = k1/n1 and p2 = k2/n2 (Newcombe's method 10). */
export function newcombeInterval(k1: number, n1: number, k2: number, n2: number): { readonly low: number; readonly high: number } {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const w1 = wilsonInterval(k1, n1);
  const w2 = wilsonInterval(k2, n2);
  const d = p2 - p1;
  return {
    low: d - Math.sqrt((p2 - w2.low) ** 2 + (w1.high - p1) ** 2),
    high: d + Math.sqrt((w2.high - p2) ** 2 + (p1 - w1.low) ** 2),
  };
}

/** One headline effect of the paper: `to` minus `from` on `split` ('non-fake': pooled over every non-Fake split). */
export interface HeadlineEffect {
  readonly task: 'sokoban' | 'gp';
  readonly claim: string;
  readonly split: string;
  readonly from: string;
  readonly to: string;
  /** The paper's success rates (as transcribed, Qwen2.5-7B), for `from` and `to`. */
  readonly paperFrom: number;
  readonly paperTo: number;
}

/** Mean of the paper's non-Fake cells of a method row (docs/paper.md, main table). */
const mean = (xs: readonly number[]): number => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;

/**
 * The paper's eight headline effects (docs/paper.md): diversity on Sokoban instruction variants and Fake, CoT on
 * difficulty variants, diversity on General Points face-card variants, diversity + CoT against GRPO.
 * Method names are the study pipelines' (`sft` = answer-only).
 */
export const HEADLINE_EFFECTS: readonly HeadlineEffect[] = [
  { task: 'sokoban', claim: 'diversity lifts an instruction variant', split: 'SimpleSokobanNumerical', from: 'sft', to: 'diverse', paperFrom: 0, paperTo: 0.89 },
  { task: 'sokoban', claim: 'diversity collapses Fake', split: 'FakeSokobanNumerical', from: 'sft', to: 'diverse', paperFrom: 0.93, paperTo: 0 },
  { task: 'sokoban', claim: 'CoT lifts a difficulty variant', split: 'TwoBoxesSokoban', from: 'sft', to: 'cot', paperFrom: 0.35, paperTo: 0.57 },
  { task: 'gp', claim: 'CoT lifts a difficulty variant', split: 'large', from: 'sft', to: 'cot', paperFrom: 0.02, paperTo: 0.8 },
  { task: 'gp', claim: 'diversity lifts a face-card variant', split: 'all_5', from: 'sft', to: 'diverse', paperFrom: 0.23, paperTo: 0.71 },
  { task: 'gp', claim: 'diversity lifts a face-card variant', split: 'all_7', from: 'sft', to: 'diverse', paperFrom: 0.25, paperTo: 0.7 },
  {
    task: 'sokoban',
    claim: 'diversity + CoT beats GRPO',
    split: 'non-fake',
    from: 'grpo',
    to: 'diverse-cot',
    paperFrom: mean([0.9, 0.34, 0.1, 0.36, 0.55, 0.69, 0.76]),
    paperTo: mean([1, 0.74, 0.4, 0.58, 1, 0.98, 0.97]),
  },
  {
    task: 'gp',
    claim: 'diversity + CoT beats GRPO',
    split: 'non-fake',
    from: 'grpo',
    to: 'diverse-cot',
    paperFrom: mean([0.93, 0.8, 0.8, 0.87, 0.82, 0.69, 0.22]),
    paperTo: mean([0.96, 0.89, 0.93, 0.93, 0.9, 0.84, 0.29]),
  },
];

/** An effect as measured. Null fields: the study has no evaluation of that method or split. */
export interface EffectRow {
  readonly effect: HeadlineEffect;
  readonly paperDelta: number;
  /** Pooled over seeds: successes / episodes of each method. */
  readonly from: { readonly successes: number; readonly episodes: number } | null;
  readonly to: { readonly successes: number; readonly episodes: number } | null;
  readonly delta: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** Per-seed differences (seeds paired in node-id order), when both methods have the same number of seeds > 1. */
  readonly seedDeltas: readonly number[];
  /** The per-seed differences span more than the interval's width. */
  readonly spreadExceedsInterval: boolean;
  readonly sameDirection: boolean | null;
  readonly excludesZero: boolean | null;
}

const isFake = (split: string): boolean => split.toLowerCase().includes('fake');

/** Successes and episodes of one evaluator node on a split (or pooled over its non-Fake splits); null if absent. */
function counts(summary: EvalSummary, split: string): { successes: number; episodes: number } | null {
  const chosen = summary.splits.filter((s) => (split === 'non-fake' ? !isFake(s.split) : s.split.toLowerCase() === split.toLowerCase()));
  if (chosen.length === 0) return null;
  return { successes: chosen.reduce((a, s) => a + s.successes, 0), episodes: chosen.reduce((a, s) => a + s.episodes, 0) };
}

function pooled(list: readonly { successes: number; episodes: number }[]): { successes: number; episodes: number } | null {
  if (list.length === 0) return null;
  return { successes: list.reduce((a, c) => a + c.successes, 0), episodes: list.reduce((a, c) => a + c.episodes, 0) };
}

/** Measures every effect on the summaries of a study (any order; seeds of a method are its several nodes). */
export function measureEffects(summaries: readonly EvalSummary[], effects: readonly HeadlineEffect[] = HEADLINE_EFFECTS): EffectRow[] {
  return effects.map((effect) => {
    const of = (method: string): { successes: number; episodes: number }[] =>
      summaries
        .filter((s) => s.task === effect.task && s.method === method)
        .sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }))
        .flatMap((s) => {
          const c = counts(s, effect.split);
          return c === null ? [] : [c];
        });
    const fromSeeds = of(effect.from);
    const toSeeds = of(effect.to);
    const from = pooled(fromSeeds);
    const to = pooled(toSeeds);
    const paperDelta = Math.round((effect.paperTo - effect.paperFrom) * 1000) / 1000;
    if (from === null || to === null || from.episodes === 0 || to.episodes === 0) {
      return { effect, paperDelta, from, to, delta: null, low: null, high: null, seedDeltas: [], spreadExceedsInterval: false, sameDirection: null, excludesZero: null };
    }
    const delta = to.successes / to.episodes - from.successes / from.episodes;
    const ci = newcombeInterval(from.successes, from.episodes, to.successes, to.episodes);
    const seedDeltas =
      fromSeeds.length === toSeeds.length && fromSeeds.length > 1
        ? toSeeds.map((t, i) => t.successes / t.episodes - (fromSeeds[i] as { successes: number; episodes: number }).successes / (fromSeeds[i] as { episodes: number }).episodes)
        : [];
    const spread = seedDeltas.length > 1 ? Math.max(...seedDeltas) - Math.min(...seedDeltas) : 0;
    return {
      effect,
      paperDelta,
      from,
      to,
      delta,
      low: ci.low,
      high: ci.high,
      seedDeltas,
      spreadExceedsInterval: spread > ci.high - ci.low,
      sameDirection: delta !== 0 && Math.sign(delta) === Math.sign(paperDelta),
      excludesZero: ci.low > 0 || ci.high < 0,
    };
  });
}

const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** The effects as a Markdown table, with the notes that make it readable on its own. */
export function renderEffectsMarkdown(rows: readonly EffectRow[]): string {
  const lines = [
    '## Headline effects: the paper against pipe',
    '',
    '| task | effect | split | methods | Δ paper | Δ pipe [95 % CI] | same direction? | CI excludes 0? |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const e = r.effect;
    const measured =
      r.delta === null || r.low === null || r.high === null
        ? 'not measured'
        : `${signed(r.delta)} [${signed(r.low)}, ${signed(r.high)}]${r.spreadExceedsInterval ? ` ‡ seeds ${r.seedDeltas.map(signed).join(' ')}` : ''}`;
    const yesNo = (b: boolean | null): string => (b === null ? '—' : b ? 'yes' : 'no');
    lines.push(
      `| ${e.task} | ${e.claim} | ${e.split} | ${e.from} → ${e.to} | ${signed(r.paperDelta)} (${e.paperFrom} → ${e.paperTo}) | ${measured} | ${yesNo(r.sameDirection)} | ${yesNo(r.excludesZero)} |`,
    );
  }
  const reproduced = rows.filter((r) => r.sameDirection === true && r.excludesZero === true).length;
  lines.push(
    '',
    `${reproduced} of ${rows.length} effects reproduced (same direction, interval excludes 0).`,
    'Δ pipe pools every seed\'s episodes; the interval is Newcombe\'s hybrid score interval for a difference of two ' +
      'proportions, from the two Wilson intervals. It counts episodes, not seeds: ‡ marks an effect whose per-seed ' +
      'differences span more than the interval, so seed-to-seed variation is larger than the interval says. ' +
      '"non-fake" pools every split but Fake. The paper\'s figures are Qwen2.5-7B\'s, as transcribed.',
  );
  return lines.join('\n');
}

/**
 * The effects section a report appends to its Markdown: the table when at least one effect could be measured
 * (a study with both methods of an effect), else '' (a single-method pipeline has no effects to show).
 */
export function effectsSection(summaries: readonly EvalSummary[]): string {
  const rows = measureEffects(summaries);
  return rows.some((r) => r.delta !== null) ? `\n${renderEffectsMarkdown(rows)}\n` : '';
}
