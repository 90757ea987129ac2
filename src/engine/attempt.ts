/**
 * One attempt at running a node: builds its `NodeContext`, awaits `kind.run`, and checks that every declared
 * output was written. Knows nothing about caching; the executor and `audit` both use it.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runInChildProcess, runsIsolated } from './isolate.js';
import type { NodeContext, NodeKind, ProgressUpdate } from './node-kind.js';

/** What an attempt reports while running. */
export interface AttemptHooks {
  readonly progress?: (u: ProgressUpdate) => void;
  readonly log?: (line: string) => void;
  readonly metric?: (name: string, value: number, step: number | null) => void;
  readonly record?: (table: string, rows: readonly Readonly<Record<string, unknown>>[]) => void;
}

export interface AttemptSpec {
  readonly id: string;
  /** The run this attempt belongs to (NodeContext.runId). */
  readonly runId?: string;
  readonly kind: NodeKind;
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: readonly string[];
  /** Empty directory; outputs are written to `<staging>/out/<name>`, scratch space is `<staging>/work`. */
  readonly staging: string;
  readonly resumeDir: string;
  /** CPU slots reserved for the node (see NodeContext.cpus). */
  readonly cpus: number;
  readonly signal: AbortSignal;
  readonly hooks: AttemptHooks;
}

/** A failure inside the node (its own error, or a declared output it did not write). */
export class NodeFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeFailure';
  }
}

/** Runs the node once; resolves with the output directory, or rejects with a `NodeFailure`. */
export async function runAttempt(spec: AttemptSpec): Promise<string> {
  const outDir = join(spec.staging, 'out');
  const workDir = join(spec.staging, 'work');
  await mkdir(outDir, { recursive: true });
  await mkdir(workDir, { recursive: true });
  await mkdir(spec.resumeDir, { recursive: true });
  const declared = new Set(spec.outputs);
  const ctx: NodeContext = {
    id: spec.id,
    ...(spec.runId !== undefined ? { runId: spec.runId } : {}),
    params: spec.params,
    seed: spec.seed,
    inputs: spec.inputs,
    outputNames: spec.outputs,
    workDir,
    output(name: string): string {
      if (!declared.has(name)) {
        throw new NodeFailure(`node wrote undeclared output '${name}' (declared: ${spec.outputs.join(', ') || 'none'})`);
      }
      return join(outDir, name);
    },
    resumeDir: spec.resumeDir,
    cpus: spec.cpus,
    signal: spec.signal,
    progress: (u) => spec.hooks.progress?.(u),
    log: (m) => spec.hooks.log?.(m),
    metric: (name, value, step) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        spec.hooks.log?.(`metric ${name}: ignoring non-finite value ${String(value)}`);
        return;
      }
      spec.hooks.metric?.(name, value, step ?? null);
    },
    record: (table, rows) => spec.hooks.record?.(table, rows),
  };
  try {
    if (runsIsolated(spec.kind)) await runInChildProcess(spec.kind, ctx, outDir);
    else await spec.kind.run(ctx);
  } catch (e) {
    if (e instanceof NodeFailure) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new NodeFailure(message, { cause: e });
  }
  spec.signal.throwIfAborted();
  const missing = spec.outputs.filter((name) => !existsSync(join(outDir, name)));
  if (missing.length > 0) {
    throw new NodeFailure(`declared output${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not written`);
  }
  return outDir;
}
