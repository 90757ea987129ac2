/**
 * Pieces shared by the trainers: params schemas for the model shape and the optimizer, the train log / metrics sink,
 * checkpointing into the resume directory, and the provider fingerprint.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeContext } from '../../engine/node-kind.js';
import { providerSchema } from '../model-node.js';
import { Default, ParamsObject, StringEnum, Type, type Static } from '../params.js';
import type { Checkpoint } from '../../nn/index.js';
import { parseTrainLog, TRAIN_LOG_FILE, type TrainLogRow } from './train-log.js';

/** The model shape params (vocabulary size is the byte tokenizer's, not a param). */
export const modelSchema = ParamsObject(
  {
    nLayer: Type.Integer({ minimum: 1, maximum: 64, description: 'transformer blocks' }),
    nHead: Type.Integer({ minimum: 1, maximum: 64, description: 'attention heads per block' }),
    nEmbd: Type.Integer({ minimum: 4, maximum: 8192, description: 'model width' }),
    blockSize: Type.Integer({ minimum: 8, maximum: 8192, description: 'context length in tokens' }),
    arch: Type.Optional(StringEnum(['gpt', 'llama'], { description: "'gpt' (absent = gpt): learned positions; 'llama': RMSNorm, rotary positions, SwiGLU" })),
  },
  { description: 'model shape when training from scratch' },
);
export type ModelParams = Static<typeof modelSchema>;

/** A trainer's optimizer defaults (they differ between SFT and GRPO, as in the paper). */
export interface OptimDefaults {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  readonly minLrRatio: number;
  readonly gradClip: number;
}

/** `warmupSteps`; a trainer adds it with its default (a constant, or computed from the steps and described). */
export function warmupStepsSchema(defaultDoc?: string) {
  return Type.Integer({ minimum: 0, description: `linear warmup steps${defaultDoc !== undefined ? ` (default: ${defaultDoc})` : ''}` });
}

/** `logEvery`; a trainer adds it with its default (a constant, or computed from the steps and described). */
export function logEverySchema(defaultDoc?: string) {
  return Type.Integer({ minimum: 1, description: `log loss, lr and grad norm every N steps${defaultDoc !== undefined ? ` (default: ${defaultDoc})` : ''}` });
}

/** AdamW with cosine decay to minLrRatio·lr and global-norm clipping, with the trainer's defaults (plus `warmupSteps`). */
export function optimProps(d: OptimDefaults) {
  return {
    lr: Default(Type.Number({ exclusiveMinimum: 0, description: 'peak learning rate' }), d.lr),
    minLrRatio: Default(Type.Number({ minimum: 0, maximum: 1, description: 'the cosine schedule ends at minLrRatio · lr (1 = constant)' }), d.minLrRatio),
    weightDecay: Default(Type.Number({ minimum: 0, description: 'AdamW decoupled weight decay' }), d.weightDecay),
    beta1: Default(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'AdamW β1' }), d.beta1),
    beta2: Default(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'AdamW β2' }), d.beta2),
    gradClip: Default(Type.Number({ description: 'clip the global gradient norm to this' }), d.gradClip),
  };
}

/**
 * Params every trainer shares: sequence length, checkpoints and snapshots, replicate seed, runtime, optimizer (a
 * trainer adds `warmupSteps` and `logEvery` with its own defaults).
 */
export function trainerProps(d: OptimDefaults & { readonly seqLenDoc: string }) {
  return {
    seqLen: Type.Optional(Type.Integer({ minimum: 8, description: `tokens per training row (default: ${d.seqLenDoc})` })),
    checkpointEvery: Type.Optional(Type.Integer({ minimum: 1, description: 'save a resumable checkpoint every N steps (default: a tenth of the steps)' })),
    evalEvery: Type.Optional(
      Type.Integer({ minimum: 1, description: 'keep a snapshot of the weights every evalEvery steps (and at the last) in the model output, for eval.curve' }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, description: 'Replicate seed (a matrix axis): changes init and data order through the node seed' })),
    provider: providerSchema,
    threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'ONNX Runtime intra-op threads (default: the CPU slots the node holds)' })),
    ...optimProps(d),
  };
}

/** Names of the resume-directory entries. */
const CKPT = 'checkpoint';

/**
 * Learning curves. A trainer with `evalEvery` keeps the weights of every evalEvery-th step (and of the last) in
 * `snapshots/step-<n>/` of its model output; the separate `eval.curve` node evaluates them. Evaluation is not done
 * inside the trainer on purpose: the evaluator's code, splits, subset and temperature then stay out of the training
 * cache key (changing how a curve is measured never retrains), and trainers stay task-agnostic.
 * Snapshots are written to the resume directory first, so a resumed run keeps the ones taken before a crash.
 */
export const SNAPSHOTS_DIR = 'snapshots';

