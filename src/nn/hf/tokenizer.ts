import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { HfModelError } from './errors.js';

/** One chat turn, as Hugging Face chat templates take it. */
export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** The files a Hugging Face tokenizer is made of, and generation_config.json (its stop tokens); an export copies those present. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'chat_template.jinja',
  'chat_template.json',
  'generation_config.json',
] as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A special token as tokenizer_config.json writes it: a string or an AddedToken object `{content, …}`. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return null;
}

function readJson(file: string, required: boolean): Json | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return null;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HfModelError(file, 'file not found (a Hugging Face model folder needs its tokenizer)');
    throw new HfModelError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const json: unknown = JSON.parse(text);
    if (!isObject(json)) throw new Error('not an object');
    return json;
  } catch {
    throw new HfModelError(file, 'is not a JSON object');
  }
}

/**
 * A Hugging Face tokenizer (`tokenizer.json` through `@huggingface/tokenizers`) and chat template (rendered by
 * `@huggingface/jinja`), behaving as transformers does: `encode` adds no special tokens, the chat template gets
 * the special tokens (`bos_token`, `eos_token`, …) and `add_generation_prompt`, and a rendered chat is tokenized
 * without adding specials again (the template already wrote them).
 */
export class HfTokenizer {
  private constructor(
    private readonly tok: Tokenizer,
    private readonly template: Template | null,
    /** Where the template came from, for error messages. */
    private readonly templateFile: string,
    /** bos_token, eos_token, unk_token, pad_token as strings (those set). */
    readonly specialTokens: Readonly<Record<string, string>>,
  ) {}

  /** Loads `dir`'s tokenizer; a missing or unreadable tokenizer.json is an HfModelError naming it. */
  static async load(dir: string): Promise<HfTokenizer> {
    return HfTokenizer.loadSync(dir);
  }

  /** `load`, synchronously (for checks made while a pipeline is loaded). */
  static loadSync(dir: string): HfTokenizer {
    const tokFile = join(dir, 'tokenizer.json');
    const tokJson = readJson(tokFile, true)!;
    const cfgFile = join(dir, 'tokenizer_config.json');
    const cfg = readJson(cfgFile, false) ?? {};
    const specialsMap = readJson(join(dir, 'special_tokens_map.json'), false) ?? {};
    const specialTokens: Record<string, string> = {};
    for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
      const t = tokenText(cfg[key]) ?? tokenText(specialsMap[key]);
      if (t !== null) specialTokens[key] = t;
    }
    let tok: Tokenizer;
    try {
      tok = new Tokenizer(tokJson, cfg);
    } catch (err) {
      throw new HfModelError(tokFile, `cannot be used as a tokenizer (${(err as Error).message})`);
    }
    const { source, file } = readTemplate(dir, cfg, cfgFile);
    let template: Template | null = null;
    if (source !== null) {
      try {
        template = new Template(source);
      } catch (err) {
        throw new HfModelError(file, `chat template does not parse (${(err as Error).message})`);
      }
    }
    return new HfTokenizer(tok, template, file, specialTokens);
  }

  /** Token ids of `text`, no special tokens added (transformers' `add_special_tokens=False`). */
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of `ids`; special tokens (end-of-turn, padding) are dropped unless `keepSpecial`. */
  decode(ids: readonly number[], keepSpecial = false): string {
    // An empty answer (the model ended its turn at once) is empty text; the library refuses an empty list.
    if (ids.length === 0) return '';
    return this.tok.decode([...ids], { skip_special_tokens: !keepSpecial });
  }

  /** Id of a token string, or null when the vocabulary lacks it. */
  tokenId(token: string): number | null {
    return this.tok.token_to_id(token) ?? null;
  }

  /** Ids of bos/eos/pad (null when the tokenizer has none). */
  specialId(key: 'bos_token' | 'eos_token' | 'pad_token'): number | null {
    const t = this.specialTokens[key];
    return t === undefined ? null : this.tokenId(t);
  }

  get hasChatTemplate(): boolean {
    return this.template !== null;
  }

  /** The chat rendered by the model's template, as `apply_chat_template(tokenize=False)` returns it. */
  renderChat(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string {
    if (this.template === null) throw new HfModelError(this.templateFile, 'the tokenizer has no chat template (no chat_template.jinja, no "chat_template" in tokenizer_config.json)');
    try {
      return this.template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: addGenerationPrompt,
        ...this.specialTokens,
      });
    } catch (err) {
      throw new HfModelError(this.templateFile, `chat template failed (${(err as Error).message})`);
    }
  }

  /** Ids of the rendered chat, as `apply_chat_template(tokenize=True)` returns them. */
  encodeChat(messages: readonly ChatMessage[], addGenerationPrompt: boolean): number[] {
    return this.encode(this.renderChat(messages, addGenerationPrompt));
  }

  /**
   * A supervised row in chat form: `prompt` is the user turn rendered with the generation prompt (everything the
   * model reads), `response` is the rest of the rendered [user, assistant] chat — the answer and the template's
   * end-of-turn marker — so the loss covers exactly what the model must write and where it must stop.
   */
  chatRow(prompt: string, response: string, system?: string): { prompt: number[]; response: number[] } {
    const head: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
    const user: ChatMessage[] = [...head, { role: 'user', content: prompt }];
    const prefix = this.renderChat(user, true);
    const full = this.renderChat([...user, { role: 'assistant', content: response }], false);
    if (full.startsWith(prefix)) return { prompt: this.encode(prefix), response: this.encode(full.slice(prefix.length)) };
    // A template that rewrites earlier turns once an answer follows: the answer, then end of sequence.
    const eos = this.specialId('eos_token');
    return { prompt: this.encode(prefix), response: [...this.encode(response), ...(eos === null ? [] : [eos])] };
  }
}

function readTemplate(dir: string, cfg: Json, cfgFile: string): { source: string | null; file: string } {
  const jinjaFile = join(dir, 'chat_template.jinja');
  try {
    return { source: readFileSync(jinjaFile, 'utf8'), file: jinjaFile };
  } catch {
    // not there: older folders keep it in chat_template.json or tokenizer_config.json
  }
  const jsonFile = join(dir, 'chat_template.json');
  const json = readJson(jsonFile, false);
  if (json !== null && typeof json.chat_template === 'string') return { source: json.chat_template, file: jsonFile };
  const t = cfg.chat_template;
  if (typeof t === 'string') return { source: t, file: cfgFile };
  if (Array.isArray(t)) {
    // A list of named templates: the one named "default" is what apply_chat_template uses.
    const named = t.find((x: unknown) => isObject(x) && x.name === 'default') as Json | undefined;
    if (named !== undefined && typeof named.template === 'string') return { source: named.template, file: cfgFile };
  }
  return { source: null, file: cfgFile };
}
