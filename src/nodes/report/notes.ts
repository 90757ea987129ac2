/**
 * Notes generated from the effective params of the instances a report covers, so they say what was actually run:
 * after `--set eval.temperature=0.5` the evaluation note says "sampled at temperature 0.5", never "greedy". Pure.
 */
import type { PipelineContext } from '../../engine/node-kind.js';
import { evalParamProps } from '../eval/eval-params.js';
import { ParamsObject, withDefaults } from '../params.js';
import { taskOfEvalKind, tasks } from '../tasks.js';
import type { EvalSummary } from '../eval/summary.js';

type Instance = PipelineContext['instances'][number];

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** The evaluators' defaults (from their declarations, every task's own params included), for params an instance left out. */
const evalDefaults: Readonly<Record<string, unknown>> = withDefaults(ParamsObject({ ...evalParamProps, ...Object.assign({}, ...tasks.map((t) => t.evalProps)) }), {} as never);

/** How an evaluator decodes, in words. */
export function decodingText(params: Readonly<Record<string, unknown>>): string {
  const t = num(params.temperature) ?? 0;
  const topP = num(params.topP) ?? 1;
  if (t === 0) return 'greedy decoding (temperature 0; the paper samples at 0.5)';
  const top = topP < 1 ? `, top-p ${topP}` : '';
  return `sampling at temperature ${t}${top}${t === 0.5 ? ' (as the paper does)' : ' (the paper samples at 0.5)'}`;
}

function evalNote(inst: Instance, summary: EvalSummary | undefined): string {
  const p = { ...evalDefaults, ...inst.params };
  const parts = [decodingText(p)];
  if (summary !== undefined && summary.splits.length > 0) {
    const sizes = [...new Set(summary.splits.map((s) => s.episodes))];
    parts.push(`${sizes.join('/')} episode${sizes.length === 1 && sizes[0] === 1 ? '' : 's'} per split on ${summary.splits.length} split${summary.splits.length === 1 ? '' : 's'}`);
  }
  const taskNote = taskOfEvalKind(inst.kind)?.evalNote?.(p);
  if (taskNote !== undefined) parts.push(taskNote);
  parts.push(`answers cut at ${num(p.maxNewTokens)} new tokens`);
  return parts.join('; ');
}

function trainNote(inst: Instance): string | undefined {
  const p = inst.params;
  const parts: string[] = [];
  const model = p.model as Record<string, unknown> | undefined;
  if (model !== undefined && typeof model === 'object') parts.push(`model ${String(model.nLayer)} layers × ${String(model.nEmbd)} wide, ${String(model.nHead)} heads, context ${String(model.blockSize)}`);
  if (num(p.steps) !== undefined) parts.push(`${String(p.steps)} steps`);
  else if (num(p.epochs) !== undefined) parts.push(`${String(p.epochs)} epochs`);
  if (num(p.batchSize) !== undefined) parts.push(`batch ${String(p.batchSize)}`);
  if (num(p.lr) !== undefined) parts.push(`lr ${String(p.lr)}`);
  if (typeof p.provider === 'string') parts.push(`on ${p.provider === 'cpu' ? 'the CPU' : p.provider}`);
  return parts.length === 0 ? undefined : parts.join(', ');
}

/**
 * One note per distinct evaluator and trainer setting (instances with identical notes share one line, listed by
 * id), then the pipeline's overrides.
 */
export function generatedNotes(context: PipelineContext, summaries: ReadonlyMap<string, EvalSummary>): string[] {
  const lines = new Map<string, string[]>();
  const add = (text: string | undefined, id: string): void => {
    if (text === undefined) return;
    lines.set(text, [...(lines.get(text) ?? []), id]);
  };
  for (const inst of context.instances) {
    if (inst.kind.startsWith('eval.')) add(`Evaluation: ${evalNote(inst, summaries.get(inst.id))}.`, inst.id);
    else if (inst.kind.startsWith('train.')) add(`Training (${inst.kind}): ${trainNote(inst) ?? 'default settings'}.`, inst.id);
  }
  const out = [...lines.entries()].map(([text, ids]) => `${text} [${ids.join(', ')}]`);
  if (context.overrides.length > 0) out.push(`Run with ${context.overrides.map((o) => `--set ${o}`).join(' ')} (params below are the effective ones).`);
  return out;
}
