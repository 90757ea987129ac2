// The models decode-speed.mjs and decode-kernels.mjs measure, by name (weights random where no folder is given:
// speed does not depend on them):
//   gpt            the default pipeline's GPT (pipelines/sokoban-diverse-cot.yaml: 2 layers × 128, block 320)
//   llama-fixture  the Llama test fixture (test/fixtures/hf/llama: 2 layers × 32, grouped-query attention, RoPE)
//   llama-135m     a SmolLM2-135M-shaped Llama (30 layers × 576, 9 heads / 3 KV heads, vocabulary 49 152)
//   llama-v152k    a 2-layer × 64 Llama with Qwen2.5's vocabulary (151 936): the sampler's cost without a large body
//   <dir>          a Hugging Face model folder (config.json + safetensors)
// Returns the checkpoint, a vocabulary without EOS (every row runs to the requested length) and prompt ids by index.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../../dist/nn/index.js';

export async function benchModel(name) {
  if (name === 'gpt') {
    const ckpt = nn.initGpt({ vocabSize: 260, blockSize: 320, nLayer: 2, nHead: 4, nEmbd: 128 }, 1);
    // Bytes only: no EOS, so every row runs to --new tokens.
    return { ckpt, vocab: { ...nn.byteVocab, eos: [], allowed: (id) => id < 256 }, promptId: (i) => 97 + (i % 26) };
  }
  let ckpt;
  if (name === 'llama-135m') {
    ckpt = nn.initLlama(
      nn.llamaConfig({ vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numLayers: 30, numHeads: 9, numKvHeads: 3, headDim: 64, maxPositions: 2048 }),
      1,
    );
  } else if (name === 'llama-v152k') {
    ckpt = nn.initLlama(
      nn.llamaConfig({ vocabSize: 151936, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, maxPositions: 2048 }),
      1,
    );
  } else {
    const dir = name === 'llama-fixture' ? new URL('../../test/fixtures/hf/llama', import.meta.url).pathname : name;
    if (!existsSync(join(dir, 'config.json'))) throw new Error(`bench: ${dir} is not a Hugging Face model folder`);
    const { folder, weights } = await nn.loadHfModel(dir);
    ckpt = nn.llamaCheckpoint(folder.config, weights);
  }
  const V = ckpt.config.vocabSize;
  return { ckpt, vocab: { ...nn.idVocab(ckpt.config), eos: [] }, promptId: (i) => (7 + i * 31) % V };
}
