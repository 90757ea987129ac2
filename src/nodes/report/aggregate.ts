/**
 * Folds evaluation summaries of several seeds into one results table: per (task, method, split) the mean success
 * over seeds, its spread, and a Wilson interval over the pooled episodes. Pure.
 */
import { wilsonInterval } from '../eval/wilson.js';
import type { EvalSummary } from './summary.js';

/** One cell of the results table. */
export interface ResultCell {
  readonly task: string;
  readonly method: string;
  readonly split: string;
  /** How many evaluator nodes (seeds) contributed. */
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

/** Results grouped for rendering: tasks → methods (in first-seen order) → split cells. */
export interface ResultsTable {
  readonly tasks: readonly {
    readonly task: string;
    readonly splits: readonly string[];
    readonly methods: readonly string[];
    readonly cells: ReadonlyMap<string, ResultCell>;
  }[];
}

/** The key of a cell in `cells`. */
export function cellKey(method: string, split: string): string {
  return `${method}\u0000${split}`;
}

/** Aggregates summaries (any order) into a table; splits keep their first-seen order. */
export function aggregate(summaries: readonly EvalSummary[]): ResultsTable {
  const byTask = new Map<string, EvalSummary[]>();
  for (const s of summaries) byTask.set(s.task, [...(byTask.get(s.task) ?? []), s]);
  const tasks = [...byTask.entries()].map(([task, list]) => {
    const splits: string[] = [];
    const methods: string[] = [];
    const groups = new Map<string, { method: string; split: string; rates: number[]; valids: number[]; n: number; k: number }>();
    for (const s of list) {
      if (!methods.includes(s.method)) methods.push(s.method);
      for (const sp of s.splits) {
        if (!splits.includes(sp.split)) splits.push(sp.split);
        const key = cellKey(s.method, sp.split);
        const g = groups.get(key) ?? { method: s.method, split: sp.split, rates: [], valids: [], n: 0, k: 0 };
        g.rates.push(sp.success);
        g.valids.push(sp.valid);
        g.n += sp.episodes;
        g.k += sp.successes;
        groups.set(key, g);
      }
    }
    const cells = new Map<string, ResultCell>();
    for (const [key, g] of groups) {
      const mean = g.rates.reduce((a, b) => a + b, 0) / g.rates.length;
      const variance = g.rates.length > 1 ? g.rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (g.rates.length - 1) : 0;
      const ci = wilsonInterval(g.k, g.n);
      cells.set(key, {
        task,
        method: g.method,
        split: g.split,
        seeds: g.rates.length,
        episodes: g.n,
        success: mean,
        successStd: Math.sqrt(variance),
        valid: g.valids.reduce((a, b) => a + b, 0) / g.valids.length,
        ciLow: ci.low,
        ciHigh: ci.high,
      });
    }
    return { task, splits, methods, cells };
  });
  return { tasks };
}
