import { numel } from './models/gpt-params.js';
import type { FlatLayout } from './models/gpt.js';

/** Packs named tensors into one flat buffer in layout order; names a missing or mis-sized tensor. */
export function flatten(map: ReadonlyMap<string, Float32Array>, layout: FlatLayout, what: string): Float32Array {
  const out = new Float32Array(layout.size);
  layout.specs.forEach((s, i) => {
    const data = map.get(s.name);
    if (data === undefined) throw new Error(`${what}: missing tensor '${s.name}'`);
    if (data.length !== numel(s.shape)) {
      throw new Error(`${what}: tensor '${s.name}' has ${data.length} values, expected ${numel(s.shape)} for shape [${s.shape.join(',')}]`);
    }
    out.set(data, layout.offsets[i]);
  });
  return out;
}

/** Splits a flat buffer into named copies. */
export function unflatten(flat: Float32Array, layout: FlatLayout): Map<string, Float32Array> {
  const map = new Map<string, Float32Array>();
  layout.specs.forEach((s, i) => {
    const off = layout.offsets[i] as number;
    map.set(s.name, flat.slice(off, off + numel(s.shape)));
  });
  return map;
}

/** 1 where AdamW decays the parameter (≥ 2-D tensors), else 0. */
export function decayMask(layout: FlatLayout): Float32Array {
  const out = new Float32Array(layout.size);
  layout.specs.forEach((s, i) => {
    if (s.decay) out.fill(1, layout.offsets[i], (layout.offsets[i] as number) + numel(s.shape));
  });
  return out;
}
