import { describe, expect, it } from 'vitest';
import { lsCommand } from '../../src/cli/commands/ls.js';
import type { KindDoc } from '../../src/engine/kind-doc.js';
import { library } from '../../src/nodes/index.js';
import { capture } from './capture.js';

describe('pipe ls --kinds KIND', () => {
  it('documents train.sft from its declaration: typed params with defaults and required, input formats, outputs', async () => {
    const r = await capture(lsCommand, ['--kinds', 'train.sft', '--json'], { library });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as KindDoc;
    const param = (name: string) => doc.params.find((p) => p.name === name);
    expect(param('batchSize')).toEqual({ name: 'batchSize', type: 'integer ≥ 1, ≤ 4096', required: true, description: 'rows per optimizer step' });
    expect(param('lr')).toMatchObject({ type: 'number > 0', required: false, default: 0.001 });
    expect(param('provider')).toMatchObject({ type: "'cpu' | 'webgpu' | 'cuda'", default: 'cpu' });
    expect(param('model.nLayer')).toMatchObject({ type: 'integer ≥ 1, ≤ 64', required: true });
    expect(param('lora.targets')?.default).toEqual(['q_proj', 'v_proj']);
    expect(param('warmupSteps')?.description).toContain('min(100, 10% of the steps)');
    expect(doc.params.every((p) => p.description !== undefined && p.description.length > 0)).toBe(true);
    expect(doc.inputs).toEqual([
      { name: 'data', optional: false, format: expect.stringContaining('Parquet with columns prompt, response') },
      { name: 'init', optional: true, format: expect.stringContaining('model folder') },
    ]);
    expect(doc.outputs).toEqual([{ name: 'model', format: expect.stringContaining('model folder') }]);
  });

  it('prints the same as text, one row per param', async () => {
    const r = await capture(lsCommand, ['--kinds', 'train.grpo'], { library });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^train\.grpo: GRPO/);
    expect(r.out).toMatch(/^ {2}lr +number > 0 +default 0\.00001 +peak learning rate$/m);
    expect(r.out).toMatch(/^ {2}steps +integer ≥ 1 +required +optimizer steps/m);
    expect(r.out).toMatch(/^inputs:\n {2}model +optional +a model folder/m); // or the init param (a Hugging Face folder)
    const curve = await capture(lsCommand, ['--kinds', 'eval.curve'], { library });
    expect(curve.out).toMatch(/^ {2}envs +one of envs, tasks +JSONL/m);
  });

  it('refuses an unknown kind with the closest names (exit 2)', async () => {
    const r = await capture(lsCommand, ['--kinds', 'train.stf'], { library });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe("pipe ls: unknown node kind 'train.stf' (did you mean train.sft?); pipe ls --kinds lists them\n");
  });
});
