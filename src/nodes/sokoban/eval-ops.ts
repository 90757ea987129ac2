/**
 * Binds the Sokoban task API to the evaluation loop: levels from XSB, the paper's environment with the 30-action
 * cap, prompts rendered by the SAME `renderSokobanPrompt` and template as the training data, and answers parsed
 * through the environment vocabulary its evalset line carries (so Fake splits accept only the training words, and a
 * user-declared split needs no lookup by name).
 */
import { parseAction, parseLevel, parseSokobanTemplate, renderSokobanPrompt, SokobanEnv } from './api.js';
import type { SokobanOps } from './rollout.js';

/** Ops for a template file's text. */
export function sokobanOps(templateText: string): SokobanOps {
  const template = parseSokobanTemplate(templateText);
  return {
    stop: template.response.includes('</answer>') ? ['</answer>'] : undefined,
    start(spec, maxActions) {
      const env = SokobanEnv.fromLevel(parseLevel(spec.xsb), { maxSteps: maxActions });
      return {
        prompt: () => renderSokobanPrompt({ template, grid: env.state, vocab: spec.promptVocab }),
        act(output) {
          const dir = parseAction(output, spec.envVocab);
          if (dir === null || env.done) return { valid: dir !== null, done: env.done, success: env.success, reward: 0 };
          const r = env.step(dir);
          return { valid: true, done: r.done, success: r.success, reward: r.reward };
        },
      };
    },
  };
}
