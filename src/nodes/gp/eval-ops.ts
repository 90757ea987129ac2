/**
 * Binds the General Points task API to the evaluation loop: prompts rendered by the SAME `renderGpPrompt` and
 * template as the training data, outputs scored by `scoreGp` (which applies the split's scoring mapping — Fake
 * tasks are scored with 10 whatever the prompt said).
 */
import { renderGpPrompt, scoreGp, type GpTask } from './api.js';
import type { GpOps } from './rollout.js';

function asTask(spec: Readonly<Record<string, unknown>>): GpTask {
  if (!Array.isArray(spec.values) || !Array.isArray(spec.display_cards) || typeof spec.promptMapping !== 'string') {
    throw new Error(`GP task ${String(spec.split)}#${String(spec.index)}: missing values/display_cards/promptMapping (not a gp.evalset line)`);
  }
  return spec as unknown as GpTask;
}

/** Ops for a template file's text. */
export function gpOps(templateText: string): GpOps {
  return {
    prompt: (task) => renderGpPrompt({ template: templateText, task: asTask(task) }),
    score(output, task) {
      const s = scoreGp(output, asTask(task), { mode: 'any' });
      return { reward: s.reward, valid: s.valid };
    },
  };
}