/** Whether `step` (1-based, after the update) gets a snapshot. */
export function isSnapshotStep(step: number, evalEvery: number | undefined, total: number): boolean {
  return evalEvery !== undefined && (step % evalEvery === 0 || step === total);
}

/** Saves the weights (no optimizer state) of `ckpt` as the snapshot of its step in the resume directory. */
export async function saveSnapshot(resumeDir: string, ckpt: Checkpoint): Promise<void> {
  const { saveCheckpoint } = await import('../../nn/index.js');
  const dir = join(resumeDir, SNAPSHOTS_DIR, `step-${String(ckpt.step).padStart(7, '0')}`);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  const { optimizer: _dropped, ...weightsOnly } = ckpt;
  await saveCheckpoint(tmp, weightsOnly);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Moves the resume directory's snapshots (if any) into the model output. */
export async function publishSnapshots(resumeDir: string, modelDir: string): Promise<void> {
  const from = join(resumeDir, SNAPSHOTS_DIR);
  if (!existsSync(from)) return;
  const { cp } = await import('node:fs/promises');
  await cp(from, join(modelDir, SNAPSHOTS_DIR), { recursive: true, filter: (src) => !src.endsWith('.tmp') });
}

/** Saves `ckpt` plus the log so far into resumeDir atomically (write beside, then rename over). */
export async function saveResume(
  resumeDir: string,
  ckpt: Checkpoint,
  log: readonly TrainLogRow[],
  extra: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  const { saveTrainingCheckpoint } = await import('../../nn/index.js');
  await mkdir(resumeDir, { recursive: true });
  const tmp = join(resumeDir, `${CKPT}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  // LoRA adapters are kept unmerged, with their optimizer state, so the resumed run continues them.
  await saveTrainingCheckpoint(tmp, ckpt);
  await writeFile(join(tmp, TRAIN_LOG_FILE), log.map((r) => JSON.stringify(r)).join('\n') + (log.length ? '\n' : ''));
  await writeFile(join(tmp, 'resume.json'), JSON.stringify(extra));
  const old = join(resumeDir, `${CKPT}.old`);
  await rm(old, { recursive: true, force: true });
  if (existsSync(join(resumeDir, CKPT))) await rename(join(resumeDir, CKPT), old);
  await rename(tmp, join(resumeDir, CKPT));
  await rm(old, { recursive: true, force: true });
}

/** The last checkpoint saved by `saveResume`, or null when this is a fresh start. */
export async function loadResume(
  resumeDir: string,
): Promise<{ ckpt: Checkpoint; log: TrainLogRow[]; extra: Record<string, unknown> } | null> {
  const dir = join(resumeDir, CKPT);
  if (!existsSync(join(dir, 'resume.json'))) return null;
  const { loadTrainingCheckpoint } = await import('../../nn/index.js');
  const ckpt = await loadTrainingCheckpoint(dir);
  const log = parseTrainLog(await readFile(join(dir, TRAIN_LOG_FILE), 'utf8'), 'resume log');
  const extra = JSON.parse(await readFile(join(dir, 'resume.json'), 'utf8')) as Record<string, unknown>;
  return { ckpt, log, extra };
}

/** Writes the final model output: the checkpoint without optimizer state, plus the full training log. */
export async function writeModel(dir: string, ckpt: Checkpoint, log: readonly TrainLogRow[]): Promise<void> {
  const { saveCheckpoint } = await import('../../nn/index.js');
  await mkdir(dir, { recursive: true });
  const { optimizer: _dropped, ...weightsOnly } = ckpt;
  await saveCheckpoint(dir, weightsOnly);
  await writeFile(join(dir, TRAIN_LOG_FILE), log.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** Sends one log row to ctx.metric (one metric per field) and to the node's log, and keeps it for the train log. */
export function logRow(ctx: NodeContext<unknown>, log: TrainLogRow[], row: TrainLogRow): void {
  log.push(row);
  const fields: string[] = [];
  for (const [k, v] of Object.entries(row)) {
    if (k !== 'step' && typeof v === 'number') ctx.metric(k, v, row.step);
    if (k !== 'step' && v !== undefined) fields.push(`${k} ${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(5)) : String(v)}`);
  }
  // The node's log (logs/ in the store, `pipe show`) gets a readable line per logged step.
  ctx.log(`step ${row.step}  ${fields.join('  ')}`);
}

/** Fails with a clear message when a training statistic is NaN/Inf (the last good checkpoint stays in resumeDir). */
export function assertFinite(name: string, value: number, step: number, resumeDir: string): void {
  if (!Number.isFinite(value)) {
    throw new Error(
      `training diverged: ${name} is ${value} at step ${step}; the last good checkpoint is kept in ${resumeDir} ` +
        '(lower lr, raise warmupSteps or tighten gradClip, then rerun)',
    );
  }
}
