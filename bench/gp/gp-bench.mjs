// General Points generation figures. Run: npm run build && node bench/gp/gp-bench.mjs
// Prints wall-clock times (this machine is noisy: compare figures within one run).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { generateGpRows } from '../../dist/nodes/gp/dataset.js';
import { buildEvalset } from '../../dist/nodes/gp/evalset-node.js';
import { GP_SPLIT_NAMES, scoreGp, solveGpDetailed, TRAIN_MAPPINGS } from '../../dist/nodes/gp/api.js';

const tpl = (n) => readFileSync(new URL(`../../pipelines/templates/${n}`, import.meta.url), 'utf8');
const time = (label, fn) => {
  const t0 = performance.now();
  const out = fn();
  console.log(`${label.padEnd(58)} ${((performance.now() - t0) / 1000).toFixed(3)} s`);
  return out;
};

time('solver: all 1,820 four-card multisets of 1..13 (cold)', () => {
  let solvable = 0;
  let floatExact = 0;
  for (let a = 1; a <= 13; a++)
    for (let b = a; b <= 13; b++)
      for (let c = b; c <= 13; c++)
        for (let d = c; d <= 13; d++) {
          const s = solveGpDetailed([a, b, c, d], 24);
          if (s) solvable++;
          if (s?.floatExact) floatExact++;
        }
  console.log(`  solvable ${solvable}, of which a formula also scores +5 under float evaluation: ${floatExact}`);
});

for (const [name, format, response, diverse] of [
  ['gp-compact.txt', 'compact', 'answer', false],
  ['gp-compact.txt', 'compact', 'answer', true],
  ['gp-compact.txt', 'compact', 'cot', true],
  ['gp-paper.txt', 'paper', 'answer', true],
  ['gp-paper.txt', 'paper', 'cot', true],
]) {
  const rows = time(`dataset 10k rows: ${format} ${response}${diverse ? ' diverse' : ''}`, () => [
    ...generateGpRows({
      count: 10000,
      seed: 42,
      template: tpl(name),
      format,
      response,
      mappings: diverse ? TRAIN_MAPPINGS : undefined,
      cards: 4,
    }),
  ]);
  const q = rows.reduce((s, r) => s + r.sft.question.length, 0) / rows.length;
  const a = rows.reduce((s, r) => s + r.sft.answer.length, 0) / rows.length;
  console.log(`  mean prompt ${q.toFixed(1)} chars, mean response ${a.toFixed(1)} chars`);
}

const { tasks, skipped } = time(`evalset: ${GP_SPLIT_NAMES.length} splits × 500`, () => buildEvalset({ perSplit: 500 }));
console.log(`  tasks ${tasks.length}, skipped ${JSON.stringify(skipped)}`);
for (const split of GP_SPLIT_NAMES) {
  const ts = tasks.filter((t) => t.split === split);
  const scorable = ts.filter((t) => t.solutionScores).length;
  console.log(`  ${split.padEnd(16)} ${ts.length} tasks, ${scorable} with a +5-scoring solution`);
}

const outputs = tasks.slice(0, 2000).map((t, i) => [`{"formula": "${i % 2 ? t.solution : '1+2'}"}`, t]);
time('scorer: 100k scores', () => {
  for (let k = 0; k < 50; k++) for (const [o, t] of outputs) scoreGp(o, t);
});
