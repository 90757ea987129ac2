/**
 * pipelines/paper-hf.yaml as shipped, run end to end on the tiny Qwen3 fixture with `--set` overrides that shrink it
 * (a few rows, two optimizer steps, one task per split, short answers): every node runs, the four fine-tunes write
 * hf/ folders, and the report gets all four evaluations. Without a model folder the pipeline stops while it loads.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/engine/execute.js';
import { loadPipeline } from '../../src/engine/load.js';
import { openStore } from '../../src/engine/store.js';
import { library } from '../../src/nodes/index.js';
import { fixture } from '../nn/hf/helpers.js';

const PIPELINES = new URL('../../pipelines/', import.meta.url).pathname;
const TRAINERS = ['sokoban_answer_train', 'sokoban_diverse_cot_train', 'gp_answer_train', 'gp_diverse_cot_train'];
const EVALS = ['sokoban_answer_eval', 'sokoban_diverse_cot_eval', 'gp_answer_eval', 'gp_diverse_cot_eval'];

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-paper-hf-'));
  cpSync(join(PIPELINES, 'paper-hf.yaml'), join(dir, 'paper-hf.yaml'));
  cpSync(join(PIPELINES, 'templates'), join(dir, 'templates'), { recursive: true });
  return dir;
}

const tiny = (model: string): string[] => [
  `base.path=${model}`,
  'sokoban_levels.count=8',
  'sokoban_envs.perSplit=1',
  'gp_tasks.perSplit=1',
  'gp_answer_data.count=8',
  'gp_diverse_cot_data.count=8',
  ...TRAINERS.flatMap((t) => [`${t}.steps=2`, `${t}.batchSize=2`, `${t}.threads=1`]),
  ...EVALS.flatMap((e) => [`${e}.maxNewTokens=8`, `${e}.threads=1`]),
];

describe('pipelines/paper-hf.yaml', () => {
  it('runs end to end on a tiny Qwen3 folder with --set overrides: four fine-tunes with hf/, four evaluations, a report', async () => {
    const dir = project();
    const loaded = loadPipeline(join(dir, 'paper-hf.yaml'), { library, overrides: tiny(fixture('qwen3')) });
    expect(loaded.diagnostics).toEqual([]);
    const summary = await runPipeline(loaded.pipeline!, { jobs: 2 });
    expect(summary.nodes.filter((n) => n.status !== 'ran').map((n) => [n.id, n.status])).toEqual([]);
    const store = openStore(loaded.pipeline!.store);
    const out = (id: string, port: string): Promise<string> => store.artifactPath(summary.nodes.find((n) => n.id === id)!.outputs![port]!);
    for (const t of TRAINERS) {
      const model = await out(t, 'model');
      expect(existsSync(join(model, 'hf', 'model.safetensors')), t).toBe(true);
      const log = readFileSync(join(model, 'train-log.jsonl'), 'utf8').trim().split('\n');
      expect(log.length, t).toBeGreaterThan(0);
    }
    const sidecar = (t: string) => out(t, 'model').then((m) => JSON.parse(readFileSync(join(m, 'checkpoint.json'), 'utf8')) as { meta: { chat: boolean } });
    // The Sokoban template carries the chat markup itself; General Points prompts go through the chat template.
    expect((await sidecar('sokoban_answer_train')).meta.chat).toBe(false);
    expect((await sidecar('gp_answer_train')).meta.chat).toBe(true);
  }, 600_000);

  it('stops while loading without a model folder, saying how to get one', () => {
    const dir = project();
    const loaded = loadPipeline(join(dir, 'paper-hf.yaml'), { library });
    expect(loaded.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('model folder not found (download one first, e.g. `huggingface-cli download <org>/<model>')]);
  });
});
