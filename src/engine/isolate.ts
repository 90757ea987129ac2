/**
 * Runs a node kind's `run` in its own Node process (kinds that set `isolate: true`). Every node otherwise shares the
 * engine's single JavaScript thread, so two CPU-heavy nodes (a solver loop, batch packing between training steps)
 * would take turns instead of running side by side; a child process also keeps a native crash (onnxruntime, a GPU
 * driver) from taking the whole run down. The child imports the kind from its `module` URL, so only compiled
 * modules (.js/.mjs) can be isolated; TypeScript sources (under vitest) run in-process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeContext, NodeKind } from './node-kind.js';

/** What the child needs to rebuild the NodeContext; its callbacks travel back as messages. */
interface Start {
  readonly module: string;
  readonly kind: string;
  readonly id: string;
  readonly runId?: string;
  readonly params: unknown;
  readonly seed: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: readonly string[];
  readonly outDir: string;
  readonly workDir?: string;
  readonly resumeDir: string;
  readonly cpus?: number;
}

type ChildMessage =
  | { type: 'progress'; update: Parameters<NodeContext['progress']>[0] }
  | { type: 'log'; line: string }
  | { type: 'metric'; name: string; value: number; step?: number }
  | { type: 'record'; table: string; rows: Record<string, unknown>[] }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** After an abort, how long a node may take to stop on its own (e.g. to write a checkpoint) before it is killed. */
const ABORT_GRACE_MS = 10_000;

// The child, as an inline ES module (no file to locate whether the engine runs from dist/ or from sources).
const CHILD = `
import { join } from 'node:path';
const send = (m) => new Promise((done) => process.send(m, done));
process.on('disconnect', () => process.exit(70)); // the engine died: stop, the next run resumes
process.once('message', async (s) => {
  process.title = 'pipe node ' + s.id; // what ps and top show instead of this source
  const ac = new AbortController();
  process.on('message', (m) => { if (m && m.type === 'abort') ac.abort(); });
  try {
    const mod = await import(s.module);
    const kind = Object.values(mod).find((v) => v && typeof v === 'object' && v.kind === s.kind && typeof v.run === 'function');
    if (!kind) throw new Error('node kind ' + s.kind + ' is not exported by ' + s.module);
    const declared = new Set(s.outputs);
    await kind.run({
      id: s.id, runId: s.runId, params: s.params, seed: s.seed, inputs: s.inputs, outputNames: s.outputs, workDir: s.workDir,
      resumeDir: s.resumeDir, cpus: s.cpus, signal: ac.signal,
      output(name) {
        if (!declared.has(name)) throw new Error("node wrote undeclared output '" + name + "' (declared: " + (s.outputs.join(', ') || 'none') + ')');
        return join(s.outDir, name);
      },
      progress: (update) => process.send({ type: 'progress', update }),
      log: (line) => process.send({ type: 'log', line: String(line) }),
      metric: (name, value, step) => process.send({ type: 'metric', name, value, step }),
      record: (table, rows) => process.send({ type: 'record', table, rows }),
    });
    await send({ type: 'done' });
  } catch (e) {
    await send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  process.exit(0);
});
`;

/** Whether `kind` asks for, and can get, its own process. */
export function runsIsolated(kind: NodeKind): boolean {
  return kind.isolate === true && /\.m?js$/.test(kind.module.startsWith('file:') ? fileURLToPath(kind.module) : kind.module);
}

/**
 * Runs `kind` in a child process against `ctx` (whose hooks receive the child's progress, logs, metrics and records;
 * its stdout/stderr lines become log lines). Rejects with the node's own error message, or how the process died.
 */
export function runInChildProcess(kind: NodeKind, ctx: NodeContext, outDir: string): Promise<void> {
  const start: Start = {
    module: kind.module,
    kind: kind.kind,
    id: ctx.id,
    ...(ctx.runId !== undefined ? { runId: ctx.runId } : {}),
    params: ctx.params,
    seed: ctx.seed,
    inputs: ctx.inputs,
    outputs: ctx.outputNames ?? [],
    outDir,
    ...(ctx.workDir !== undefined ? { workDir: ctx.workDir } : {}),
    resumeDir: ctx.resumeDir,
    ...(ctx.cpus !== undefined ? { cpus: ctx.cpus } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', CHILD], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const stderrTail: string[] = [];
    const forward = (keepTail: boolean) => {
      let partial = '';
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.length === 0) continue;
          ctx.log(line);
          if (!keepTail) continue;
          stderrTail.push(line);
          if (stderrTail.length > 5) stderrTail.shift();
        }
      };
    };
    child.stdout?.on('data', forward(false));
    child.stderr?.on('data', forward(true));
    let outcome: { ok: true } | { ok: false; message: string } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (child.connected) child.send({ type: 'abort' });
      killTimer = setTimeout(() => child.kill('SIGKILL'), ABORT_GRACE_MS);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m: ChildMessage) => {
      switch (m.type) {
        case 'progress': return ctx.progress(m.update);
        case 'log': return ctx.log(m.line);
        case 'metric': return ctx.metric(m.name, m.value, m.step);
        case 'record': return ctx.record(m.table, m.rows);
        case 'done': outcome = { ok: true }; return;
        case 'error': outcome = { ok: false, message: m.message }; return;
      }
    });
    child.on('error', (e) => {
      outcome ??= { ok: false, message: `could not start the node process: ${e.message}` };
    });
    child.on('close', (code, signal) => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (outcome?.ok) return resolve();
      if (outcome) return reject(new Error(outcome.message));
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderrTail.length > 0 ? `: ${stderrTail.join(' | ')}` : '';
      reject(new Error(`the node's process ${how} before finishing${tail}`));
    });
    child.send(start);
  });
}
