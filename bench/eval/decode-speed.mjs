// Decoding throughput of the streaming KV-cache generator (the evaluator's and GRPO's decode path), per execution
// provider, model and batch width: prompt pass (prefill) time and decode tokens per second. Providers run
// alternately, round by round, so both see the same machine load.
// Run: npm run build && node bench/eval/decode-speed.mjs [--providers cpu,webgpu] [--models gpt,llama-fixture,llama-135m]
//        [--batches 1,8,32,64] [--prompt 96] [--new 64] [--threads N] [--rounds 2] [--kv auto|host|resident]
//   gpt            the default pipeline's GPT (pipelines/sokoban-diverse-cot.yaml: 2 layers × 128, block 320)
//   llama-fixture  the Llama test fixture (test/fixtures/hf/llama: 2 layers × 32, grouped-query attention, RoPE)
//   llama-135m     a SmolLM2-135M-shaped Llama (30 layers × 576, 9 heads / 3 KV heads, vocabulary 49 152)
//   <dir>          a Hugging Face model folder (config.json + safetensors)
// --kv: where the KV cache lives between decode runs (auto: on the device for WebGPU, on the host for the CPU EP).
// Weights are random where no folder is given (speed does not depend on them). No row stops early: every row
// generates exactly --new tokens. Decode tokens/s = rows × (new − 1) / (time(new) − time(1)), so the prompt pass and
// the first token are not counted in it; prefill is time(1); both times are the fastest of the rounds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as nn from '../../dist/nn/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const providers = opt('--providers', 'cpu').split(',');
const models = opt('--models', 'gpt,llama-fixture').split(',');
const batches = opt('--batches', '1,8,32,64').split(',').map(Number);
const promptLen = Number(opt('--prompt', '96'));
const newTokens = Number(opt('--new', '64'));
const rounds = Number(opt('--rounds', '2'));
const threadsArg = opt('--threads', undefined);
const threads = threadsArg === undefined ? {} : { threads: Number(threadsArg) };
const kv = opt('--kv', 'auto');
const residentKv = kv === 'auto' ? {} : { residentKv: kv === 'resident' };


async function loadModel(name) {
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
  } else {
    const dir = name === 'llama-fixture' ? new URL('../../test/fixtures/hf/llama', import.meta.url).pathname : name;
    if (!existsSync(join(dir, 'config.json'))) throw new Error(`decode-speed: ${dir} is not a Hugging Face model folder`);
    const { folder, weights } = await nn.loadHfModel(dir);
    ckpt = nn.llamaCheckpoint(folder.config, weights);
  }
  const V = ckpt.config.vocabSize;
  return { ckpt, vocab: { ...nn.idVocab(ckpt.config), eos: [] }, promptId: (i) => (7 + i * 31) % V };
}

async function timeStream(gen, B, prompt, maxNewTokens) {
  const reqs = Array.from({ length: B }, (_, i) => ({ prompt, seed: i }));
  const t0 = performance.now();
  let tokens = 0;
  await gen.stream(() => reqs.shift(), (_, t) => (tokens += t.length), { maxNewTokens, temperature: 0.5, topP: 1 });
  if (tokens !== B * maxNewTokens) throw new Error(`decode-speed: expected ${B * maxNewTokens} tokens, got ${tokens}`);
  return (performance.now() - t0) / 1000;
}

console.log(`prompt ${promptLen} tokens, ${newTokens} new tokens per row, temperature 0.5, ${threadsArg ?? 'default'} threads, KV cache ${kv}, ${rounds} rounds (fastest)`);
for (const name of models) {
  const { ckpt, vocab, promptId } = await loadModel(name);
  const prompt = Array.from({ length: promptLen }, (_, i) => promptId(i));
  const maxLen = Math.ceil((promptLen + 2 + newTokens) / 32) * 32;
  for (const B of batches) {
    const gens = new Map();
    for (const provider of providers) {
      const gen = await nn.Generator.create(ckpt, { maxBatch: B, maxLen, vocab, provider, ...threads, ...residentKv });
      await timeStream(gen, B, prompt, 2); // builds the sessions
      gens.set(provider, { gen, t1: [], tN: [] });
    }
    for (let r = 0; r < rounds; r++) {
      for (const [, g] of gens) {
        g.t1.push(await timeStream(g.gen, B, prompt, 1));
        g.tN.push(await timeStream(g.gen, B, prompt, newTokens));
      }
    }
    const decode = (g) => {
      const dt = Math.min(...g.tN) - Math.min(...g.t1);
      return dt > 0 ? (B * (newTokens - 1)) / dt : Number.NaN; // NaN: the machine's noise exceeded the decode time
    };
    const line = [...gens].map(([p, g]) => `${p}: prefill ${(Math.min(...g.t1) * 1000).toFixed(1)} ms, decode ${decode(g).toFixed(0)} tokens/s`);
    const ratio = providers.length === 2 ? `  (${providers[1]} / ${providers[0]} decode: ${(decode(gens.get(providers[1])) / decode(gens.get(providers[0]))).toFixed(2)})` : '';
    console.log(`${name.padEnd(14)} batch ${String(B).padStart(3)}  ${line.join('   ')}${ratio}`);
    for (const [, g] of gens) await g.gen.dispose();
  }
}
