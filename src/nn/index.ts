/**
 * pipe's neural core: small GPTs and Llama-family decoders built as ONNX graphs, trained inside onnxruntime-node with training graphs that
 * pipe builds itself (forward + reverse-mode autodiff + AdamW in one InferenceSession.run), and sampled with a
 * KV cache. Knows nothing of the engine. Importing this module does not load onnxruntime-node: sessions are
 * created lazily by `Trainer.create` / `Generator.create`.
 *
 * Typical use:
 * ```ts
 * const init = initGpt({ vocabSize: tokenizer.vocabSize, blockSize: 256, nLayer: 4, nHead: 4, nEmbd: 128 }, seed);
 * const trainer = await Trainer.create({ init, optim, loss: { kind: 'sft' }, batchSize: 32, seqLen: 256 });
 * await trainer.train(packBatch(rows, 256));
 * await saveCheckpoint(dir, await trainer.checkpoint());
 * ```
 */
export type {
  Provider,
  SessionOptions,
  GptConfig,
  AdamWConfig,
  TokenBatch,
  GrpoBatch,
  LossConfig,
  StepStats,
  Checkpoint,
  ModelConfig,
} from './types.js';
export type { LlamaConfig, LlamaArchitecture, LlamaShape, LlamaWeights, NamedTensor, RopeScaling } from './models/llama-config.js';
export { LLAMA_ARCHITECTURES, llamaConfig } from './models/llama-config.js';
export { initLlama, llamaCheckpoint, llamaParamSpecs, hfWeights } from './models/llama-params.js';
export { withLora, mergeLora, LORA_TARGETS } from './models/lora.js';
export type { LoraConfig, LoraTarget } from './models/lora.js';
export { decoderModel, contextLength, isLlama } from './models/model.js';
export type { DecoderModel } from './models/model.js';
export { tokenizer, tokenizerSpec } from './tokenizer.js';
export { packBatch, packIdBatch } from './batch.js';
export { initGpt, gptParamSpecs, countParams } from './models/gpt-params.js';
export type { ParamSpec } from './models/gpt-params.js';
export { saveCheckpoint, loadCheckpoint, saveTrainingCheckpoint, loadTrainingCheckpoint } from './checkpoint.js';
export { Trainer } from './trainer.js';
export type { TrainerOptions } from './trainer.js';
export { Generator } from './generator.js';
export type { GenerateOptions, GeneratorOptions, GenVocab, SamplerKind } from './generator.js';
export { byteVocab, idVocab } from './generator.js';
export { runtimeFingerprint } from './runtime/fingerprint.js';
export { probeProviders, doctorTrain } from './doctor.js';
export type { ProviderProbe, TrainProbe } from './doctor.js';
export { gradcheckAll } from './grad/gradcheck.js';
export type { GradCheckSummary, GradCheckResult } from './grad/gradcheck.js';
export { lrAt } from './optim/adamw.js';
export { forwardLogits } from './logits.js';
export { HfModelError } from './hf/errors.js';
export { openHfModel, readHfWeights, loadHfModel, hfFolderOf, hfDownloadHint, HF_EXPORT_DIR } from './hf/folder.js';
export type { HfModelFolder } from './hf/folder.js';
export { HfTokenizer } from './hf/tokenizer.js';
export type { ChatMessage } from './hf/tokenizer.js';
export { writeHfFolder } from './hf/export.js';
export type { HfExport } from './hf/export.js';
export { parseLlamaConfig, hfConfigJson } from './hf/config.js';
