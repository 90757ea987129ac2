import { Rng } from '../../util/rng.js';
import type { Checkpoint } from '../types.js';
import type { ParamSpec } from './gpt-params.js';
import { numel } from './gpt-params.js';
import type { LlamaConfig } from './llama-config.js';

/** The projections LoRA can adapt (peft's `target_modules` names for Llama-family models). */
export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/**
 * Low-rank adapters as peft applies them: W·x + (alpha/rank)·B·A·dropout(x) on each targeted projection, A (rank, in)
 * drawn uniformly in ±1/√in (peft's kaiming_uniform with a = √5), B (out, rank) zero, so training starts at the base
 * model. `seed` draws A and seeds the dropout masks.
 */
export interface LoraConfig {
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly targets: readonly LoraTarget[];
  readonly seed: number;
}

/** Throws a message naming the field for an unusable LoRA config. */
export function validateLora(l: LoraConfig): void {
  if (!Number.isInteger(l.rank) || l.rank < 1) throw new Error(`lora.rank must be a positive integer, got ${l.rank}`);
  if (!(l.alpha > 0)) throw new Error(`lora.alpha must be > 0, got ${l.alpha}`);
  if (!(l.dropout >= 0 && l.dropout < 1)) throw new Error(`lora.dropout must be in [0, 1), got ${l.dropout}`);
  if (l.targets.length === 0) throw new Error('lora.targets must name at least one projection');
  for (const t of l.targets) {
    if (!(LORA_TARGETS as readonly string[]).includes(t)) throw new Error(`lora.targets: unknown projection '${t}' (one of ${LORA_TARGETS.join(', ')})`);
  }
}

/** (out, in) of a targeted projection. */
function projShape(cfg: LlamaConfig, t: LoraTarget): [number, number] {
  const C = cfg.hiddenSize;
  const q = cfg.numHeads * cfg.headDim;
  const kv = cfg.numKvHeads * cfg.headDim;
  const I = cfg.intermediateSize;
  const shapes: Record<LoraTarget, [number, number]> = {
    q_proj: [q, C], k_proj: [kv, C], v_proj: [kv, C], o_proj: [C, q], gate_proj: [I, C], up_proj: [I, C], down_proj: [C, I],
  };
  return shapes[t];
}

/** HF module path of a projection in a layer. */
function modulePath(layer: number, t: LoraTarget): string {
  const part = t === 'gate_proj' || t === 'up_proj' || t === 'down_proj' ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${part}.${t}`;
}

/** The adapter parameters (`<module>.lora_A.weight` (rank, in), `<module>.lora_B.weight` (out, rank)), layer by layer. */
export function loraSpecs(cfg: LlamaConfig, l: LoraConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    for (const t of LORA_TARGETS) {
      if (!l.targets.includes(t)) continue;
      const [out, inp] = projShape(cfg, t);
      const m = modulePath(layer, t);
      specs.push(
        { name: `${m}.lora_A.weight`, shape: [l.rank, inp], init: { kind: 'uniform', bound: 1 / Math.sqrt(inp) }, decay: true },
        { name: `${m}.lora_B.weight`, shape: [out, l.rank], init: { kind: 'const', value: 0 }, decay: true },
      );
    }
  }
  return specs;
}

/** A checkpoint of a Llama-family model with fresh adapters added (A seeded uniform, B zero): the start of a LoRA run. */
export function withLora(ckpt: Checkpoint, lora: LoraConfig): Checkpoint {
  if (!('architecture' in ckpt.config)) throw new Error('LoRA applies to Llama-family models only, not to the byte-level GPT');
  if (ckpt.lora) throw new Error('withLora: the checkpoint already carries LoRA adapters (merge them first)');
  validateLora(lora);
  const rng = new Rng(lora.seed);
  const weights = new Map(ckpt.weights);
  for (const s of loraSpecs(ckpt.config, lora)) {
    const data = new Float32Array(numel(s.shape));
    if (s.init.kind === 'uniform') for (let i = 0; i < data.length; i++) data[i] = (2 * rng.next() - 1) * s.init.bound;
    weights.set(s.name, data);
  }
  const { optimizer: _dropped, ...rest } = ckpt;
  return { ...rest, step: 0, weights, lora };
}

/**
 * The checkpoint with its adapters folded into the base weights, W' = W + (alpha/rank)·B·A, and removed: what
 * inference, checkpoints and the Hugging Face export use. A checkpoint without LoRA is returned as is.
 */
export function mergeLora(ckpt: Checkpoint): Checkpoint {
  const lora = ckpt.lora;
  if (!lora || !('architecture' in ckpt.config)) return ckpt;
  const cfg = ckpt.config;
  const scale = lora.alpha / lora.rank;
  const weights = new Map(ckpt.weights);
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    for (const t of lora.targets) {
      const m = modulePath(layer, t);
      const [out, inp] = projShape(cfg, t);
      const get = (n: string) => {
        const w = weights.get(n);
        if (!w) throw new Error(`mergeLora: missing tensor '${n}'`);
        return w;
      };
      const A = get(`${m}.lora_A.weight`);
      const B = get(`${m}.lora_B.weight`);
      const W = Float32Array.from(get(`${m}.weight`));
      const r = lora.rank;
      for (let o = 0; o < out; o++) {
        for (let k = 0; k < r; k++) {
          const b = (B[o * r + k] as number) * scale;
          if (b === 0) continue;
          const row = k * inp;
          for (let i = 0; i < inp; i++) W[o * inp + i] = (W[o * inp + i] as number) + b * (A[row + i] as number);
        }
      }
      weights.set(`${m}.weight`, W);
      weights.delete(`${m}.lora_A.weight`);
      weights.delete(`${m}.lora_B.weight`);
    }
  }
  const { lora: _l, optimizer: _o, ...rest } = ckpt;
  return { ...rest, weights };
}
