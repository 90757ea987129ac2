import { Rng } from '../../util/rng.js';
import type { Checkpoint, GptConfig } from '../types.js';

/** One parameter: its name, shape, init and whether AdamW decays it (only ≥ 2-D tensors are decayed). */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init:
    | { readonly kind: 'normal'; readonly std: number }
    | { readonly kind: 'const'; readonly value: number }
    | { readonly kind: 'uniform'; readonly bound: number };
  readonly decay: boolean;
}

/**
 * The GPT's parameters in a fixed order (the order of the flat parameter buffer). Linear weights are stored
 * [in, out] so `x·W` needs no transpose; names follow nanoGPT. Residual projections get nanoGPT's scaled init
 * std 0.02/√(2·nLayer).
 */
export function gptParamSpecs(cfg: GptConfig): ParamSpec[] {
  validateConfig(cfg);
  const C = cfg.nEmbd;
  const normal = (std: number) => ({ kind: 'normal', std }) as const;
  const one = { kind: 'const', value: 1 } as const;
  const zero = { kind: 'const', value: 0 } as const;
  const resid = normal(0.02 / Math.sqrt(2 * cfg.nLayer));
  const specs: ParamSpec[] = [
    { name: 'wte', shape: [cfg.vocabSize, C], init: normal(0.02), decay: true },
    { name: 'wpe', shape: [cfg.blockSize, C], init: normal(0.02), decay: true },
  ];
  for (let i = 0; i < cfg.nLayer; i++) {
    const p = `h.${i}.`;
    specs.push(
      { name: `${p}ln_1.weight`, shape: [C], init: one, decay: false },
      { name: `${p}ln_1.bias`, shape: [C], init: zero, decay: false },
      { name: `${p}attn.c_attn.weight`, shape: [C, 3 * C], init: normal(0.02), decay: true },
      { name: `${p}attn.c_attn.bias`, shape: [3 * C], init: zero, decay: false },
      { name: `${p}attn.c_proj.weight`, shape: [C, C], init: resid, decay: true },
      { name: `${p}attn.c_proj.bias`, shape: [C], init: zero, decay: false },
      { name: `${p}ln_2.weight`, shape: [C], init: one, decay: false },
      { name: `${p}ln_2.bias`, shape: [C], init: zero, decay: false },
      { name: `${p}mlp.c_fc.weight`, shape: [C, 4 * C], init: normal(0.02), decay: true },
      { name: `${p}mlp.c_fc.bias`, shape: [4 * C], init: zero, decay: false },
      { name: `${p}mlp.c_proj.weight`, shape: [4 * C, C], init: resid, decay: true },
      { name: `${p}mlp.c_proj.bias`, shape: [C], init: zero, decay: false },
    );
  }
  specs.push(
    { name: 'ln_f.weight', shape: [C], init: one, decay: false },
    { name: 'ln_f.bias', shape: [C], init: zero, decay: false },
  );
  return specs;
}

/** Throws a clear error for an unusable config (non-integers, nEmbd not divisible by nHead…). */
export function validateConfig(cfg: GptConfig): void {
  for (const key of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
    const v = cfg[key];
    if (!Number.isInteger(v) || v < 1) throw new Error(`GptConfig.${key} must be a positive integer, got ${v}`);
  }
  if (cfg.nEmbd % cfg.nHead !== 0) {
    throw new Error(`GptConfig.nEmbd (${cfg.nEmbd}) must be divisible by nHead (${cfg.nHead})`);
  }
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total parameter count of a config. */
export function countParams(cfg: GptConfig): number {
  return gptParamSpecs(cfg).reduce((n, s) => n + numel(s.shape), 0);
}

/** Fresh weights drawn from a seeded Rng (std-0.02 normals, scaled residual projections, LayerNorm 1/0). */
export function initGpt(config: GptConfig, seed: number): Checkpoint {
  const rng = new Rng(seed);
  const weights = new Map<string, Float32Array>();
  for (const spec of gptParamSpecs(config)) {
    const data = new Float32Array(numel(spec.shape));
    if (spec.init.kind === 'normal') {
      for (let i = 0; i < data.length; i++) data[i] = rng.normal() * spec.init.std;
    } else if (spec.init.kind === 'const') {
      data.fill(spec.init.value);
    }
    weights.set(spec.name, data);
  }
  return { config, step: 0, weights };
}
