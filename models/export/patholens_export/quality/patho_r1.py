"""Patho-R1 quality report: every exported dtype against the checkpoint in PyTorch (fp32).

For each calibration prompt PyTorch gives the first-step logits and 64 greedy tokens (EOS suppressed so every
prompt yields 64). Each dtype's ONNX graphs, driven as transformers.js drives them (onnx_runner.OnnxQwen), give
their own first-step logits, their argmax at each of PyTorch's 64 positions (teacher-forced, one forward pass)
and their own 64 greedy tokens.
"""
from __future__ import annotations

import gc
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..dtypes import DTYPE_SUFFIX
from . import calibration
from .metrics import common_prefix_fraction, cosine, summary
from .thresholds import PATHO_R1_THRESHOLDS, judge_patho_r1

NEW_TOKENS = 64


def _eos_ids(checkpoint: Path, model_config) -> list[int]:
    gen = checkpoint / "generation_config.json"
    eos = json.loads(gen.read_text()).get("eos_token_id") if gen.is_file() else None
    eos = eos if eos is not None else model_config.text_config.eos_token_id
    return [int(e) for e in (eos if isinstance(eos, list) else [eos])]


def torch_references(checkpoint: Path, cases: list[dict], new_tokens: int = NEW_TOKENS) -> tuple[list[dict], list[int]]:
    """Per case: the processor's inputs (numpy), PyTorch's last-position first-step logits and greedy ids."""
    import torch
    from transformers import AutoProcessor, GenerationConfig

    from ..qwen.export import load_model

    model = load_model(Path(checkpoint))
    processor = AutoProcessor.from_pretrained(checkpoint)
    eos = _eos_ids(Path(checkpoint), model.config)
    # Plain greedy decoding: a checkpoint's own sampling or repetition penalty would compare something else.
    greedy = GenerationConfig(max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False, num_beams=1,
                              eos_token_id=eos, pad_token_id=eos[0])
    refs = []
    for case in cases:
        text = processor.apply_chat_template(case["messages"], add_generation_prompt=True, tokenize=False)
        inputs = processor(text=[text], images=case["images"] or None, return_tensors="pt")
        with torch.no_grad():
            model.model.rope_deltas = None
            ids = model.generate(**inputs, generation_config=greedy)[0, inputs["input_ids"].shape[1]:]
            model.model.rope_deltas = None
            first = model(**inputs, use_cache=False).logits[0, -1]
        refs.append({"inputs": {k: v.numpy() for k, v in inputs.items()}, "first_logits": first.float().numpy(),
                     "ids": ids.tolist(), "origin": case["origin"]})
    del model
    gc.collect()
    return refs, eos


def measure_dtype(model_dir: Path, dtype: str, refs: list[dict], eos: list[int]) -> dict[str, Any]:
    """The report entry of one dtype: metrics, verdict and reasons."""
    from ..qwen.onnx_runner import OnnxQwen

    config = json.loads((Path(model_dir) / "config.json").read_text())
    runner = OnnxQwen(Path(model_dir) / "onnx", DTYPE_SUFFIX[dtype], config)
    cosines, top1, greedy = [], [], []
    for ref in refs:
        x = ref["inputs"]
        pv, grid = x.get("pixel_values"), x.get("image_grid_thw")
        n = len(ref["ids"])
        ids, first, _ = runner.generate(x["input_ids"], x["attention_mask"], pv, grid, max_new_tokens=n,
                                        min_new_tokens=n, eos_token_ids=eos)
        cosines.append(cosine(first[0, -1], ref["first_logits"]))
        greedy.append(common_prefix_fraction(ids[0], ref["ids"]))
        forced = runner.teacher_forced_logits(x["input_ids"], ref["ids"], pv, grid).argmax(-1)
        top1.append(float(np.mean(forced == np.asarray(ref["ids"]))))
    del runner
    gc.collect()
    metrics = {
        "first_step_logit_cosine": summary(cosines),
        "teacher_forced_top1_agreement": round(float(np.mean(top1)), 6),
        "greedy_token_agreement": round(float(np.mean(greedy)), 6),
        "greedy_identical_prompts": int(sum(g == 1.0 for g in greedy)),
    }
    reasons = judge_patho_r1(metrics)
    return {**metrics, "below_quality": bool(reasons), "reasons": reasons}


def patho_r1_quality_report(checkpoint: Path, model_dir: Path, dtypes: list[str],
                            calibration_images: Path | None = None, log=lambda msg: None) -> dict[str, Any]:
    """The manifest's "quality" block for an exported Patho-R1 directory."""
    start = time.monotonic()
    user_images = calibration.load_user_images(calibration_images)
    cases = calibration.patho_r1_cases(user_images)
    log(f"Quality report: PyTorch reference on {len(cases)} prompts ...")
    refs, eos = torch_references(checkpoint, cases)
    report_dtypes = {}
    for dtype in dtypes:
        log(f"Quality report: {dtype} ...")
        report_dtypes[dtype] = measure_dtype(model_dir, dtype, refs, eos)
    log(f"Quality report done in {time.monotonic() - start:.0f} s.")
    return {
        "reference": "PyTorch fp32 (transformers Qwen2_5_VLForConditionalGeneration) on the source checkpoint",
        "prompts": {"builtin": sum(r["origin"] == "builtin" for r in refs), "user_images": len(user_images)},
        "new_tokens": NEW_TOKENS,
        "metrics": {
            "first_step_logit_cosine": "cosine of the last prompt position's logits, ONNX vs PyTorch (min/mean over prompts)",
            "teacher_forced_top1_agreement": "share of PyTorch's greedy tokens that are the ONNX argmax after the same prefix",
            "greedy_token_agreement": "share of PyTorch's greedy tokens ONNX greedy decoding reproduces before the first difference (mean over prompts)",
            "greedy_identical_prompts": "prompts whose greedy tokens are all identical",
        },
        "thresholds": dict(PATHO_R1_THRESHOLDS),
        "dtypes": report_dtypes,
    }
