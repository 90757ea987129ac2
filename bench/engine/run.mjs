#!/usr/bin/env node
/**
 * Engine benchmark (run after `npm run build`):  node bench/engine/run.mjs [--nodes 100] [--reps 5] [--hash-mb 1024]
 *
 * 1. Generates a DAG of N exec nodes and an equivalent N-task turbo workspace (same shell commands, same edges),
 *    runs each once to fill its cache, then times fully cached runs of both (median of --reps, wall clock, each a
 *    fresh process, interleaved) and prints them side by side with the ratio, and bare `node -e 0` start-up as
 *    pipe's floor.
 * 2. Hashes a file of --hash-mb MiB with pipe's hashFile and with sha256sum and prints both throughputs.
 * Plain timing; figures vary with the machine and its load. Nothing here is asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { nodes: { type: 'string', default: '100' }, reps: { type: 'string', default: '5' }, 'hash-mb': { type: 'string', default: '1024' }, keep: { type: 'boolean' } } });
const N = Number(values.nodes);
const REPS = Number(values.reps);
const HASH_MB = Number(values['hash-mb']);
const work = mkdtempSync(join(tmpdir(), 'pipe-bench-'));

/** Edges: node i reads i-1 and i/2 (a layered DAG with fan-in and fan-out). */
const deps = (i) => [...new Set([i - 1, Math.floor(i / 2)].filter((d) => d >= 0 && d < i))];
const script = (i, inputs) => `{ ${inputs.map((x) => `cat "${x}";`).join(' ')} echo node${i}; } > "$OUT_FILE"`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeRun(cmd, args, opts) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ms, out: r.stdout, err: r.stderr };
}

// ---- pipe ---------------------------------------------------------------------------------------------------
const pipeDir = join(work, 'pipe');
mkdirSync(pipeDir);
const yaml = ['name: bench', 'nodes:'];
for (let i = 0; i < N; i++) {
  const ins = deps(i);
  const cmd = script(i, ins.map((d) => `$PIPE_IN_i${d}`)).replace('$OUT_FILE', '$PIPE_OUT/o');
  yaml.push(`  n${i}:`, '    kind: exec', `    params: { argv: [sh, -c, ${JSON.stringify(cmd)}] }`, '    outputs: [o]');
  if (ins.length > 0) yaml.push(`    inputs: { ${ins.map((d) => `i${d}: n${d}.o`).join(', ')} }`);
}
writeFileSync(join(pipeDir, 'dag.yaml'), `${yaml.join('\n')}\n`);
const pipeBin = join(root, 'bin', 'pipe.js');
const env = { ...process.env, CI: 'true' };
const cold = timeRun(process.execPath, [pipeBin, 'run', 'dag.yaml'], { cwd: pipeDir, env });
const pipeCached = () => {
  const t = timeRun(process.execPath, [pipeBin, 'run', 'dag.yaml', '--json'], { cwd: pipeDir, env });
  const statuses = JSON.parse(t.out).nodes.map((n) => n.status);
  if (statuses.length !== N || statuses.some((s) => s !== 'cached')) throw new Error('pipe: expected a fully cached run');
  return t.ms;
};

// ---- turbo --------------------------------------------------------------------------------------------------
const turboDir = join(work, 'turbo');
mkdirSync(join(turboDir, 'packages'), { recursive: true });
const npmVersion = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
writeFileSync(join(turboDir, 'package.json'), JSON.stringify({ name: 'bench-root', private: true, packageManager: `npm@${npmVersion}`, workspaces: ['packages/*'] }, null, 2));
writeFileSync(join(turboDir, 'turbo.json'), JSON.stringify({ $schema: 'https://turbo.build/schema.json', tasks: { build: { dependsOn: ['^build'], inputs: ['build.sh', 'package.json'], outputs: ['out/**'] } } }, null, 2));
const lockPackages = { '': { name: 'bench-root', workspaces: ['packages/*'] } };
for (let i = 0; i < N; i++) {
  const pkg = join(turboDir, 'packages', `p${i}`);
  mkdirSync(pkg);
  const ins = deps(i);
  const cmd = script(i, ins.map((d) => `../p${d}/out/o`)).replace('"$OUT_FILE"', 'out/o');
  writeFileSync(join(pkg, 'build.sh'), `mkdir -p out\n${cmd}\n`);
  const dependencies = Object.fromEntries(ins.map((d) => [`p${d}`, '*']));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: `p${i}`, version: '1.0.0', scripts: { build: 'sh build.sh' }, dependencies }, null, 2));
  lockPackages[`packages/p${i}`] = { name: `p${i}`, version: '1.0.0', dependencies };
  lockPackages[`node_modules/p${i}`] = { resolved: `packages/p${i}`, link: true };
}
writeFileSync(join(turboDir, 'package-lock.json'), JSON.stringify({ name: 'bench-root', lockfileVersion: 3, requires: true, packages: lockPackages }, null, 2));
const turboBin = join(root, 'node_modules', '.bin', 'turbo');
const turboEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', TURBO_NO_UPDATE_NOTIFIER: '1', CI: 'true' };
const turboArgs = ['run', 'build', '--cache-dir=.turbo-cache', '--output-logs=none', '--log-order=stream'];
timeRun(turboBin, turboArgs, { cwd: turboDir, env: turboEnv });
const turboCached = () => {
  const t = timeRun(turboBin, turboArgs, { cwd: turboDir, env: turboEnv });
  if (!/FULL TURBO/.test(t.out + t.err)) throw new Error(`turbo: expected a fully cached run:\n${t.out}`);
  return t.ms;
};

