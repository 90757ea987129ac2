import { type CommandContext, defineCommand } from '../command-spec.js';
import { commandFunction } from '../program.js';

interface DoctorOptions {
  readonly json?: boolean;
  readonly provider?: 'cpu' | 'webgpu' | 'cuda';
  readonly steps?: string;
  readonly threads?: string;
}

/** `pipe doctor` — what works here (providers, gradient rules, a tiny training run). */
export const spec = defineCommand<DoctorOptions>({
  name: 'doctor',
  group: 'Tasks and models',
  rank: 3,
  summary: 'check execution providers, gradients and a tiny training run on this machine',
  description: `Checks this machine for training: which ONNX Runtime execution providers work, every autodiff gradient rule
against central finite differences, and a short training run of a tiny GPT on a fixed-seed copy task.
Exit 0 when everything passes, 1 when a check fails, 2 for bad arguments.`,
  options: [
    { flags: '--json', description: 'the results as JSON' },
    { flags: '--provider <name>', description: 'train on this provider (default: webgpu if it works, else cpu)', choices: ['cpu', 'webgpu', 'cuda'] },
    { flags: '--steps <n>', description: 'training steps (at least 2)' },
    { flags: '--threads <n>', description: 'CPU threads for ONNX Runtime' },
  ],
  action: (_args, values, ctx) => doctor(values, ctx),
});

/** `pipe doctor` as a function of its arguments (tests). */
export const doctorCommand = commandFunction(spec);

async function doctor(values: DoctorOptions, ctx: CommandContext): Promise<number> {
  const stdout = ctx.out ?? ((t: string) => void process.stdout.write(t));
  const provider = values.provider;
  const int = (name: string, v: string | undefined, min: number): number | undefined | null => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      ctx.usageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
      return null;
    }
    return n;
  };
  const steps = int('steps', values.steps, 2);
  const threads = int('threads', values.threads, 1);
  if (steps === null || threads === null) return 2;

  const nn = await import('../../nn/index.js');
  const { probeProvidersQuietly } = await import('../provider-probe.js');
  const probes = await probeProvidersQuietly();
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
    stdout(`${JSON.stringify(out, null, 2)}\n`);
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
  stdout(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}
