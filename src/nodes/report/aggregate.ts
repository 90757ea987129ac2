/**
 * Folds evaluation summaries into the results table: one row per (task, method, swept values) — every matrix axis
 * except `seed` is part of the row — and per split the mean success over that row's seeds, its spread, and a
 * Wilson interval over the pooled episodes. Only seeds are pooled: two learning rates are two rows. Pure.
 */
import { wilsonInterval } from '../eval/wilson.js';
import type { EvalSummary } from '../eval/summary.js';

/** The axis that names repetitions of one configuration; every other axis is a compared setting. */
export const SEED_AXIS = 'seed';

/** One summary with the matrix values of the instance that wrote it. */
export interface LabelledSummary {
  readonly summary: EvalSummary;
  readonly binding: Readonly<Record<string, string>>;
}

/** One row of the table: a method at one setting of the swept axes. */
export interface ResultRow {
  readonly key: string;
  /** `diverse-cot`, or `diverse-cot lr=0.003` in a sweep. */
  readonly label: string;
  readonly method: string;
  /** The swept axes other than seed, with their values. */
  readonly axes: Readonly<Record<string, string>>;
  /** Seed values pooled in this row (empty when the configuration has no seed axis). */
  readonly seeds: readonly string[];
}

/** One cell of the results table. */
export interface ResultCell {
  /** How many evaluations (seeds) contributed. */
  readonly seeds: number;
  readonly episodes: number;
  /** Mean over seeds of each seed's success rate. */
  readonly success: number;
  /** Standard deviation over seeds (0 with one seed). */
  readonly successStd: number;
  readonly valid: number;
  /** Wilson 95 % interval over the pooled episodes. */
  readonly ciLow: number;
  readonly ciHigh: number;
}

export interface TaskTable {
  readonly task: string;
  readonly splits: readonly string[];
  readonly rows: readonly ResultRow[];
  readonly cells: ReadonlyMap<string, ResultCell>;
}

/** Results grouped for rendering: tasks → rows (first-seen order) → split cells. */
export interface ResultsTable {
  readonly tasks: readonly TaskTable[];
}

/** The key of a cell in `cells`. */
export function cellKey(row: string, split: string): string {
  return `${row}\u0000${split}`;
}

/** Matrix values from an instance id (`eval[lr=0.003,seed=1]` → { lr: '0.003', seed: '1' }). */
export function bindingFromId(id: string): Record<string, string> {
  const m = /\[(.*)\]$/.exec(id);
  if (m === null) return {};
  return Object.fromEntries((m[1] as string).split(',').flatMap((part) => {
    const eq = part.indexOf('=');
    return eq === -1 ? [] : [[part.slice(0, eq), part.slice(eq + 1)]];
  }));
}

/** Aggregates summaries (any order) into a table; splits and rows keep their first-seen order. */
export function aggregate(items: readonly LabelledSummary[]): ResultsTable {
  const byTask = new Map<string, LabelledSummary[]>();
  for (const s of items) byTask.set(s.summary.task, [...(byTask.get(s.summary.task) ?? []), s]);
  const tasks = [...byTask.entries()].map(([task, list]): TaskTable => {
    const splits: string[] = [];
    const rows = new Map<string, ResultRow & { seeds: string[] }>();
    const groups = new Map<string, { rates: number[]; valids: number[]; n: number; k: number }>();
    for (const { summary, binding } of list) {
      const axes = Object.fromEntries(Object.entries(binding).filter(([a]) => a !== SEED_AXIS));
      const swept = Object.entries(axes).map(([a, v]) => `${a}=${v}`).join(' ');
      const key = `${summary.method}\u0000${swept}`;
      const row = rows.get(key) ?? { key, label: swept === '' ? summary.method : `${summary.method} ${swept}`, method: summary.method, axes, seeds: [] };
      rows.set(key, row);
      const seed = binding[SEED_AXIS];
      if (seed !== undefined && !row.seeds.includes(seed)) row.seeds.push(seed);
      for (const sp of summary.splits) {
        if (!splits.includes(sp.split)) splits.push(sp.split);
        const g = groups.get(cellKey(key, sp.split)) ?? { rates: [], valids: [], n: 0, k: 0 };
        g.rates.push(sp.success);
        g.valids.push(sp.valid);
        g.n += sp.episodes;
        g.k += sp.successes;
        groups.set(cellKey(key, sp.split), g);
      }
    }
    const cells = new Map<string, ResultCell>();
    for (const [key, g] of groups) {
      const mean = g.rates.reduce((a, b) => a + b, 0) / g.rates.length;
      const variance = g.rates.length > 1 ? g.rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (g.rates.length - 1) : 0;
      const ci = wilsonInterval(g.k, g.n);
      cells.set(key, {
        seeds: g.rates.length,
        episodes: g.n,
        success: mean,
        successStd: Math.sqrt(variance),
        valid: g.valids.reduce((a, b) => a + b, 0) / g.valids.length,
        ciLow: ci.low,
        ciHigh: ci.high,
      });
    }
    return { task, splits, rows: [...rows.values()], cells };
  });
  return { tasks };
}
