/** `pipe model info|logits|tokenize` on Hugging Face folders, a pipe model output holding one, and a byte GPT output. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/cli/commands/model.js';
import { initGpt, saveCheckpoint, tokenizer } from '../../src/nn/index.js';
import { fixture, tempDir } from '../nn/hf/helpers.js';

async function pipeModel(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runModel(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

interface Expected {
  ids: number[];
  shape: [number, number];
  logits: number[];
  tokenize: { text: string; ids: number[] }[];
  chat: { messages: unknown[]; text: string; ids: number[] }[];
}
const expected = (family: string): Expected => JSON.parse(readFileSync(fixture(`${family}.expected.json`), 'utf8')) as Expected;

describe('pipe model', () => {
  it('info --json: architecture, parameters, vocabulary, context and dtype', async () => {
    const r = await pipeModel('info', fixture('llama-bf16-sharded'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ architecture: 'LlamaForCausalLM', parameters: 41632, vocabulary: 360, context: 256, dtype: 'BF16' });
  });

  it("logits --json: {shape: [T, V], logits} row-major, transformers' logits within 1e-4", async () => {
    const exp = expected('qwen2');
    const r = await pipeModel('logits', fixture('qwen2'), '--ids', exp.ids.join(','), '--json');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.out) as { shape: number[]; logits: number[] };
    expect(got.shape).toEqual(exp.shape);
    const scale = Math.max(...exp.logits.map(Math.abs));
    expect(Math.max(...got.logits.map((x, i) => Math.abs(x - exp.logits[i]!))) / scale).toBeLessThan(1e-4);
  });

  it('tokenize --text and --chat (with the generation prompt) give what transformers gives', async () => {
    const exp = expected('llama');
    for (const t of exp.tokenize) {
      const r = await pipeModel('tokenize', fixture('llama'), '--text', t.text, '--json');
      expect(JSON.parse(r.out)).toEqual({ ids: t.ids });
    }
    const file = join(tempDir(), 'messages.json');
    writeFileSync(file, JSON.stringify(exp.chat[1]!.messages));
    const r = await pipeModel('tokenize', fixture('llama'), '--chat', file, '--json');
    expect(JSON.parse(r.out)).toEqual({ text: exp.chat[1]!.text, ids: exp.chat[1]!.ids });
  });

  it('a pipe model output is read through its hf/ folder', async () => {
    const out = tempDir();
    cpSync(fixture('qwen3'), join(out, 'hf'), { recursive: true });
    const r = await pipeModel('info', out, '--json');
    expect(JSON.parse(r.out)).toMatchObject({ architecture: 'Qwen3ForCausalLM', folder: join(out, 'hf') });
  });

  it('a byte-level GPT output: info, logits over bytes, tokenize as UTF-8 bytes; no chat template', async () => {
    const dir = tempDir();
    await saveCheckpoint(dir, initGpt({ vocabSize: tokenizer.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8 }, 1));
    expect(JSON.parse((await pipeModel('info', dir, '--json')).out)).toMatchObject({ architecture: 'pipe-gpt (byte-level)', vocabulary: 260, context: 16 });
    expect(JSON.parse((await pipeModel('logits', dir, '--ids', '104,105', '--json')).out).shape).toEqual([2, 260]);
    expect(JSON.parse((await pipeModel('tokenize', dir, '--text', 'hé', '--json')).out)).toEqual({ ids: [104, 195, 169] });
    const file = join(tempDir(), 'm.json');
    writeFileSync(file, '[{"role":"user","content":"x"}]');
    expect(await pipeModel('tokenize', dir, '--chat', file)).toEqual({ code: 2, out: '', err: `pipe model tokenize: ${dir}: the byte-level GPT has no chat template\n` });
  });

  describe('bad input: one line, exit 2', () => {
    const cases: [string, () => string[] | Promise<string[]>, string | RegExp][] = [
      ['a missing folder', () => ['info', '/no/such/model'], 'pipe model info: /no/such/model: model folder not found (download one first, e.g. `huggingface-cli download <org>/<model> --local-dir /no/such/model`)\n'],
      ['ids that are not numbers', () => ['logits', fixture('qwen2'), '--ids', '1,two'], "pipe model logits: --ids must be comma-separated non-negative integers, got '1,two'\n"],
      ['ids outside the vocabulary', () => ['logits', fixture('qwen2'), '--ids', '1,360'], 'pipe model logits: --ids: 360 is outside the vocabulary of 360\n'],
      ['no ids', () => ['logits', fixture('qwen2')], 'pipe model logits: give the token ids: --ids 1,17,42\n'],
      ['both --text and --chat', () => ['tokenize', fixture('qwen2'), '--text', 'a', '--chat', 'm.json'], 'pipe model tokenize: give exactly one of --text "…" or --chat messages.json\n'],
      ['a messages file that is not a list of messages', () => {
        const file = join(tempDir(), 'm.json');
        writeFileSync(file, '[{"role":"user"}]');
        return ['tokenize', fixture('qwen2'), '--chat', file];
      }, /^pipe model tokenize: .*m\.json: message 0 must be \{"role": "…", "content": "…"\} with string values\n$/],
      ['two directories', () => ['info', 'a', 'b'], 'pipe model info: expected one model directory, got a b\n'],
      ['an unknown option', () => ['info', 'a', '--jsn'], /^pipe model info: Unknown option '--jsn'/],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const r = await pipeModel(...(await args()));
        expect(r.code).toBe(2);
        expect(r.out).toBe('');
        if (typeof message === 'string') expect(r.err).toBe(message);
        else expect(r.err).toMatch(message);
      });
    }
  });
});
