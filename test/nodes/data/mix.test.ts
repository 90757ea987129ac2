import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import { mixKind, type MixParams } from '../../../src/nodes/data/mix-node.js';
import { readParquet, writeParquet } from '../../../src/nodes/data/parquet.js';
import { library } from '../../../src/nodes/index.js';
import { capture } from '../../cli/capture.js';
import { fakeCtx } from '../train/fake-ctx.js';

const rowsOf = (tag: string, n: number): { prompt: string; response: string }[] =>
  Array.from({ length: n }, (_, i) => ({ prompt: `${tag} prompt ${i}`, response: `${tag} response ${i}` }));

async function mix(params: MixParams, data: number, replay: number, seed = 7): Promise<{ prompt: string; response: string }[]> {
  const ctx = fakeCtx(params, {}, { seed });
  const dataPath = join(ctx.outDir, '..', 'data.parquet');
  const replayPath = join(ctx.outDir, '..', 'replay.parquet');
  await writeParquet(dataPath, rowsOf('task', data));
  // General Points' column names: the replay side reads either SFT schema.
  await writeParquet(replayPath, rowsOf('corpus', replay).map((r) => ({ question: r.prompt, answer: r.response })));
  await mixKind.run({ ...ctx, inputs: { data: dataPath, replay: replayPath } });
  return (await readParquet(ctx.output('sft'))) as { prompt: string; response: string }[];
}

describe('data.mix', () => {
  it('keeps every data row once and adds replay rows to the asked fraction, drawn without replacement', async () => {
    const out = await mix({ replayFraction: 0.25 }, 90, 100);
    expect(out).toHaveLength(120);
    const task = out.filter((r) => r.prompt.startsWith('task'));
    expect(new Set(task.map((r) => r.prompt)).size).toBe(90);
    const replay = out.filter((r) => r.prompt.startsWith('corpus'));
    expect(replay).toHaveLength(30);
    expect(new Set(replay.map((r) => r.prompt)).size).toBe(30);
    for (const r of replay) expect(r.response).toBe(r.prompt.replace('prompt', 'response'));
    // Shuffled together, not appended.
    expect(out.slice(0, 90).every((r) => r.prompt.startsWith('task'))).toBe(false);
  });

  it('cycles a replay set shorter than the draw, and is seeded', async () => {
    const out = await mix({ replayFraction: 0.5 }, 10, 4);
    expect(out.filter((r) => r.prompt.startsWith('corpus'))).toHaveLength(10);
    expect(await mix({ replayFraction: 0.5 }, 10, 4)).toEqual(out);
    expect(await mix({ replayFraction: 0.5 }, 10, 4, 8)).not.toEqual(out);
  });

  it('with fraction 0 is the data alone', async () => {
    const out = await mix({ replayFraction: 0 }, 12, 5);
    expect(out.map((r) => r.prompt).sort()).toEqual(rowsOf('task', 12).map((r) => r.prompt).sort());
  });

  it('names the input that is not an SFT dataset', async () => {
    const ctx = fakeCtx({ replayFraction: 0.25 }, {});
    const text = join(ctx.outDir, '..', 'notes.txt');
    writeFileSync(text, 'not parquet');
    const data = join(ctx.outDir, '..', 'data.parquet');
    await writeParquet(data, rowsOf('task', 3));
    await expect(mixKind.run({ ...ctx, inputs: { data, replay: text } })).rejects.toThrow(/data\.mix input 'replay' \(.*notes\.txt\) is not Parquet/);
    const other = join(ctx.outDir, '..', 'other.parquet');
    await writeParquet(other, [{ x: 1 }]);
    await expect(mixKind.run({ ...ctx, inputs: { data: other, replay: data } })).rejects.toThrow(/data\.mix input 'data' .*expected prompt\/response/);
  });
});

describe('data.mix in a pipeline', () => {
  it('refuses a fraction of 1, a missing replay and a levels file as data at their places (exit 2, nothing run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-mix-'));
    writeFileSync(
      join(dir, 'p.yaml'),
      [
        'name: mix-errors',
        'nodes:',
        '  levels:',
        '    kind: sokoban.levels',
        '    params: { count: 2 }',
        '  corpus:',
        '    kind: corpus.generic',
        '    params: { count: 10 }',
        '  full:',
        '    kind: data.mix',
        '    inputs: { data: corpus.sft, replay: corpus.sft }',
        '    params: { replayFraction: 1 }',
        '  wrong:',
        '    kind: data.mix',
        '    inputs: { data: levels.levels }',
        '',
      ].join('\n'),
    );
    const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', join(dir, 'store')], { library });
    expect(r.code).toBe(2);
    expect(r.err).toContain("p.yaml:12:31 error: param 'replayFraction' must be < 1");
    expect(r.err).toContain("p.yaml:15:5 error: missing input 'replay' for kind 'data.mix'");
    expect(r.err).toMatch(/p\.yaml:15:21 error: input 'data' takes Parquet .*; levels\.levels is JSONL/);
    expect(existsSync(join(dir, 'store'))).toBe(false);
  });
});
