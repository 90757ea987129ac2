import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HfModelError } from '../../../src/nn/hf/errors.js';
import { HfTokenizer, type ChatMessage } from '../../../src/nn/hf/tokenizer.js';
import { FAMILIES, fixture, tempDir } from './helpers.js';

interface Expected {
  tokenize: { text: string; ids: number[] }[];
  chat: { messages: ChatMessage[]; text: string; ids: number[] }[];
}

function expected(family: string): Expected {
  return JSON.parse(readFileSync(fixture(`${family}.expected.json`), 'utf8')) as Expected;
}

describe('Hugging Face tokenizer and chat template equal transformers', () => {
  for (const family of FAMILIES) {
    it(`${family}: token ids of texts with spaces, tabs, newlines, accents, CJK and emoji`, async () => {
      const tok = await HfTokenizer.load(fixture(family));
      for (const t of expected(family).tokenize) expect(tok.encode(t.text), JSON.stringify(t.text)).toEqual(t.ids);
    });

    it(`${family}: chat renderings and ids with the generation prompt`, async () => {
      const tok = await HfTokenizer.load(fixture(family));
      for (const c of expected(family).chat) {
        expect(tok.renderChat(c.messages, true)).toBe(c.text);
        expect(tok.encodeChat(c.messages, true)).toEqual(c.ids);
      }
    });

    it(`${family}: decode inverts encode`, async () => {
      const tok = await HfTokenizer.load(fixture(family));
      for (const t of expected(family).tokenize) expect(tok.decode(t.ids)).toBe(t.text);
      expect(tok.decode([])).toBe(''); // an answer that ended its turn at once
    });
  }

  it("qwen2 isolates every digit as real Qwen2 tokenizers do: transformers' ids (check_export.py, bench/gpu/results/hf-check-tokenize-h200-837201c.txt)", async () => {
    const tok = await HfTokenizer.load(fixture('qwen2'));
    expect(tok.encode('Numbers: 10 + 11 = 21; 9*9=81.')).toEqual([48, 271, 300, 85, 28, 223, 19, 18, 223, 13, 223, 19, 19, 279, 223, 20, 19, 29, 223, 27, 12, 27, 31, 26, 19, 16]);
  });

  it('bos/eos come from tokenizer_config.json (llama has a bos, qwen none)', async () => {
    const llama = await HfTokenizer.load(fixture('llama'));
    expect(llama.specialTokens).toMatchObject({ bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' });
    expect(llama.specialId('bos_token')).toBe(0);
    expect(llama.renderChat([{ role: 'user', content: 'hi' }], false).startsWith('<|begin_of_text|>')).toBe(true);
    const qwen = await HfTokenizer.load(fixture('qwen2'));
    expect(qwen.specialId('bos_token')).toBeNull();
    expect(qwen.specialId('eos_token')).toBe(2);
  });

  it('without add_generation_prompt the assistant header is not opened', async () => {
    const tok = await HfTokenizer.load(fixture('qwen2'));
    const m = [{ role: 'user', content: 'hi' }];
    expect(tok.renderChat(m, false)).toBe('<|im_start|>user\nhi<|im_end|>\n');
    expect(tok.renderChat(m, true)).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
  });

  it('a supervised row: the prompt ends with the generation prompt, the response is the answer and the end of turn', async () => {
    const tok = await HfTokenizer.load(fixture('qwen2'));
    const row = tok.chatRow('push the box', 'UP LEFT');
    expect(tok.decode(row.prompt, true)).toBe('<|im_start|>user\npush the box<|im_end|>\n<|im_start|>assistant\n');
    expect(tok.decode(row.response, true)).toBe('UP LEFT<|im_end|>\n');
    const llama = await HfTokenizer.load(fixture('llama'));
    expect(llama.decode(llama.chatRow('a', 'b').response, true)).toBe('b<|eot_id|>');
  });

  it('reads the template from tokenizer_config.json when there is no chat_template.jinja (older folders)', async () => {
    const dir = tempDir();
    cpSync(fixture('qwen2'), dir, { recursive: true });
    const template = readFileSync(join(dir, 'chat_template.jinja'), 'utf8');
    rmSync(join(dir, 'chat_template.jinja'));
    const cfg = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...cfg, chat_template: template }));
    const tok = await HfTokenizer.load(dir);
    const c = expected('qwen2').chat[1]!;
    expect(tok.renderChat(c.messages, true)).toBe(c.text);
  });

  it('a folder without a chat template says so when a chat is rendered', async () => {
    const dir = tempDir();
    cpSync(fixture('qwen2'), dir, { recursive: true });
    rmSync(join(dir, 'chat_template.jinja'));
    const tok = await HfTokenizer.load(dir);
    expect(tok.hasChatTemplate).toBe(false);
    expect(() => tok.renderChat([{ role: 'user', content: 'x' }], true)).toThrow(
      `${join(dir, 'tokenizer_config.json')}: the tokenizer has no chat template (no chat_template.jinja, no "chat_template" in tokenizer_config.json)`,
    );
  });

  it('a missing tokenizer.json is one error naming it', async () => {
    const dir = tempDir();
    cpSync(fixture('qwen2'), dir, { recursive: true });
    rmSync(join(dir, 'tokenizer.json'));
    const err = await HfTokenizer.load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HfModelError);
    expect((err as Error).message).toBe(`${join(dir, 'tokenizer.json')}: file not found (a Hugging Face model folder needs its tokenizer)`);
  });

  it('a tokenizer.json that is not JSON is one error naming it', async () => {
    const dir = tempDir();
    cpSync(fixture('qwen2'), dir, { recursive: true });
    writeFileSync(join(dir, 'tokenizer.json'), '{"version": "1.0", truncated');
    await expect(HfTokenizer.load(dir)).rejects.toThrow(`${join(dir, 'tokenizer.json')}: is not a JSON object`);
  });
});
