import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toEnvSpecs } from '../../../src/nodes/sokoban/task.js';
import { createModelPolicy, type ModelPolicy } from '../../../src/nodes/eval/model-policy.js';
import { sokobanOps } from '../../../src/nodes/sokoban/eval-ops.js';
import { rolloutSokoban } from '../../../src/nodes/sokoban/rollout.js';
import { PAPER_EVAL_TAGS, resolveSplit } from '../../../src/nodes/sokoban/api.js';
import { makeEvalEnvs } from '../../../src/nodes/sokoban/evalset-node.js';
import { initGpt } from '../../../src/nn/index.js';
import type { Checkpoint } from '../../../src/nn/index.js';
import type { Completion, Policy } from '../../../src/nodes/eval/policy.js';

const FIXTURE = new URL('../../fixtures/eval/greedy-episodes.json', import.meta.url);

/**
 * The embedded default's GPT shape (2 layers × 128, block 320), seeded, its weights scaled up so that the argmax of
 * every step is far from a tie (so float rounding of a faster decode path cannot flip it).
 */
function model(): Checkpoint {
  const ckpt = initGpt({ vocabSize: 260, blockSize: 320, nLayer: 2, nHead: 4, nEmbd: 128 }, 5);
  const weights = new Map([...ckpt.weights].map(([k, w]) => [k, k.includes('ln') ? w : w.map((x) => x * 6)]));
  return { ...ckpt, weights };
}

/** Every episode's outputs, then every distinct prompt's completion as token ids (text alone hides invalid UTF-8). */
async function episodes(policy: ModelPolicy, streaming: boolean, memo: boolean): Promise<string[]> {
  const template = readFileSync(new URL('../../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');
  const ops = sokobanOps(template);
  const specs = toEnvSpecs(makeEvalEnvs(PAPER_EVAL_TAGS.map((t) => resolveSplit(t)), 1, 123) as unknown as Record<string, unknown>[]);
  const ids = new Map<string, string>();
  const seen = (prompt: string, c: Completion): void => void ids.set(prompt, c.tokens.join(' '));
  const run: Policy = streaming
      ? { complete: policy.complete, stream: (next, done, o) => policy.stream!(next, (item, c) => (seen(item.prompt, c), done(item, c)), o) }
      : { complete: async (prompts, o) => (await policy.complete(prompts, o)).map((c, i) => (seen(prompts[i] as string, c), c)) };
  const eps = await rolloutSokoban(run, ops, specs, {
    maxTurns: 3,
    maxActions: 3,
    sample: { temperature: 0, topP: 1, maxNewTokens: 40, ...(ops.stop ? { stop: ops.stop } : {}) },
    seed: 1,
    memo,
  });
  return [...eps.map((e) => `${e.split}/${e.index}: ${e.output}`), ...[...ids].map(([p, t]) => `${JSON.stringify(p)} -> ${t}`).sort()];
}

describe('greedy evaluation episodes', () => {
  // Recorded with the decode path as it stood before it was optimized; a change that is meant to alter greedy
  // outputs rewrites it with PIPE_RECORD_GREEDY=1 (and says why).
  it('are byte-identical to the recorded ones, streamed or turn by turn, with or without the memo', async () => {
    const policy = await createModelPolicy(model(), { maxBatch: 8, threads: 1 });
    const streamed = await episodes(policy, true, true);
    if (process.env['PIPE_RECORD_GREEDY'] === '1') writeFileSync(FIXTURE, `${JSON.stringify(streamed, null, 1)}\n`);
    const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as string[];
    expect(recorded).toHaveLength(16); // 8 episodes, 8 distinct prompts
    expect(streamed).toEqual(recorded);
    try {
      expect(await episodes(policy, true, false)).toEqual(recorded);
      expect(await episodes(policy, false, true)).toEqual(recorded);
    } finally {
      await policy.dispose();
    }
  });
});
