// Sokoban evaluation cost, sampled (temperature 0.5) against greedy, on one checkpoint and the paper's 8 splits,
// side by side in one run; each also through the turn-synchronous path (one policy call per round, the evaluator
// before continuous batching) as the baseline.
// Run: npm run build && node bench/eval/sampled-vs-greedy.mjs <model dir> [perSplit=100] [threads=2]
//   <model dir>: a train.sft output, e.g. the default pipeline's (`npx pipe show train` prints where it is).
// Prints wall time, model calls and generated tokens per configuration, then the ratios. This machine is noisy:
// compare figures within one run.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadModelPolicy } from '../../dist/nodes/eval/model-policy.js';
import { sokobanOps } from '../../dist/nodes/eval/sokoban-ops.js';
import { rolloutSokoban } from '../../dist/nodes/eval/sokoban-rollout.js';
import { makeEvalEnvs } from '../../dist/nodes/sokoban/evalset-node.js';
import { PAPER_EVAL_TAGS, resolveSplit } from '../../dist/nodes/sokoban/api.js';

const [model, perSplitArg, threadsArg] = process.argv.slice(2);
if (model === undefined) {
  console.error('usage: node bench/eval/sampled-vs-greedy.mjs <model dir> [perSplit=100] [threads=2]');
  process.exit(2);
}
const perSplit = Number(perSplitArg ?? 100);
const threads = Number(threadsArg ?? 2);
const template = readFileSync(new URL('../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');
const specs = makeEvalEnvs(PAPER_EVAL_TAGS.map((t) => resolveSplit(t)), perSplit, 123);
const ops = sokobanOps(template);

async function measure(label, temperature, streaming) {
  const policy = await loadModelPolicy(model, { maxBatch: 100, threads });
  let calls = 0;
  const counted = {
    complete: (prompts, o) => ((calls += prompts.length), policy.complete(prompts, o)),
    ...(streaming ? { stream: (next, done, o) => policy.stream(() => { const r = next(); if (r) calls++; return r; }, done, o) } : {}),
  };
  const t0 = performance.now();
  const episodes = await rolloutSokoban(counted, ops, specs, {
    maxTurns: 30,
    maxActions: 30,
    sample: { temperature, topP: 1, maxNewTokens: 140, stop: ops.stop },
    seed: 7,
    memo: temperature === 0,
  });
  const seconds = (performance.now() - t0) / 1000;
  await policy.dispose();
  const tokens = episodes.reduce((s, e) => s + e.tokens, 0);
  const bySplit = PAPER_EVAL_TAGS.map((t) => {
    const own = episodes.filter((e) => e.split === t);
    return (own.filter((e) => e.success).length / own.length).toFixed(2);
  });
  console.log(
    `${label.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s  ${String(calls).padStart(6)} model calls  ` +
      `${String(tokens).padStart(8)} tokens in episodes  success ${bySplit.join(' ')}`,
  );
  return { seconds, calls, tokens };
}

console.log(`${specs.length} episodes (${perSplit} per split: ${PAPER_EVAL_TAGS.join(', ')}), ${threads} threads`);
const greedy = await measure('greedy, continuous batching', 0, true);
const sampled = await measure('T=0.5, continuous batching', 0.5, true);
const greedyOld = await measure('greedy, turn-synchronous', 0, false);
const sampledOld = await measure('T=0.5, turn-synchronous', 0.5, false);
const r = (a, b) => (a / b).toFixed(2);
console.log(`sampled / greedy wall time: ${r(sampled.seconds, greedy.seconds)} (turn-synchronous: ${r(sampledOld.seconds, greedyOld.seconds)})`);
console.log(`sampled / greedy model calls: ${r(sampled.calls, greedy.calls)}`);
console.log(`per model call, sampled / greedy: ${r(sampled.seconds / sampled.calls, greedy.seconds / greedy.calls)}`);
console.log(`continuous / turn-synchronous wall time: greedy ${r(greedy.seconds, greedyOld.seconds)}, sampled ${r(sampled.seconds, sampledOld.seconds)}`);
