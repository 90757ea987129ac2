#!/usr/bin/env node
/**
 * Does `priority:` shorten a wide run? (run after `npm run build`):  node bench/engine/priority.mjs [--scale 30] [--reps 2]
 *
 * Replays the Sokoban half of pipelines/study-gpu.yaml as `exec` nodes that sleep for the wall times one H200 run
 * measured (pipelines/results/study-gpu-3seeds-h200-2f12671.md), divided by --scale: three seeds × (answer-only,
 * diverse answer-only, CoT, diverse CoT) trainings of 2 CPU slots on --jobs 16, GRPO after the answer-only one, an
 * evaluation after each. Data sets finish in the measured order (the diverse-CoT one last). Runs the same DAG with
 * the CoT trainings at `priority: 10` and without, interleaved, each in a fresh store, and prints the wall times and
 * their ratio. Sleeping nodes do not contend for cores, so this measures scheduling alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { scale: { type: 'string', default: '30' }, reps: { type: 'string', default: '2' } } });
const scale = Number(values.scale);
const reps = Number(values.reps);
const s = (seconds) => (seconds / scale).toFixed(3);

// Measured seconds (H200, three seeds side by side): data, training, then evaluation; GRPO for the answer-only one.
const methods = [
  { m: 'sft', data: 1.1, train: 270, evalS: 100, grpo: 146 },
  { m: 'diverse', data: 2.4, train: 275, evalS: 133 },
  { m: 'cot', data: 1.2, train: 508, evalS: 280, long: true },
  { m: 'diverse_cot', data: 2.7, train: 520, evalS: 280, long: true },
];

function pipeline(withPriority) {
  const exec = (id, seconds, inputs = {}, extra = '') => {
    const ins = Object.entries(inputs);
    return `  ${id}:\n    kind: exec\n${extra}    params: { argv: [sh, -c, 'sleep ${s(seconds)}; echo ${id} > "$PIPE_OUT/o"'] }\n${ins.length ? `    inputs: { ${ins.map(([k, v]) => `${k}: ${v}`).join(', ')} }\n` : ''}    outputs: [o]\n`;
  };
  let text = 'name: prio-bench\nnodes:\n';
  for (const { m, data, train, evalS, grpo, long } of methods) {
    text += exec(`${m}_data`, data);
    const trainExtra = `    matrix: { env.SEED: ['1', '2', '3'] }\n    resources: { cpu: 2 }\n${withPriority && long ? '    priority: 10\n' : ''}`;
    text += exec(`${m}_train`, train, { d: `${m}_data.o` }, trainExtra);
    text += exec(`${m}_eval`, evalS, { t: `${m}_train.o` }, '    resources: { cpu: 2 }\n');
    if (grpo) {
      text += exec(`${m}_grpo`, grpo, { t: `${m}_train.o` }, '    resources: { cpu: 2 }\n');
      text += exec(`${m}_grpo_eval`, evalS, { t: `${m}_grpo.o` }, '    resources: { cpu: 2 }\n');
    }
  }
  return text;
}

function timeRun(withPriority) {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-prio-bench-'));
  writeFileSync(join(dir, 'p.yaml'), pipeline(withPriority));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'bin/pipe.js'), 'run', 'p.yaml', '--jobs', '16', '--store', join(dir, 'store')], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pipe run failed (${r.status}):\n${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const times = { fifo: [], priority: [] };
for (let i = 0; i < reps; i++) {
  for (const variant of i % 2 === 0 ? ['fifo', 'priority'] : ['priority', 'fifo']) times[variant].push(timeRun(variant === 'priority'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [fifo, prio] = [median(times.fifo), median(times.priority)];
console.log(`scale 1/${scale}, ${reps} runs each (wall seconds; × ${scale} = the measured run's seconds)`);
console.log(`without priority  ${times.fifo.map((t) => t.toFixed(1)).join(' ')}  median ${fifo.toFixed(1)} (≈ ${((fifo * scale) / 60).toFixed(1)} min at full scale)`);
console.log(`CoT priority 10   ${times.priority.map((t) => t.toFixed(1)).join(' ')}  median ${prio.toFixed(1)} (≈ ${((prio * scale) / 60).toFixed(1)} min at full scale)`);
console.log(`priority / without: ${(prio / fifo).toFixed(3)}`);
