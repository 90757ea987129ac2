"""PyTorch baseline for bench/train: the same GPT (bench/gpu/gpt_torch.py), batch, sequence length, AdamW and
clipping as pipe-train.mjs, eager mode, float32. Prints one JSON line per shape. The Llama-family shapes
(smollm-135m, qwen-0.5b, and their `+lora` variants) are transformers' LlamaForCausalLM / Qwen2ForCausalLM built
from the same config values with random weights (needs transformers; nothing is downloaded), LoRA as peft applies
it (rank 8, alpha 16, q_proj and v_proj, A kaiming-uniform, B zero, base frozen), hand-written so peft is not needed.
Usage: python3 bench/train/torch_train.py --device cpu|cuda --shapes 1m,10m,50m --batch 8 --seq 256 --steps 5
       [--threads N] [--no-sdpa]"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "gpu"))
from gpt_torch import adamw_for, forward, init_params, param_specs, sft_loss  # noqa: E402

SHAPES = {
    "1m": dict(nLayer=4, nHead=4, nEmbd=128),
    "3m": dict(nLayer=4, nHead=8, nEmbd=256),
    "10m": dict(nLayer=6, nHead=6, nEmbd=384),
    "50m": dict(nLayer=7, nHead=12, nEmbd=768),
}
LLAMA_SHAPES = {
    "smollm-135m": dict(model_type="llama", vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                        num_attention_heads=9, num_key_value_heads=3, head_dim=64, max_position_embeddings=8192,
                        rms_norm_eps=1e-5, rope_parameters=dict(rope_type="default", rope_theta=100000.0),
                        tie_word_embeddings=True),
    "qwen-0.5b": dict(model_type="qwen2", vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                      num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768, rms_norm_eps=1e-6,
                      rope_parameters=dict(rope_type="default", rope_theta=1000000.0), tie_word_embeddings=True,
                      use_sliding_window=False),
}
LORA = dict(rank=8, alpha=16, targets=("q_proj", "v_proj"))


class LoraLinear(torch.nn.Module):
    """base(x) + (alpha/rank)·B·A·x with the base frozen (peft's Linear, dropout 0)."""

    def __init__(self, base, rank, alpha):
        super().__init__()
        import math
        self.base = base
        self.lora_A = torch.nn.Parameter(torch.empty(rank, base.in_features, device=base.weight.device))
        self.lora_B = torch.nn.Parameter(torch.zeros(base.out_features, rank, device=base.weight.device))
        torch.nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.t() @ self.lora_B.t()) * self.scale


def llama_model(name, dev):
    """A transformers model of a Llama-family shape (random weights), LoRA-wrapped for `+lora`; its trainable params."""
    from transformers import AutoConfig, AutoModelForCausalLM
    base, _, mode = name.partition("+")
    spec = dict(LLAMA_SHAPES[base])
    cfg = AutoConfig.for_model(spec.pop("model_type"), **spec)
    model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.float32, attn_implementation="sdpa").to(dev)
    if mode == "lora":
        for p in model.parameters():
            p.requires_grad_(False)
        for layer in model.model.layers:
            for t in LORA["targets"]:
                setattr(layer.self_attn, t, LoraLinear(getattr(layer.self_attn, t), LORA["rank"], LORA["alpha"]))
    return model, [p for p in model.parameters() if p.requires_grad]


ap = argparse.ArgumentParser()
ap.add_argument("--device", default="cpu")
ap.add_argument("--shapes", default="1m,10m,50m")
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--seq", type=int, default=256)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--threads", type=int)
ap.add_argument("--no-sdpa", action="store_true")
a = ap.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.backends.cuda.matmul.allow_tf32 = False  # pipe computes in true fp32; so does the baseline
torch.backends.cudnn.allow_tf32 = False
o = dict(lr=1e-3, beta1=0.9, beta2=0.95, eps=1e-8, weightDecay=0.1)
B, T = a.batch, a.seq
dev = torch.device(a.device)
sync = (lambda: torch.cuda.synchronize()) if dev.type == "cuda" else (lambda: None)
for name in a.shapes.split(","):
    if name.partition("+")[0] in LLAMA_SHAPES:
        model, trainable = llama_model(name, dev)
        V = model.config.vocab_size
        decay = [p for p in trainable if p.dim() >= 2]
        rest = [p for p in trainable if p.dim() < 2]
        opt = torch.optim.AdamW([dict(params=decay, weight_decay=o["weightDecay"]), dict(params=rest, weight_decay=0.0)],
                                lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"])
        g = torch.Generator(device="cpu").manual_seed(3)
        data = [(torch.randint(0, V, (B, T), generator=g).to(dev), torch.randint(0, V, (B * T,), generator=g).to(dev)) for _ in range(2)]
        if dev.type == "cuda":
            torch.cuda.reset_peak_memory_stats()

        def lstep(i):
            tokens, targets = data[i % 2]
            opt.zero_grad(set_to_none=True)
            logits = model(input_ids=tokens).logits.reshape(B * T, V)
            loss = torch.nn.functional.cross_entropy(logits, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            opt.step()
            return loss

        lstep(0)
        sync()
        t0 = time.perf_counter()
        for i in range(a.steps):
            loss = lstep(i)
        sync()
        sec = time.perf_counter() - t0
        n_trainable = sum(p.numel() for p in trainable)
        n_params = sum(p.numel() for n, p in model.named_parameters() if "lora_" not in n)
        out = dict(impl="torch", provider=a.device, shape=name, params=n_params, trainable=n_trainable,
                   optimizerStateMiB=round(2 * n_trainable * 4 / 2**20), batch=B, seq=T, steps=a.steps,
                   threads=torch.get_num_threads(), sdpa=True, tokensPerSecond=round(a.steps * B * T / sec),
                   msPerStep=round(1000 * sec / a.steps), loss=float(loss.detach()),
                   peakRssMiB=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
        if dev.type == "cuda":
            out["peakCudaAllocMiB"] = round(torch.cuda.max_memory_allocated() / 2**20)
        print(json.dumps(out), flush=True)
        del model, opt
        continue
    cfg = dict(vocabSize=260, blockSize=T, **SHAPES[name])
    P = init_params(cfg, dev)
    opt = adamw_for(P, cfg, o["lr"], o)
    g = torch.Generator(device="cpu").manual_seed(3)
    data = [(torch.randint(0, 256, (B, T), generator=g).to(dev), torch.randint(0, 256, (B * T,), generator=g).to(dev)) for _ in range(2)]
    mask = torch.ones(B * T, device=dev)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()

    def step(i):
        tokens, targets = data[i % 2]
        opt.zero_grad(set_to_none=True)
        loss = sft_loss(forward(P, cfg, tokens, sdpa=not a.no_sdpa), targets, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()
        return loss

    step(0)
    sync()
    t0 = time.perf_counter()
    for i in range(a.steps):
        loss = step(i)
    sync()
    sec = time.perf_counter() - t0
    out = dict(impl="torch", provider=a.device, shape=name, params=sum(p.numel() for p in P.values()), batch=B, seq=T,
               steps=a.steps, threads=torch.get_num_threads(), sdpa=not a.no_sdpa,
               tokensPerSecond=round(a.steps * B * T / sec), msPerStep=round(1000 * sec / a.steps), loss=float(loss.detach()),
               peakRssMiB=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    if dev.type == "cuda":
        out["peakCudaAllocMiB"] = round(torch.cuda.max_memory_allocated() / 2**20)
    print(json.dumps(out), flush=True)
    del P, opt
