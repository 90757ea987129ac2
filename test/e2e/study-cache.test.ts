/**
 * The study pipeline through the real engine on a tiny configuration: runs end to end, reruns nothing when nothing
 * changed, reruns data → training → evaluation (but not level generation) when the prompt template changes, and only
 * evaluation → report when an eval param changes (the summary records the temperature, so it changes and the
 * report follows; an eval rerun with a byte-identical summary would leave the report cached — early cutoff).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/engine/load.js';
import { runPipeline } from '../../src/engine/execute.js';
import { library } from '../../src/nodes/index.js';
import { reportCommand } from '../../src/cli/commands/report.js';

const TEMPLATES = new URL('../../pipelines/templates/', import.meta.url);

const PIPELINE = `
name: tiny-study
seed: 3
nodes:
  levels:
    kind: sokoban.levels
    params: { split: SimpleSokoban, count: 6, seed: 1000 }
  data:
    kind: sokoban.dataset
    inputs: { levels: levels.levels }
    params:
      template: templates/sokoban-compact.txt
      response: cot
      diversity: { enabled: true, pool: bytes, variantsPerState: 2 }
  train:
    kind: train.sft
    inputs: { data: data.sft }
    params:
      model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 256 }
      steps: 4
      batchSize: 4
      seqLen: 224
      threads: 1
  envs:
    kind: sokoban.evalset
    params: { splits: [SimpleSokoban, FakeSokobanNumerical], perSplit: 2, seedBase: 123 }
  eval:
    kind: eval.sokoban
    inputs: { model: train.model, envs: envs.envs }
    params: { method: diverse-cot, template: templates/sokoban-compact.txt, temperature: 0, maxTurns: 2, maxNewTokens: 8, threads: 1 }
  report:
    kind: report
    inputs: { diverse_cot: eval.summary, curve: train.model }
`;

let dir: string;

async function run(overrides: string[] = []): Promise<Record<string, string>> {
  const loaded = loadPipeline(join(dir, 'p.yaml'), { library, overrides });
  expect(loaded.diagnostics).toEqual([]);
  const summary = await runPipeline(loaded.pipeline!, { jobs: 2 });
  const failed = summary.nodes.filter((n) => n.status === 'failed');
  expect(failed.map((n) => `${n.id}: ${n.reason}`)).toEqual([]);
  return Object.fromEntries(summary.nodes.map((n) => [n.id, n.status]));
}

describe('study pipeline (tiny) through the engine', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipe-e2e-'));
    mkdirSync(join(dir, 'templates'));
    copyFileSync(new URL('sokoban-compact.txt', TEMPLATES), join(dir, 'templates', 'sokoban-compact.txt'));
    writeFileSync(join(dir, 'p.yaml'), PIPELINE);
  });

  it('runs end to end, then reruns nothing', async () => {
    expect(Object.values(await run()).every((s) => s === 'ran')).toBe(true);
    expect(await run()).toEqual({ levels: 'cached', data: 'cached', train: 'cached', envs: 'cached', eval: 'cached', report: 'cached' });
  }, 120_000);

  it('an edited prompt template reruns data, training and evaluation, not level generation', async () => {
    const file = join(dir, 'templates', 'sokoban-compact.txt');
    writeFileSync(file, readFileSync(file, 'utf8').replace('act:', 'action:'));
    expect(await run()).toEqual({ levels: 'cached', data: 'ran', train: 'ran', envs: 'cached', eval: 'ran', report: 'ran' });
  }, 120_000);

  it('an edited eval param reruns only evaluation and the report', async () => {
    expect(await run(['eval.temperature=0.7'])).toEqual({ levels: 'cached', data: 'cached', train: 'cached', envs: 'cached', eval: 'ran', report: 'ran' });
  }, 120_000);

  it('pipe report prints the page pipe run wrote for the same --set; its command and notes follow the params', async () => {
    const page = async (args: string[]): Promise<string> => {
      const out: string[] = [];
      const err: string[] = [];
      expect(await reportCommand([join(dir, 'p.yaml'), ...args], { library, out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(0);
      expect(err.join('')).toBe('');
      return out.join('').trim();
    };
    const sampled = await page(['--set', 'eval.temperature=0.7']);
    expect(sampled.endsWith('/report.html')).toBe(true);
    const html = readFileSync(sampled, 'utf8');
    expect(html).toContain(`npx pipe run ${join(dir, 'p.yaml')} --set eval.temperature=0.7`);
    expect(html).toContain('sampling at temperature 0.7');
    expect(html).not.toContain('greedy');
    expect(html).toContain('<svg');
    // The default params: the greedy page, as pipe run (cached) left it.
    expect(await run()).toMatchObject({ eval: 'cached', report: 'cached' });
    const greedy = await page([]);
    expect(greedy).not.toBe(sampled);
    const text = readFileSync(greedy, 'utf8');
    expect(text).toContain('greedy decoding (temperature 0');
    expect(text).toContain(`npx pipe run ${join(dir, 'p.yaml')}\n`);
  }, 120_000);

  it('pipe report exits 2 on a bad pipeline and 1 when nothing was evaluated', async () => {
    const err: string[] = [];
    writeFileSync(join(dir, 'bad.yaml'), 'name: x\nnodes: {a: {kind: nope}}\n');
    expect(await reportCommand([join(dir, 'bad.yaml')], { library, out: () => {}, err: (t) => err.push(t) })).toBe(2);
    writeFileSync(join(dir, 'fresh.yaml'), PIPELINE.replace('name: tiny-study', 'name: fresh').replace('count: 6', 'count: 7'));
    expect(await reportCommand([join(dir, 'fresh.yaml')], { library, out: () => {}, err: (t) => err.push(t) })).toBe(1);
    expect(err.join('')).toContain('not built yet for these params: report; run `pipe run');
  });
});
