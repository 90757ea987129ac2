/**
 * The end of every evaluator: one `episodes` row per episode, the per-split summary (Wilson 95% CI) logged and
 * written as the `summary` output. Shared so both tasks' tables and summaries have exactly the same shape.
 */
import { writeFile } from 'node:fs/promises';
import type { NodeContext } from '../../engine/node-kind.js';
import { episodeRows, type Episode, type EpisodeRow } from './episode-rows.js';
import { evalSummary } from './summarize.js';

export async function publishEvaluation(
  ctx: NodeContext<{ readonly method: string }>,
  task: EpisodeRow['task'],
  temperature: number,
  episodes: readonly Episode[],
): Promise<void> {
  const method = ctx.params.method;
  ctx.record('episodes', episodeRows(task, method, temperature, episodes));
  const summary = evalSummary(task, method, ctx.id, temperature, episodes);
  for (const s of summary.splits) {
    ctx.log(`${s.split}: success ${s.success.toFixed(2)} [${s.ci_low.toFixed(2)}, ${s.ci_high.toFixed(2)}] valid ${s.valid.toFixed(2)} (n=${s.episodes})`);
  }
  await writeFile(ctx.output('summary'), JSON.stringify(summary, null, 2) + '\n');
}
