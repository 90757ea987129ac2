/**
 * Fine-tuning a Hugging Face model through a pipeline: the tiny Qwen2 fixture (made by transformers) trained for a
 * few steps on General Points rows rendered through its chat template, fully and with LoRA; the losses fall, LoRA
 * leaves every base weight it does not adapt bit-identical, the written hf/ folder reloads with the trained
 * checkpoint's logits, and eval.gp evaluates the model through its tokenizer. A broken model folder stops the
 * pipeline while it loads (exit 2, located, nothing written).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { runPipeline } from '../../src/engine/execute.js';
import { loadPipeline } from '../../src/engine/load.js';
import { openStore } from '../../src/engine/store.js';
import { forwardLogits, llamaCheckpoint, loadCheckpoint, loadHfModel } from '../../src/nn/index.js';
import { readSafetensors } from '../../src/nn/hf/safetensors.js';
import { library } from '../../src/nodes/index.js';
import { capture } from '../cli/capture.js';
import { fixture } from '../nn/hf/helpers.js';

/** The pipeline (also the source of exported folders for check_export.py), with its paths made local to a project. */
const PIPELINE = readFileSync(fixture('finetune-tiny.yaml'), 'utf8').replaceAll('../../../pipelines/templates/', 'templates/');

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-hf-'));
  mkdirSync(join(dir, 'templates'));
  copyFileSync(new URL('../../pipelines/templates/gp-compact.txt', import.meta.url), join(dir, 'templates', 'gp-compact.txt'));
  cpSync(fixture('qwen2'), join(dir, 'qwen2'), { recursive: true });
  writeFileSync(join(dir, 'p.yaml'), PIPELINE);
  return dir;
}

function losses(modelDir: string): number[] {
  return readFileSync(join(modelDir, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { loss: number }).loss);
}

function same(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('fine-tuning a Hugging Face model in a pipeline', () => {
  it('full and LoRA: loss falls, LoRA keeps the base weights, hf/ reloads with identical logits, eval runs', async () => {
    const dir = project();
    const loaded = loadPipeline(join(dir, 'p.yaml'), { library });
    expect(loaded.diagnostics).toEqual([]);
    const summary = await runPipeline(loaded.pipeline!, { jobs: 2 });
    expect(summary.nodes.map((n) => [n.id, n.status])).toEqual(expect.arrayContaining([['full', 'ran'], ['lora', 'ran'], ['grpo', 'ran'], ['eval', 'ran']]));
    const store = openStore(loaded.pipeline!.store);
    const out = async (id: string): Promise<string> => store.artifactPath(summary.nodes.find((n) => n.id === id)!.outputs!['model']!);
    const fullDir = await out('full');
    const loraDir = await out('lora');
    for (const d of [fullDir, loraDir]) {
      const l = losses(d);
      expect(l.at(-1)!, d).toBeLessThan(l[0]!);
    }
    const base = await readSafetensors(join(dir, 'qwen2', 'model.safetensors'));
    const fullW = await readSafetensors(join(fullDir, 'hf', 'model.safetensors'));
    const loraW = await readSafetensors(join(loraDir, 'hf', 'model.safetensors'));
    expect([...loraW.keys()].sort()).toEqual([...base.keys()].sort()); // original names, no adapter tensors
    for (const [name, t] of base) {
      const adapted = /\.(q_proj|v_proj)\.weight$/.test(name);
      expect(same(loraW.get(name)!.data, t.data), `lora ${name}`).toBe(!adapted);
      if (t.data.length > 1 && !name.includes('norm')) expect(same(fullW.get(name)!.data, t.data), `full ${name}`).toBe(false);
    }
    // The exported folder, read back as a Hugging Face model, gives the trained checkpoint's logits exactly.
    const ids = [5, 17, 42, 99, 2];
    for (const d of [fullDir, loraDir, await out('grpo')]) {
      const trained = await forwardLogits(await loadCheckpoint(d), ids, { threads: 1 });
      const { folder, weights } = await loadHfModel(join(d, 'hf'));
      const reloaded = await forwardLogits(llamaCheckpoint(folder.config, weights), ids, { threads: 1 });
      expect(same(reloaded.logits, trained.logits)).toBe(true);
      for (const f of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']) expect(existsSync(join(d, 'hf', f)), f).toBe(true);
    }
    const meta = JSON.parse(readFileSync(join(fullDir, 'checkpoint.json'), 'utf8')) as { meta: { chat?: boolean }; tokenizer: unknown };
    expect(meta.meta.chat).toBe(true);
    expect(meta.tokenizer).toBeNull(); // its tokenizer is the one in hf/
    // A second run executes nothing: the model folder is keyed by content.
    const again = await runPipeline(loadPipeline(join(dir, 'p.yaml'), { library }).pipeline!, { jobs: 2 });
    expect(again.nodes.every((n) => n.status === 'cached')).toBe(true);
  }, 300_000);

  it('a broken model folder stops the pipeline while it loads: located, exit 2, nothing written', async () => {
    const dir = project();
    rmSync(join(dir, 'qwen2', 'tokenizer.json'));
    const r = await capture(runCommand, [join(dir, 'p.yaml'), '--store', join(dir, 'store')], { library });
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.includes('error:'));
    expect(lines.map((l) => l.replace(/^.*p\.yaml:/, 'p.yaml:').replace(dir, '<dir>'))).toEqual([
      "p.yaml:15:21 error: param 'init': <dir>/qwen2/tokenizer.json: file not found (a Hugging Face model folder needs its tokenizer)",
    ]); // reported once, at the first node that names the folder
    expect(existsSync(join(dir, 'store'))).toBe(false);
  });
});
