// Decoding throughput of the streaming KV-cache generator (the evaluator's and GRPO's decode path), per execution
// provider, decode graph, model, batch width and temperature: prompt pass (prefill) time and decode tokens per
// second. Every configuration of a (model, batch) runs alternately, round by round, so all see the same machine load.
// Run: npm run build && node bench/eval/decode-speed.mjs [--providers cpu,webgpu] [--models gpt,llama-fixture,llama-135m]
//        [--batches 1,8,32,64] [--graph standard,fused,fused-mha] [--temperature 0.5] [--prompt 96] [--new 64] [--threads N]
//        [--rounds 2] [--kv auto|host|resident] [--sampler auto|host,graph] [--vs OTHER/nn/index.js]
// Models: see bench-models.mjs. --graph: GeneratorOptions.decodeGraph (fused, fused-mha: onnxruntime contrib ops,
// always with the cache on the device). --kv: where the standard graph's KV cache lives between decode runs (auto: on the device
// for WebGPU, on the host for the CPU EP). --temperature: a list (0 = greedy) to compare sampled with greedy decoding.
// --sampler: GeneratorOptions.sampler, a list (auto: the Generator's default), each with its own greedy runs.
// No row stops early: every row generates exactly --new tokens. Decode tokens/s = rows × (new − 1) / (time(new) −
// time(1)), so the prompt pass and the first token are not counted in it; prefill is time(1); both times are the
// fastest of the rounds. With the standard graph and a fused one, each provider first checks that the fused graph
// decodes the standard one's greedy tokens. --vs: a second build of src/nn (its nn/index.js, e.g. made by
// `bash bench/train/snapshot.sh REV DIR`) runs every configuration too, interleaved round by round; the prefill times
// this/vs are printed, and the two builds' standard graphs must decode the same greedy tokens.
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as nn from '../../dist/nn/index.js';
import { benchModel } from './bench-models.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const providers = opt('--providers', 'cpu').split(',');
const models = opt('--models', 'gpt,llama-fixture').split(',');
const batches = opt('--batches', '1,8,32,64').split(',').map(Number);
const graphs = opt('--graph', 'standard').split(',');
const temperatures = opt('--temperature', '0.5').split(',').map(Number);
const promptLen = Number(opt('--prompt', '96'));
const newTokens = Number(opt('--new', '64'));
const rounds = Number(opt('--rounds', '2'));
const threadsArg = opt('--threads', undefined);
const threads = threadsArg === undefined ? {} : { threads: Number(threadsArg) };
const kv = opt('--kv', 'auto');
const samplers = opt('--sampler', 'auto').split(',');
const vsPath = opt('--vs', undefined);
const builds = [{ tag: 'this', nn }, ...(vsPath ? [{ tag: 'vs', nn: await import(pathToFileURL(resolve(vsPath)).href) }] : [])];
for (const sm of samplers) if (!['auto', 'host', 'graph'].includes(sm)) throw new Error(`decode-speed: --sampler takes auto, host, graph, got '${sm}'`);
const GRAPHS = ['standard', 'fused', 'fused-mha'];
for (const gr of graphs) if (!GRAPHS.includes(gr)) throw new Error(`decode-speed: --graph takes ${GRAPHS.join(', ')}, got '${gr}'`);
if (kv === 'host' && graphs.some((gr) => gr !== 'standard')) throw new Error('decode-speed: the fused graphs keep the cache on the device; drop --kv host or the fused graphs');

/** Generator options of one decode graph. */
const graphOptions = (graph) => (graph !== 'standard' ? { decodeGraph: graph } : { decodeGraph: 'standard', ...(kv === 'auto' ? {} : { residentKv: kv === 'resident' }) });
const samplerOptions = (sampler) => (sampler === 'auto' ? {} : { sampler });

