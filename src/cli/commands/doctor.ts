import { parseArgs } from 'node:util';
import type { Command } from '../main.js';

const help = `usage: pipe doctor [--json] [--provider cpu|webgpu|cuda] [--steps N] [--threads N]

Checks this machine for training: which ONNX Runtime execution providers work, every autodiff gradient rule
against central finite differences, and a short training run of a tiny GPT on a fixed-seed copy task.
Exit 0 when everything passes, 1 when a check fails, 2 for bad arguments.
`;

/** `pipe doctor` — what works here (providers, gradient rules, a tiny training run). */
export const command: Command = async (args) => {
  let values: { json?: boolean; provider?: string; steps?: string; threads?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { json: { type: 'boolean' }, provider: { type: 'string' }, steps: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`pipe doctor: ${e instanceof Error ? e.message : String(e)}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const provider = values.provider;
  if (provider !== undefined && provider !== 'cpu' && provider !== 'webgpu' && provider !== 'cuda') {
    process.stderr.write(`pipe doctor: --provider must be cpu, webgpu or cuda, got '${provider}'\n`);
    return 2;
  }
  const int = (name: string, v: string | undefined, min: number): number | undefined | null => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      process.stderr.write(`pipe doctor: --${name} must be an integer ≥ ${min}, got '${v}'\n`);
      return null;
    }
    return n;
  };
  const steps = int('steps', values.steps, 2);
  const threads = int('threads', values.threads, 1);
  if (steps === null || threads === null) return 2;

  const nn = await import('../../nn/index.js');
  const probes = await nn.probeProviders();
  const working = probes.filter((p) => p.ok).map((p) => p.provider);
  const gc = await nn.gradcheckAll();
  const chosen = provider ?? (working.includes('webgpu') ? 'webgpu' : 'cpu');
  let train: Awaited<ReturnType<typeof nn.doctorTrain>> | { provider: string; error: string };
  try {
    train = await nn.doctorTrain({ provider: chosen, ...(steps !== undefined ? { steps } : {}), ...(threads !== undefined ? { threads } : {}) });
  } catch (e) {
    train = { provider: chosen, error: e instanceof Error ? e.message : String(e) };
  }
  const trainOk = !('error' in train) && Number.isFinite(train.lossEnd) && train.lossEnd < train.lossStart;
  const ok = working.includes('cpu') && gc.failed === 0 && trainOk;

  if (values.json) {
    const out = {
      providers: working,
      providerErrors: Object.fromEntries(probes.filter((p) => !p.ok).map((p) => [p.provider, p.error ?? 'failed'])),
      gradcheck: { rules: gc.rules, failed: gc.failed, failures: gc.failures, maxRelError: gc.maxRelError },
      train,
      ok,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const mark = (b: boolean) => (b ? 'ok  ' : 'FAIL');
  const lines: string[] = ['Execution providers'];
  for (const p of probes) lines.push(`  ${p.ok ? 'ok  ' : 'no  '} ${p.provider}${p.ok ? '' : `  (${p.error ?? 'failed'})`}`);
  lines.push('', `Gradient rules vs finite differences: ${gc.rules - gc.failed}/${gc.rules} ok, max relative error ${gc.maxRelError.toExponential(2)}`);
  for (const r of gc.results) if (!r.ok) lines.push(`  FAIL ${r.label} (${r.dtype}): ${r.error ?? `relative error ${r.relError.toExponential(2)}`}`);
  lines.push('');
  if ('error' in train) lines.push(`Tiny GPT training on ${train.provider}: FAIL ${train.error}`);
  else {
    lines.push(
      `Tiny GPT training on ${train.provider}: ${mark(trainOk)} loss ${train.lossStart.toFixed(3)} → ${train.lossEnd.toFixed(3)} in ${train.steps} steps, ${Math.round(train.tokensPerSecond)} tokens/s`,
    );
  }
  lines.push('', ok ? 'All checks passed.' : 'Some checks failed.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
};
