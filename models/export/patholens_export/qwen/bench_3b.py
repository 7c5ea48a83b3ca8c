"""Benchmark (not a test): export a random-weight model with the real Qwen2.5-VL-3B configuration to q4f16.

    python -m patholens_export.qwen.bench_3b --work /tmp/qwen3b --out bench/results/export-3b.json [--rss-limit-gb 20]

Writes a bf16 safetensors checkpoint with random weights (no download), runs the real CLI
(`python -m patholens_export patho-r1 ... --dtype q4f16`) in a child process, samples its RSS, and records wall
time, peak RSS and the sizes of the files written. A watchdog stops the child above --rss-limit-gb so that the
benchmark cannot take a shared machine down; the JSON then says so.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import time

# Qwen/Qwen2.5-VL-3B-Instruct config.json (public), weights replaced by random ones.
QWEN25VL_3B = {
    "text": dict(vocab_size=151936, hidden_size=2048, intermediate_size=11008, num_hidden_layers=36,
                 num_attention_heads=16, num_key_value_heads=2, max_position_embeddings=128000, rms_norm_eps=1e-6,
                 rope_parameters={"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]},
                 bos_token_id=151643, eos_token_id=151645, tie_word_embeddings=True),
    "vision": dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, out_hidden_size=2048,
                   patch_size=14, spatial_merge_size=2, temporal_patch_size=2, window_size=112,
                   fullatt_block_indexes=[7, 15, 23, 31], tokens_per_second=2, hidden_act="silu", in_channels=3),
}


def make_checkpoint(ckpt: pathlib.Path) -> dict:
    import torch
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    from . import tiny

    t0 = time.time()
    cfg = Qwen2_5_VLConfig(text_config=QWEN25VL_3B["text"], vision_config=QWEN25VL_3B["vision"],
                           image_token_id=151655, video_token_id=151656, vision_start_token_id=151652,
                           vision_end_token_id=151653, tie_word_embeddings=True)
    cfg.architectures = ["Qwen2_5_VLForConditionalGeneration"]
    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)  # never hold fp32 weights: 3.75 B params are 15 GB in fp32
    try:
        model = Qwen2_5_VLForConditionalGeneration(cfg).eval()
    finally:
        torch.set_default_dtype(torch.float32)
    n_params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(ckpt, max_shard_size="2GB")
    del model
    # The export copies tokenizer files without reading the vocabulary: the tiny tokenizer stands in for Qwen's.
    tmp = ckpt.parent / "tiny-tok"
    tiny.make_checkpoint(tmp, tiny.TINY_TEXT, tiny.TINY_VISION, seed=0, tie=False)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "preprocessor_config.json"):
        shutil.copyfile(tmp / name, ckpt / name)
    shutil.rmtree(tmp)
    return {"params": n_params, "seconds": round(time.time() - t0, 1),
            "bytes": sum(p.stat().st_size for p in ckpt.iterdir())}


def rss_kb(pid: int) -> int:
    """RSS of a process and its children (KiB)."""
    total = 0
    try:
        out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid)], capture_output=True, text=True).stdout
        total += sum(int(x) for x in out.split())
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    except (OSError, ValueError):
        pass
    return total


def run_export(ckpt: pathlib.Path, out: pathlib.Path, limit_kb: int) -> dict:
    export_dir = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(export_dir))
    cmd = [sys.executable, "-m", "patholens_export", "patho-r1", "--checkpoint", str(ckpt), "--out", str(out),
           "--dtype", "q4f16", "--skip-quality-report"]  # measures the export alone, as recorded before the report
    t0 = time.time()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, killed = 0, False
    while child.poll() is None:
        peak = max(peak, rss_kb(child.pid))
        if peak > limit_kb:
            child.kill()
            killed = True
            break
        time.sleep(0.5)
    log = child.communicate()[0]
    # keep the messages, not the progress bars
    log = "\n".join(line for line in log.replace("\r", "\n").splitlines()
                    if line.strip() and "it/s]" not in line and "s/it]" not in line)
    wall = time.time() - t0
    return {"command": " ".join(cmd[1:]), "exit_code": child.returncode, "wall_seconds": round(wall, 1),
            "peak_rss_bytes_sampled": peak * 1024, "stopped_by_watchdog": killed, "log_tail": log[-2000:]}


def smoke_run(out: pathlib.Path) -> dict:
    """Load the q4f16 export in ONNX Runtime (CPU) and run it the transformers.js way: one 224x280 image, 4 tokens."""
    import numpy as np

    from .onnx_runner import OnnxQwen

    cfg = json.loads((out / "config.json").read_text())
    t0 = time.time()
    runner = OnnxQwen(out / "onnx", "_q4f16", cfg)
    load = time.time() - t0
    grid = np.array([[1, 16, 20]])
    n = int(grid.prod())
    pv = np.random.default_rng(0).normal(size=(n, 1176)).astype(np.float32)
    ids = np.array([[151644, 872, 198, 151652] + [151655] * (n // 4) + [151653, 3838, 374, 419, 30, 151645, 198,
                                                                        151644, 77091, 198]])
    t0 = time.time()
    tokens, first, feats = runner.generate(ids, None, pv, grid, max_new_tokens=4)
    return {"provider": "onnxruntime CPU", "session_load_seconds": round(load, 1),
            "prompt_tokens": int(ids.shape[1]), "image_features_shape": list(feats.shape),
            "image_features_dtype": str(feats.dtype), "new_tokens": tokens[0].tolist(),
            "logits_finite": bool(np.isfinite(first.astype(np.float32)).all()),
            "prompt_plus_4_tokens_seconds": round(time.time() - t0, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", type=pathlib.Path, required=True)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--rss-limit-gb", type=float, default=20.0)
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    ckpt = args.work / "ckpt"
    result = {"benchmark": "export Qwen2.5-VL-3B config (random weights) to q4f16",
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "mem_total_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")},
              "config": QWEN25VL_3B}
    if not (ckpt / "config.json").is_file():
        result["checkpoint"] = make_checkpoint(ckpt)
    out = args.work / "exported"
    if out.exists():
        shutil.rmtree(out)
    result["export"] = run_export(ckpt, out, int(args.rss_limit_gb * 2**20))
    if out.is_dir():
        result["files"] = {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*"))
                           if p.is_file()}
        result["total_bytes"] = sum(result["files"].values())
    if result["export"]["exit_code"] == 0:
        result["smoke_run"] = smoke_run(out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    e = result["export"]
    print(f"{'wall s':>8} {'peak RSS GB':>12} {'exit':>5} {'output GB':>10}")
    print(f"{e['wall_seconds']:>8} {e['peak_rss_bytes_sampled'] / 2**30:>12.2f} {e['exit_code']:>5} "
          f"{result.get('total_bytes', 0) / 2**30:>10.2f}")
    return 0 if e["exit_code"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
