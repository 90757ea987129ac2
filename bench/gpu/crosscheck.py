"""Compares pipe's logits, gradients and one AdamW step (written by crosscheck.mjs) with the PyTorch twin
(float32, on CPU and on CUDA when available; float64 on CPU as the reference truth).
Relative error of a tensor = max|a - b| / max|b|; for gradients and steps, the max over parameter tensors.
Usage: python3 bench/gpu/crosscheck.py DIR"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from gpt_torch import adamw_for, forward, param_specs, sft_loss  # noqa: E402

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/crosscheck"
case = json.load(open(os.path.join(d, "case.json")))
cfg, B, T, o = case["config"], case["batch"], case["seq"], case["optim"]
f32 = lambda name: np.fromfile(os.path.join(d, name), dtype=np.float32)
flat = f32("weights.bin")
tokens = np.fromfile(os.path.join(d, "tokens.bin"), dtype=np.int32).reshape(B, T)
targets = np.fromfile(os.path.join(d, "targets.bin"), dtype=np.int32)
mask = f32("mask.bin")


def unflat(vec):
    return {e["name"]: vec[e["offset"]: e["offset"] + int(np.prod(e["shape"]))].reshape(e["shape"]) for e in case["layout"]}


def torch_side(device, dtype):
    P = {k: torch.tensor(v, device=device, dtype=dtype, requires_grad=True) for k, v in unflat(flat).items()}
    tk = torch.tensor(tokens, device=device, dtype=torch.long)
    tg = torch.tensor(targets, device=device, dtype=torch.long)
    mk = torch.tensor(mask, device=device, dtype=dtype)
    logits = forward(P, cfg, tk)
    loss = sft_loss(logits, tg, mk)
    loss.backward()
    grads = {k: P[k].grad.detach().cpu().double().clone().numpy() for k in P}  # clone: clipping scales grads in place
    torch.nn.utils.clip_grad_norm_(list(P.values()), o["gradClip"])
    opt = adamw_for(P, cfg, case["lr"], o)
    opt.step()
    stepped = {k: P[k].detach().cpu().double().numpy() for k in P}
    return logits.detach().cpu().double().numpy(), float(loss.detach()), grads, stepped


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


refs = {"torch-cpu-f32": torch_side("cpu", torch.float32)}
if torch.cuda.is_available():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    refs["torch-cuda-f32"] = torch_side("cuda", torch.float32)
truth = torch_side("cpu", torch.float64)
start = {k: v.astype(np.float64) for k, v in unflat(flat).items()}

rows = []
sides = {}
for p in case["results"]:
    sides[f"pipe-{p}"] = (
        f32(f"{p}.logits.bin").astype(np.float64).reshape(B * T, -1),
        case["results"][p]["loss"],
        {k: v.astype(np.float64) for k, v in unflat(f32(f"{p}.grad.bin")).items()},
        {k: v.astype(np.float64) for k, v in unflat(f32(f"{p}.step.bin")).items()},
    )
sides.update(refs)
for name, (logits, loss, grads, stepped) in sides.items():
    for ref_name, ref in [("torch-cpu-f32", refs["torch-cpu-f32"]), ("torch-cpu-f64", truth)]:
        if name == ref_name:
            continue
        r_logits = rel(logits, ref[0])
        r_loss = abs(loss - ref[1]) / abs(ref[1])
        r_grad = max(rel(grads[k], ref[2][k]) for k in grads)
        # Compare the update each side made (new − old), relative to the reference update.
        # Adam's first update is ≈ sign(g)·lr, so coordinates with |g| near rounding noise can flip: compare the
        # update vectors in the L2 norm (max-norm figures are dominated by those coordinates for every pair).
        da = np.concatenate([(stepped[k] - start[k]).ravel() for k in stepped])
        db = np.concatenate([(ref[3][k] - start[k]).ravel() for k in stepped])
        r_step = float(np.linalg.norm(da - db) / np.linalg.norm(db))
        rows.append({"impl": name, "vs": ref_name, "logits": r_logits, "loss": r_loss, "grads": r_grad, "adamwUpdateL2": r_step})

print(f"{'impl':16} {'vs':15} {'logits':>10} {'loss':>10} {'grads':>10} {'adamw Δp L2':>12}")
for r in rows:
    print(f"{r['impl']:16} {r['vs']:15} {r['logits']:10.2e} {r['loss']:10.2e} {r['grads']:10.2e} {r['adamwUpdateL2']:12.2e}")
# The checkpoint's model.onnx, run by the Python onnxruntime (a different ONNX runtime build than pipe's):
try:
    import onnxruntime as ort_py

    sess = ort_py.InferenceSession(os.path.join(d, "ckpt", "model.onnx"), providers=["CPUExecutionProvider"])
    ids = tokens[:1].astype(np.int64)
    ck_logits = sess.run(["logits"], {"input_ids": ids})[0].reshape(T, -1).astype(np.float64)
    r = rel(ck_logits, refs["torch-cpu-f32"][0][:T])
    rows.append({"impl": "checkpoint model.onnx (python onnxruntime)", "vs": "torch-cpu-f32", "logits": r})
    print(f"checkpoint model.onnx in Python onnxruntime {ort_py.__version__}: logits rel. error vs torch {r:.2e}")
except Exception as e:  # noqa: BLE001
    print(f"checkpoint model.onnx check skipped: {e}")
json.dump(rows, open(os.path.join(d, "crosscheck-result.json"), "w"), indent=1)
worst = max(max(r["logits"], r["grads"]) for r in rows if r["impl"].startswith("pipe-") and r["vs"] == "torch-cpu-f32")
print(f"worst pipe-vs-torch(f32) relative error, logits and gradients: {worst:.2e} ({'PASS' if worst <= 1e-4 else 'FAIL'} at 1e-4)")