async function timeStream(gen, B, prompt, maxNewTokens, temperature) {
  const reqs = Array.from({ length: B }, (_, i) => ({ prompt, seed: i }));
  const t0 = performance.now();
  let tokens = 0;
  await gen.stream(() => reqs.shift(), (_, t) => (tokens += t.length), { maxNewTokens, temperature, topP: 1 });
  if (tokens !== B * maxNewTokens) throw new Error(`decode-speed: expected ${B * maxNewTokens} tokens, got ${tokens}`);
  return (performance.now() - t0) / 1000;
}

/** Greedy responses of B rows (prompts of different lengths and contents), to check that the decode graphs agree. */
async function greedy(gen, B, prompt) {
  const prompts = Array.from({ length: B }, (_, i) => prompt.slice((i * 5) % Math.max(1, prompt.length - 8)).map((id, j) => (j % 3 === 0 ? prompt[(i + j) % prompt.length] : id)));
  return (await gen.generate(prompts, { maxNewTokens: 16, temperature: 0, topP: 1, seed: 1 })).tokens;
}

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
console.log(
  `prompt ${promptLen} tokens, ${newTokens} new tokens per row, temperature ${temperatures.join('/')}, ${threadsArg ?? 'default'} threads, ` +
    `KV cache ${kv}, graphs ${graphs.join('/')}, sampler ${samplers.join('/')}, ${rounds} rounds (fastest)`,
);
for (const name of models) {
  const { ckpt, vocab, promptId } = await benchModel(name);
  const prompt = Array.from({ length: promptLen }, (_, i) => promptId(i));
  const maxLen = Math.ceil((promptLen + 2 + newTokens) / 32) * 32;
  for (const B of batches) {
    const runs = [];
    for (const provider of providers) {
      const byGraph = new Map();
      let vsStandard;
      for (const build of builds) for (const graph of graphs) {
        for (const sampler of samplers) {
          // A graph that fails here (e.g. an op this provider lacks) is reported and left out; the others still run.
          let gen;
          try {
            gen = await build.nn.Generator.create(ckpt, { maxBatch: B, maxLen, vocab, provider, ...threads, ...graphOptions(graph), ...samplerOptions(sampler) });
            for (const t of temperatures) await timeStream(gen, B, prompt, 2, t); // builds the sessions
          } catch (e) {
            console.log(`${name} batch ${B} ${provider}/${graph}/${sampler}${build.tag === 'vs' ? '/vs' : ''}: FAILED, left out: ${e instanceof Error ? e.message : String(e)}`);
            await gen?.dispose().catch(() => {});
            continue;
          }
          if (build.tag === 'vs') vsStandard ??= graph === 'standard' ? gen : undefined;
          else if (!byGraph.has(graph)) byGraph.set(graph, gen);
          for (const temperature of temperatures) runs.push({ build: build.tag, provider, graph, sampler, temperature, gen, t1: [], tN: [] });
        }
      }
      if (byGraph.has('standard')) {
        const a = await greedy(byGraph.get('standard'), B, prompt);
        for (const gr of graphs.filter((x) => x !== 'standard' && byGraph.has(x))) {
          const b = await greedy(byGraph.get(gr), B, prompt);
          const bad = a.findIndex((row, i) => row.join() !== b[i].join());
          console.log(`${name} batch ${B} ${provider}: ${gr} and standard greedy tokens ${bad < 0 ? 'agree' : `DIFFER (row ${bad}: ${a[bad].join(' ')} vs ${b[bad].join(' ')})`}`);
        }
        if (vsStandard) {
          const b = await greedy(vsStandard, B, prompt);
          const bad = a.findIndex((row, i) => row.join() !== b[i].join());
          console.log(`${name} batch ${B} ${provider}: this build's and the vs build's greedy tokens ${bad < 0 ? 'agree' : `DIFFER (row ${bad}: ${a[bad].join(' ')} vs ${b[bad].join(' ')})`}`);
        }
      }
    }
    for (let r = 0; r < rounds; r++) {
      for (const run of runs) {
        run.t1.push(await timeStream(run.gen, B, prompt, 1, run.temperature));
        run.tN.push(await timeStream(run.gen, B, prompt, newTokens, run.temperature));
      }
    }
    for (const run of runs) {
      const dt = Math.min(...run.tN) - Math.min(...run.t1);
      run.decode = dt > 0 ? (B * (newTokens - 1)) / dt : Number.NaN; // NaN: the machine's noise exceeded the decode time
      run.prefill = Math.min(...run.t1) * 1000;
    }
    const label = (run) =>
      [...(builds.length > 1 ? [run.build] : []), run.provider, ...(graphs.length > 1 ? [run.graph] : []), ...(samplers.length > 1 ? [run.sampler] : []), ...(temperatures.length > 1 ? [`T=${run.temperature}`] : [])].join('/');
    console.log(`${name.padEnd(14)} batch ${String(B).padStart(3)}  ${runs.map((run) => `${label(run)}: prefill ${run.prefill.toFixed(1)} ms, decode ${run.decode.toFixed(0)} tokens/s`).join('   ')}`);
    // Ratios of decode tokens/s: second provider against the first (per graph and temperature), each fused graph
    // against the standard one, and the second provider's best graph against the first provider's best; then decode time sampled
    // against greedy (the first temperature 0, else the first listed).
    const get = (p, gr, t, sm = samplers[0]) => runs.find((run) => run.build === 'this' && run.provider === p && run.graph === gr && run.sampler === sm && run.temperature === t)?.decode ?? Number.NaN;
    const ratios = [];
    for (const t of temperatures) {
      const tl = temperatures.length > 1 ? ` T=${t}` : '';
      if (providers.length === 2) for (const gr of graphs) ratios.push(`${providers[1]}/${providers[0]} ${gr}${tl} ${fmt(get(providers[1], gr, t) / get(providers[0], gr, t))}`);
      if (graphs.includes('standard')) for (const gr of graphs.filter((x) => x !== 'standard')) for (const p of providers) ratios.push(`${gr}/standard ${p}${tl} ${fmt(get(p, gr, t) / get(p, 'standard', t))}`);
      if (providers.length === 2 && graphs.length > 1) {
        const best = (p) => Math.max(...graphs.map((gr) => get(p, gr, t)).filter((x) => !Number.isNaN(x)));
        ratios.push(`best ${providers[1]}/best ${providers[0]}${tl} ${fmt(best(providers[1]) / best(providers[0]))}`);
      }
    }
    if (temperatures.length > 1) {
      const greedyT = temperatures.includes(0) ? 0 : temperatures[0];
      for (const p of providers) {
        for (const gr of graphs) {
          for (const sm of samplers) {
            if (!runs.some((run) => run.build === 'this' && run.provider === p && run.graph === gr && run.sampler === sm)) continue; // left out (FAILED)
            const tag = samplers.length > 1 ? `/${sm}` : '';
            for (const t of temperatures.filter((x) => x !== greedyT)) ratios.push(`time T=${t}/T=${greedyT} ${p}/${gr}${tag} ${fmt(get(p, gr, greedyT, sm) / get(p, gr, t, sm))}`);
          }
        }
      }
    }
    if (ratios.length > 0) console.log(`${''.padEnd(14)} ratios (decode tokens/s): ${ratios.join(', ')}`);
    if (builds.length > 1) {
      const vs = (run) => runs.find((o) => o.build === 'vs' && o.provider === run.provider && o.graph === run.graph && o.sampler === run.sampler && o.temperature === run.temperature);
      const pairs = runs.filter((run) => run.build === 'this' && vs(run));
      console.log(`${''.padEnd(14)} prefill this/vs: ${pairs.map((run) => `${label(run).replace(/^this\//, '')} ${fmt(run.prefill / vs(run).prefill)}`).join(', ')}`);
    }
    for (const gen of new Set(runs.map((run) => run.gen))) await gen.dispose();
  }
}
