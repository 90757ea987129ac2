/**
 * User-defined evaluation splits, end to end through the CLI for both tasks: a split object with a vocabulary or a
 * face-card mapping and a size no built-in split has is generated, a tiny model trained for a few steps is evaluated
 * on it, and `pipe query` reads the split back by its name. Mistakes in a split object are reported before anything
 * runs, at their place in the file.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCommand } from '../../src/cli/commands/query.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { library } from '../../src/nodes/index.js';
import { capture } from '../cli/capture.js';

const TEMPLATES = new URL('../../pipelines/templates/', import.meta.url);

function project(pipeline: string, template: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-usersplit-'));
  mkdirSync(join(dir, 'templates'));
  copyFileSync(new URL(template, TEMPLATES), join(dir, 'templates', template));
  writeFileSync(join(dir, 'p.yaml'), pipeline);
  return dir;
}

const SOKOBAN = `
name: user-split-sokoban
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
    params: { model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 256 }, steps: 3, batchSize: 4, seqLen: 200, threads: 1 }
  envs:
    kind: sokoban.evalset
    params:
      perSplit: 2
      splits:
        - SimpleSokoban
        - { name: Greek7x5, size: [7, 5], boxes: 1, promptVocab: [alpha, beta, gamma, delta] }
  eval:
    kind: eval.sokoban
    inputs: { model: train.model, envs: envs.envs }
    params: { method: tiny, template: templates/sokoban-compact.txt, temperature: 0, maxTurns: 2, maxNewTokens: 8, threads: 1 }
  report:
    kind: report
    inputs: { tiny: eval.summary }
`;

const GP = `
name: user-split-gp
seed: 3
nodes:
  data:
    kind: gp.dataset
    params: { count: 16, seed: 42, template: templates/gp-compact.txt, response: answer, diversity: { enabled: false } }
  train:
    kind: train.sft
    inputs: { data: data.sft }
    params: { model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 128 }, steps: 3, batchSize: 4, seqLen: 96, threads: 1 }
  tasks:
    kind: gp.evalset
    params:
      perSplit: 3
      splits:
        - id
        - { name: faces346_five, cards: 5, promptFaces: { J: 3, Q: 4, K: 6 }, scoringFaces: all_10, forced: face, target: 30 }
  eval:
    kind: eval.gp
    inputs: { model: train.model, tasks: tasks.tasks }
    params: { method: tiny, template: templates/gp-compact.txt, temperature: 0, maxNewTokens: 8, threads: 1 }
`;

async function runAndQuery(dir: string): Promise<{ split: string; episodes: number }[]> {
  const store = join(dir, 'store');
  const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', store, '--json'], { library });
  expect(r.err).not.toContain('FAILED');
  expect(r.code).toBe(0);
  const q = await capture(queryCommand, ['select split, episodes from eval_summary', '--store', store, '--json'], { library });
  expect(q.code).toBe(0);
  return JSON.parse(q.out) as { split: string; episodes: number }[];
}

describe('user-defined evaluation splits, end to end', () => {
  it('Sokoban: a 7x5 split with Greek action words is generated, evaluated, reported and queryable by its name', async () => {
    const dir = project(SOKOBAN, 'sokoban-compact.txt');
    const rows = await runAndQuery(dir);
    expect(rows.map((r) => [r.split, Number(r.episodes)])).toEqual([
      ['SimpleSokoban', 2],
      ['Greek7x5', 2],
    ]);
    const r = await capture(reportCommand, [join(dir, 'p.yaml'), '--store', join(dir, 'store'), '--json'], { library });
    expect(r.code).toBe(0);
    const { reports } = JSON.parse(r.out) as { reports: { page: string }[] };
    expect(readFileSync(join(dirname(reports[0]!.page), 'report.md'), 'utf8')).toContain('| method | SimpleSokoban | Greek7x5 |');
  }, 180_000);

  it('General Points: five cards, J/Q/K stated as 3/4/6 but scored as 10, target 30', async () => {
    const rows = await runAndQuery(project(GP, 'gp-compact.txt'));
    expect(rows.map((r) => [r.split, Number(r.episodes)])).toEqual([
      ['id', 3],
      ['faces346_five', 3],
    ]);
  }, 180_000);

  it('a bad split object is reported at its place before anything runs (exit 2, nothing written)', async () => {
    const bad = SOKOBAN.replace(
      '{ name: Greek7x5, size: [7, 5], boxes: 1, promptVocab: [alpha, beta, gamma, delta] }',
      '{ name: numerical, size: [4, 4], boxes: 1, promptVocab: [alpha, beta, Alpha, delta] }',
    );
    const dir = project(bad, 'sokoban-compact.txt');
    const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', join(dir, 'store')], { library });
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.includes('error:'));
    expect(lines.map((l) => l.replace(/^.*p\.yaml:/, 'p.yaml:'))).toEqual([
      "p.yaml:22:19 error: param 'splits.1.name' 'numerical' names the built-in split SimpleSokobanNumerical; give your split a name of its own",
      "p.yaml:22:36 error: param 'splits.1.size' 4x4 is too small for 1 box(es): the generator needs an interior of at least 5 cells",
      "p.yaml:22:81 error: param 'splits.1.promptVocab.2' 'Alpha' repeats word 1 ('alpha'): the four words must differ (ignoring case and spacing)",
    ]);
    expect(existsSync(join(dir, 'store', 'objects'))).toBe(false);
  });

  it('a training split is checked the same way: an unknown name or an unfillable room is refused before anything runs', async () => {
    const dir = project(
      'name: levels\nnodes:\n  a: { kind: sokoban.levels, params: { split: Nope } }\n  b: { kind: sokoban.levels, params: { split: { name: Mine, size: 4, boxes: 3 } } }\n  c: { kind: sokoban.levels, params: { split: twoboxes, count: 2 } }\n',
      'sokoban-compact.txt',
    );
    const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', join(dir, 'store')], { library });
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.includes('error:'));
    expect(lines.map((l) => l.replace(/^.*p\.yaml:/, 'p.yaml:'))).toEqual([
      expect.stringMatching(/^p\.yaml:3:47 error: param 'split' names no built-in split \('Nope'\); known: SimpleSokoban, /),
      "p.yaml:4:67 error: param 'split.size' 4x4 is too small for 3 box(es): the generator needs an interior of at least 9 cells",
    ]);
    expect(existsSync(join(dir, 'store', 'objects'))).toBe(false);
  });
});
