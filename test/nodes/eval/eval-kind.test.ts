/**
 * A task declared only through `EvalTask` gets a working evaluator from `evalKind`: what a third task writes in its
 * own folder is enough (evaluation-set reading, its own params, its rollout, its progress unit, its stop strings).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initGpt, saveCheckpoint, tokenizer } from '../../../src/nn/index.js';
import { evalKind } from '../../../src/nodes/eval/eval-kind.js';
import type { EpisodeSpec, EvalTask } from '../../../src/nodes/eval/task.js';
import { Default, Type } from '../../../src/nodes/params.js';
import { fakeCtx } from '../train/fake-ctx.js';

interface EchoSpec extends EpisodeSpec {
  readonly word: string;
}

/** A toy task: say the word back; `tries` answers per episode, success when one of them contains the word. */
const echoTask: EvalTask<EchoSpec, { readonly tries: number }> = {
  name: 'echo',
  evalKind: 'eval.echo',
  evalSet: { input: 'words', format: 'JSONL {split, word}', from: 'echo.words' },
  episodeNoun: 'words',
  evalProps: { tries: Default(Type.Integer({ minimum: 1 }), 2) },
  toSpecs: (rows) => rows.map((r, i) => ({ split: String(r.split), index: i, seed: i, word: String(r.word) })),
  isFake: () => false,
  async rollout() {
    return {
      stop: ['.'],
      async run(policy, specs, { params, sample, seed, onProgress }) {
        const episodes = [];
        for (const [i, spec] of specs.entries()) {
          const outs = await policy.complete(Array.from({ length: params.tries }, () => `say ${spec.word}:`), { ...sample, stop: ['.'], seed: seed + i });
          const success = outs.some((o) => o.text.includes(spec.word));
          episodes.push({ split: spec.split, index: spec.index, env_seed: spec.seed, success, valid: 1, reward: success ? 1 : 0, actions: 0, turns: outs.length, tokens: outs.reduce((a, o) => a + o.tokens.length, 0), output: JSON.stringify(outs.map((o) => o.text)) });
          onProgress?.({ done: i + 1, total: specs.length, unit: 'words' });
        }
        return episodes;
      },
    };
  },
};

describe('evalKind', () => {
  it('turns an EvalTask into an evaluator kind: its input, its params, its rows and summary', async () => {
    const kind = evalKind(echoTask, { description: 'echo', module: import.meta.url });
    expect(kind.kind).toBe('eval.echo');
    expect(kind.inputs).toEqual(['model', 'words']);
    expect(Object.keys((kind.params as { properties: object }).properties)).toEqual(expect.arrayContaining(['method', 'template', 'tries']));
    const dir = mkdtempSync(join(tmpdir(), 'pipe-echo-'));
    writeFileSync(join(dir, 'words.jsonl'), ['a', 'a', 'b'].map((split, i) => JSON.stringify({ split, word: `w${i}` })).join('\n') + '\n');
    writeFileSync(join(dir, 'template.txt'), 'unused');
    const model = join(dir, 'model');
    await saveCheckpoint(model, initGpt({ vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 }, 3));
    const ctx = fakeCtx({ method: 'm', template: join(dir, 'template.txt'), tries: 3, maxNewTokens: 4, threads: 1 }, { model, words: join(dir, 'words.jsonl') });
    await kind.run(ctx);
    const rows = ctx.tables['episodes']!;
    expect(rows.map((r) => [r.task, r.split, r.turns])).toEqual([['echo', 'a', 3], ['echo', 'a', 3], ['echo', 'b', 3]]);
    expect(ctx.updates.map((u) => [u.done, u.unit])).toEqual([[1, 'words'], [2, 'words'], [3, 'words']]);
    const summary = JSON.parse(readFileSync(ctx.output('summary'), 'utf8'));
    expect(summary).toMatchObject({ format: 'pipe.eval-summary/1', task: 'echo', method: 'm' });
    expect(summary.splits.map((s: { split: string; episodes: number }) => [s.split, s.episodes])).toEqual([['a', 2], ['b', 1]]);
    await expect(kind.run(fakeCtx({ method: 'm', template: join(dir, 'template.txt'), splits: ['zz'] }, { model, words: join(dir, 'words.jsonl') }))).rejects.toThrow(
      'eval.echo: no words selected (check `splits` against the evalset)',
    );
  });
});