// Interleaved (pipe, turbo, bare node start-up) so that load changes on a shared machine hit all three alike.
const pipeTimes = [];
const turboTimes = [];
const nodeTimes = [];
for (let r = 0; r < REPS; r++) {
  pipeTimes.push(pipeCached());
  turboTimes.push(turboCached());
  nodeTimes.push(timeRun(process.execPath, ['-e', '0'], {}).ms);
}

// ---- hashing --------------------------------------------------------------------------------------------------
const big = join(work, 'big.bin');
{
  const fd = openSync(big, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let i = 0; i < HASH_MB; i++) {
    chunk.writeUInt32LE(i, 0);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}
timeRun('sha256sum', [big], {}); // warm the page cache
const shaTimes = [];
const pipeHashTimes = [];
const hashScript = `import { hashFile } from ${JSON.stringify(join(root, 'dist', 'engine', 'hash.js'))};
const t0 = process.hrtime.bigint(); const r = await hashFile(process.argv[1]); const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(JSON.stringify({ ms, digest: r.digest }));`;
let digests = new Set();
for (let r = 0; r < 3; r++) {
  const s = timeRun('sha256sum', [big], {});
  shaTimes.push(s.ms);
  digests.add(s.out.split(' ')[0]);
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', hashScript, big], { encoding: 'utf8' });
  const res = JSON.parse(p.stdout);
  pipeHashTimes.push(res.ms);
  digests.add(res.digest);
}
if (digests.size !== 1) throw new Error('pipe and sha256sum disagree on the digest');

// ---- report ---------------------------------------------------------------------------------------------------
const pipeMs = median(pipeTimes);
const turboMs = median(turboTimes);
const gbps = (ms) => (HASH_MB / 1024 / (ms / 1000)).toFixed(2);
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(`engine bench: ${N}-node DAG of exec nodes, ${REPS} cached runs each (median wall time, fresh process each)`);
console.log(`  pipe run  (cold, all ${N} nodes ran): ${cold.ms.toFixed(0)} ms`);
console.log(`  pipe run  (fully cached)            : ${pipeMs.toFixed(0)} ms   [${fmt(pipeTimes)}]`);
console.log(`  turbo run (fully cached, FULL TURBO): ${turboMs.toFixed(0)} ms   [${fmt(turboTimes)}]`);
console.log(`  ratio turbo / pipe                  : ${(turboMs / pipeMs).toFixed(2)}x`);
console.log(`  node -e 0 (bare node start-up)      : ${median(nodeTimes).toFixed(0)} ms   [${fmt(nodeTimes)}]  (pipe's floor)`);
console.log(`hashing ${HASH_MB} MiB (page cache warm, median of 3; pipe time excludes node start-up):`);
console.log(`  pipe hashFile : ${median(pipeHashTimes).toFixed(0)} ms  = ${gbps(median(pipeHashTimes))} GiB/s`);
console.log(`  sha256sum     : ${median(shaTimes).toFixed(0)} ms  = ${gbps(median(shaTimes))} GiB/s   (process wall time)`);
console.log(`  ratio pipe / sha256sum throughput: ${(median(shaTimes) / median(pipeHashTimes)).toFixed(2)}x`);
if (!values.keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
