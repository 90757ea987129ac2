/**
 * Learning curves end to end: a trainer with `evalEvery` keeps snapshots, `eval.curve` evaluates each one on the
 * first episodes of every split, `eval_curve` has a row per split and step, and the report shows the curve with the
 * final checkpoint's row and the paper's rule.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCommand } from '../../src/cli/commands/query.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { pickCurveSteps } from '../../src/nodes/eval/curve.js';
import { library } from '../../src/nodes/index.js';
import { capture } from '../cli/capture.js';

const PIPELINE = `
name: curve
seed: 3
nodes:
  levels:
    kind: sokoban.levels
    params: { split: SimpleSokoban, count: 4, seed: 1000 }
  data:
    kind: sokoban.dataset
    inputs: { levels: levels.levels }
    params: { template: templates/sokoban-compact.txt, response: cot }
  train:
    kind: train.sft
    inputs: { data: data.sft }
    params: { model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 256 }, steps: 5, evalEvery: 2, batchSize: 4, seqLen: 200, threads: 1 }
  envs:
    kind: sokoban.evalset
    params: { splits: [SimpleSokoban, FakeSokobanNumerical], perSplit: 3 }
  curve:
    kind: eval.curve
    inputs: { model: train.model, envs: envs.envs }
    params: { method: tiny, template: templates/sokoban-compact.txt, perSplit: 2, maxTurns: 2, maxNewTokens: 6, threads: 1 }
  report:
    kind: report
    inputs: { curve: curve.curve, final: eval.summary }
  eval:
    kind: eval.sokoban
    inputs: { model: train.model, envs: envs.envs }
    params: { method: tiny, template: templates/sokoban-compact.txt, limit: 1, maxTurns: 2, maxNewTokens: 6, threads: 1 }
`;

describe('learning curves', () => {
  it('snapshots every evalEvery steps and the last, one eval_curve row per split and step, a report section', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-curve-'));
    mkdirSync(join(dir, 'templates'));
    copyFileSync(new URL('../../pipelines/templates/sokoban-compact.txt', import.meta.url), join(dir, 'templates', 'sokoban-compact.txt'));
    writeFileSync(join(dir, 'p.yaml'), PIPELINE);
    const store = join(dir, 'store');
    const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', store, '--json'], { library });
    expect(r.err).not.toContain('FAILED');
    expect(r.code).toBe(0);
    const q = await capture(queryCommand, ['select split, step, episodes, temperature from eval_curve', '--store', store, '--json'], { library });
    expect(q.code).toBe(0);
    expect((JSON.parse(q.out) as Record<string, unknown>[]).map((x) => [x.split, Number(x.step), Number(x.episodes), x.temperature])).toEqual([
      ['SimpleSokoban', 2, 2, 0.5],
      ['SimpleSokoban', 4, 2, 0.5],
      ['SimpleSokoban', 5, 2, 0.5],
      ['FakeSokobanNumerical', 2, 2, 0.5],
      ['FakeSokobanNumerical', 4, 2, 0.5],
      ['FakeSokobanNumerical', 5, 2, 0.5],
    ]);
    const rep = await capture(reportCommand, [join(dir, 'p.yaml'), '--store', store, '--json'], { library });
    const { reports } = JSON.parse(rep.out) as { reports: { page: string }[] };
    const reportDir = dirname(reports[0]!.page);
    const md = readFileSync(join(reportDir, 'report.md'), 'utf8');
    expect(md).toMatch(/Learning curve tiny \(sokoban\), final checkpoint \(step 5\): SimpleSokoban \d\.\d\d, FakeSokobanNumerical \d\.\d\d\./);
    expect(md).toMatch(/the paper's rule .* \(Fake here: FakeSokobanNumerical\) — picks step \d: .* so these numbers are optimistic/);
    expect(readdirSync(reportDir)).toContain('curve-curve.svg');
  }, 240_000);

  it("the paper's rule picks the best mean over non-Fake splits (earliest on ties); final is the last step", () => {
    const s = (split: string, success: number) => ({ split, episodes: 10, successes: success * 10, success, valid: 1, ci_low: 0, ci_high: 1 });
    const steps = [
      { step: 100, splits: [s('ID', 0.2), s('Fake', 0.9)] },
      { step: 200, splits: [s('ID', 0.6), s('Fake', 0.0)] },
      { step: 300, splits: [s('ID', 0.6), s('Fake', 0.5)] },
      { step: 400, splits: [s('ID', 0.4), s('Fake', 1.0)] },
    ];
    expect(pickCurveSteps(steps, new Set(['Fake']))).toEqual({ finalStep: 400, bestStep: 200, bestMean: 0.6 });
    expect(pickCurveSteps(steps, new Set()).bestStep).toBe(400);
  });
});
