import { mergeLora } from './models/lora.js';
import { inputParams } from './models/gpt.js';
import { contextLength, decoderModel, isLlama } from './models/model.js';
import { encodeModel } from './onnx/encode.js';
import { Graph } from './onnx/graph.js';
import { tokenizer } from './tokenizer.js';
import type { Checkpoint, SessionOptions } from './types.js';

/**
 * One forward pass over `ids` (batch 1, no special ids added): the logits, (T, V) row-major. What `pipe model logits`
 * prints and what equivalence checks against transformers compare. The weights are graph inputs (LoRA merged), so
 * the graph is the same one training and decoding use.
 */
export async function forwardLogits(ckpt0: Checkpoint, ids: readonly number[], opts: SessionOptions = {}): Promise<{ shape: [number, number]; logits: Float32Array }> {
  const ckpt = mergeLora(ckpt0);
  const cfg = ckpt.config;
  const T = ids.length;
  const V = cfg.vocabSize;
  if (T < 1) throw new Error('forwardLogits: no ids');
  if (T > contextLength(cfg)) throw new Error(`forwardLogits: ${T} ids exceed the model's context of ${contextLength(cfg)}`);
  const limit = isLlama(cfg) ? V : tokenizer.vocabSize;
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= limit);
  if (bad !== undefined) throw new Error(`forwardLogits: id ${bad} is outside the vocabulary of ${limit}`);
  const model = decoderModel(cfg);
  const g = new Graph();
  const { params } = inputParams(g, model.specs);
  const tokens = g.input('tokens', 'int32', [1, T]);
  g.output(model.forward(g, params, tokens).logits, 'logits'); // (T, V)
  const rt = await import('./runtime/ort.js');
  const s = await rt.RtSession.create(encodeModel(g), { ...opts, label: 'forward logits' });
  try {
    const feeds: Record<string, ReturnType<typeof rt.tensor>> = { tokens: rt.tensor('int32', Int32Array.from(ids), [1, T]) };
    for (const spec of model.specs) {
      const w = ckpt.weights.get(spec.name);
      if (w === undefined) throw new Error(`forwardLogits: the checkpoint has no tensor '${spec.name}'`);
      feeds[spec.name] = rt.tensor('float32', w, spec.shape);
    }
    const out = await s.run(feeds);
    return { shape: [T, V], logits: Float32Array.from(rt.hostData<Float32Array>(out['logits']!)) };
  } finally {
    await s.release();
  }
}
