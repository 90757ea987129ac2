// Sokoban evaluation cost, sampled (temperature 0.5) against greedy, on one checkpoint and the paper's 8 splits,
// through the evaluator's path (continuous batching). Three configurations:
//   greedy          the evaluator's greedy setting: a prompt seen before is answered from the memo (exact for a
//                   deterministic policy), so stuck episodes cost no model calls;
//   greedy, no memo the same episodes with every turn decoded: the same work per turn as sampling;
//   T=0.5           the paper's (and the default pipeline's) setting: every turn is a fresh sample.
// Run: npm run build && node bench/eval/sampled-vs-greedy.mjs <model dir> [perSplit=10] [threads=2] [--vs <checkout>] [--rounds N]
//   <model dir>: a train.sft output, e.g. the default pipeline's (`npx pipe show train` prints where it is).
//   --vs <checkout>: another pipe checkout (built); every configuration runs alternately on both, round by round, so
//   both see the same machine load (an interleaved A/B of a change).
// Prints per configuration: wall time, process CPU time, model calls, tokens the model generated, and time per
// generated token; then the ratios. Compare figures within one run: the machine load moves them.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const vs = flag('--vs');
const rounds = Number(flag('--rounds') ?? 1);
const [model, perSplitArg, threadsArg] = args;
if (model === undefined) {
  console.error('usage: node bench/eval/sampled-vs-greedy.mjs <model dir> [perSplit=10] [threads=2] [--vs <checkout>] [--rounds N]');
  process.exit(2);
}
const perSplit = Number(perSplitArg ?? 10);
const threads = Number(threadsArg ?? 2);

async function load(root) {
  const dist = (p) => import(pathToFileURL(resolve(root, 'dist', p)).href);
  // A checkout older than the task folders keeps the Sokoban rollout under nodes/eval/.
  const moved = existsSync(resolve(root, 'dist/nodes/sokoban/rollout.js'));
  return {
    root,
    ...(await dist('nodes/eval/model-policy.js')),
    ...(await dist(moved ? 'nodes/sokoban/eval-ops.js' : 'nodes/eval/sokoban-ops.js')),
    ...(await dist(moved ? 'nodes/sokoban/rollout.js' : 'nodes/eval/sokoban-rollout.js')),
    ...(await dist('nodes/sokoban/evalset-node.js')),
    ...(await dist('nodes/sokoban/api.js')),
  };
}
const here = await load(new URL('../..', import.meta.url).pathname);
const other = vs === undefined ? undefined : await load(vs);
const template = readFileSync(new URL('../../pipelines/templates/sokoban-compact.txt', import.meta.url), 'utf8');

async function measure(code, temperature, memo) {
  const specs = code.makeEvalEnvs(code.PAPER_EVAL_TAGS.map((t) => code.resolveSplit(t)), perSplit, 123);
  const ops = code.sokobanOps(template);
  const policy = await code.loadModelPolicy(model, { maxBatch: 100, threads });
  let calls = 0;
  let generated = 0;
  const counted = {
    complete: (prompts, o) => policy.complete(prompts, o),
    stream: (next, done, o) =>
      policy.stream(
        () => {
          const r = next();
          if (r) calls++;
          return r;
        },
        (item, c) => {
          generated += c.tokens.length;
          done(item, c);
        },
        o,
      ),
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const episodes = await code.rolloutSokoban(counted, ops, specs, {
    maxTurns: 30,
    maxActions: 30,
    sample: { temperature, topP: 1, maxNewTokens: 140, stop: ops.stop },
    seed: 7,
    memo,
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await policy.dispose();
  const success = code.PAPER_EVAL_TAGS.map((t) => {
    const own = episodes.filter((e) => e.split === t);
    return (own.filter((e) => e.success).length / own.length).toFixed(2);
  });
  return { seconds, cpu: (cpu.user + cpu.system) / 1e6, calls, generated, success, outputs: JSON.stringify(episodes.map((e) => e.output)) };
}

const configs = [
  ['greedy', 0, true],
  ['greedy, no memo', 0, false],
  ['T=0.5', 0.5, false],
];
const codes = other ? [['this', here], ['vs', other]] : [['this', here]];
const results = new Map();
console.log(`${perSplit * 8} episodes (${perSplit} per split: ${here.PAPER_EVAL_TAGS.join(', ')}), ${threads} threads, maxBatch 100, ${rounds} round(s)`);
for (let round = 0; round < rounds; round++) {
  for (const [label, temperature, memo] of configs) {
    for (const [name, code] of codes) {
      const r = await measure(code, temperature, memo);
      const key = `${label}|${name}`;
      const list = results.get(key) ?? [];
      list.push(r);
      results.set(key, list);
      console.log(
        `${(other ? `[${name}] ` : '') + label.padEnd(16)} ${r.seconds.toFixed(1).padStart(7)} s wall ${r.cpu.toFixed(1).padStart(7)} s CPU ` +
          `${String(r.calls).padStart(6)} model calls ${String(r.generated).padStart(8)} tokens generated  ` +
          `${((r.seconds / r.generated) * 1e6).toFixed(0).padStart(5)} µs/token wall ${((r.cpu / r.generated) * 1e6).toFixed(0).padStart(5)} µs/token CPU  success ${r.success.join(' ')}`,
      );
    }
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const of = (label, name, f) => med(results.get(`${label}|${name}`).map(f));
const r = (a, b) => (a / b).toFixed(2);
for (const [name] of codes) {
  const g = (f) => of('greedy', name, f);
  const n = (f) => of('greedy, no memo', name, f);
  const s = (f) => of('T=0.5', name, f);
  const perTok = (x) => x.seconds / x.generated;
  const perTokCpu = (x) => x.cpu / x.generated;
  console.log(`${other ? `[${name}] ` : ''}medians over ${rounds} round(s):`);
  console.log(`  T=0.5 / greedy: wall ${r(s((x) => x.seconds), g((x) => x.seconds))}, CPU ${r(s((x) => x.cpu), g((x) => x.cpu))}, model calls ${r(s((x) => x.calls), g((x) => x.calls))}, tokens generated ${r(s((x) => x.generated), g((x) => x.generated))}`);
  console.log(`  T=0.5 / greedy without memo: wall ${r(s((x) => x.seconds), n((x) => x.seconds))}, CPU ${r(s((x) => x.cpu), n((x) => x.cpu))}, tokens generated ${r(s((x) => x.generated), n((x) => x.generated))}`);
  console.log(`  per generated token, T=0.5 / greedy without memo: wall ${r(s(perTok), n(perTok))}, CPU ${r(s(perTokCpu), n(perTokCpu))}`);
  const same = results.get(`greedy|${name}`)[0].outputs === results.get(`greedy, no memo|${name}`)[0].outputs;
  console.log(`  greedy episodes with and without the memo identical: ${same}`);
}
if (other) {
  for (const [label] of configs) {
    const a = of(label, 'this', (x) => x.seconds);
    const b = of(label, 'vs', (x) => x.seconds);
    const ac = of(label, 'this', (x) => x.cpu);
    const bc = of(label, 'vs', (x) => x.cpu);
    const same = results.get(`${label}|this`)[0].outputs === results.get(`${label}|vs`)[0].outputs;
    console.log(`this / vs, ${label}: wall ${r(a, b)}, CPU ${r(ac, bc)}; episodes identical: ${same}`);
  }
}
