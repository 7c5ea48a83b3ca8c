"""PathoCLIP quality report: every exported dtype's image and text embeddings against open_clip in PyTorch.

Runs the built-in pathology label prompts and generated H&E-like images (plus the user's images): embedding cosine
per image and per label prompt, and how often the best-matching label of an image changes. A model's text tower
runs once per prompt, so the report also says how the best label fares with the fp16 text model beside each
quantized vision model (the pairing the README recommends) when fp16 was exported.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..dtypes import DTYPE_SUFFIX
from . import calibration
from .metrics import row_cosines, summary
from .thresholds import PATHOCLIP_THRESHOLDS, judge_pathoclip


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def similarities(image_embeds: np.ndarray, text_embeds: np.ndarray) -> np.ndarray:
    """Cosine similarity of every image with every label prompt [images, labels]."""
    return _normalise(image_embeds) @ _normalise(text_embeds).T


def best_labels(image_embeds: np.ndarray, text_embeds: np.ndarray) -> np.ndarray:
    return similarities(image_embeds, text_embeds).argmax(-1)


def smallest_top2_gap(sims: np.ndarray) -> float:
    """The narrowest margin between an image's best and second-best label: a similarity error above it can flip."""
    ordered = np.sort(sims, axis=-1)
    return float((ordered[:, -1] - ordered[:, -2]).min())


def torch_embeddings(model, images: list, labels: list[str]) -> dict[str, np.ndarray]:
    """open_clip's own preprocessing, tokenizer and towers (unnormalised embeddings, as the ONNX graphs return)."""
    import open_clip
    import torch

    pp = {k: v for k, v in open_clip.get_model_preprocess_cfg(model).items()
          if k in ("mean", "std", "interpolation", "resize_mode")}
    preprocess = open_clip.image_transform(model.visual.image_size, is_train=False, **pp)
    pixels = torch.stack([preprocess(image) for image in images])
    ids = open_clip.tokenize(labels)
    with torch.no_grad():
        return {"pixel_values": pixels.numpy(), "input_ids": ids.numpy().astype(np.int64),
                "image_embeds": model.encode_image(pixels).float().numpy(),
                "text_embeds": model.encode_text(ids).float().numpy()}


def onnx_embeddings(model_dir: Path, dtype: str, ref: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sfx = DTYPE_SUFFIX[dtype]
    vision = ort.InferenceSession(str(Path(model_dir) / "onnx" / f"vision_model{sfx}.onnx"), opts,
                                  providers=["CPUExecutionProvider"])
    text = ort.InferenceSession(str(Path(model_dir) / "onnx" / f"text_model{sfx}.onnx"), opts,
                                providers=["CPUExecutionProvider"])
    # float32 and int64 inputs for every dtype: the same tensors transformers.js feeds.
    image_embeds = vision.run(None, {"pixel_values": ref["pixel_values"].astype(np.float32)})[0]
    text_embeds = text.run(None, {"input_ids": ref["input_ids"]})[0]
    return np.asarray(image_embeds, np.float32), np.asarray(text_embeds, np.float32)


def pathoclip_quality_report(model, model_dir: Path, dtypes: list[str], calibration_images: Path | None = None,
                             log=lambda msg: None) -> dict[str, Any]:
    """The manifest's "quality" block for an exported PathoCLIP directory (`model`: the open_clip model)."""
    start = time.monotonic()
    user_images = calibration.load_user_images(calibration_images, max_side=None)
    images = calibration.generated_images() + user_images
    labels = calibration.PATHOCLIP_LABELS
    ref = torch_embeddings(model, images, labels)
    ref_sims = similarities(ref["image_embeds"], ref["text_embeds"])
    ref_best = ref_sims.argmax(-1)
    outputs = {dtype: onnx_embeddings(model_dir, dtype, ref) for dtype in dtypes}
    report_dtypes = {}
    for dtype, (image_embeds, text_embeds) in outputs.items():
        metrics: dict[str, Any] = {
            "image_embedding_cosine": summary(row_cosines(image_embeds, ref["image_embeds"])),
            "text_embedding_cosine": summary(row_cosines(text_embeds, ref["text_embeds"])),
            "best_label_change_rate": round(float(np.mean(best_labels(image_embeds, text_embeds) != ref_best)), 6),
            "label_similarity_max_error": round(float(np.abs(similarities(image_embeds, text_embeds) - ref_sims).max()), 6),
        }
        if "fp16" in outputs and dtype not in ("fp32", "fp16"):
            fp16_text = outputs["fp16"][1]
            metrics["best_label_change_rate_with_fp16_text"] = round(
                float(np.mean(best_labels(image_embeds, fp16_text) != ref_best)), 6)
        reasons = judge_pathoclip(metrics)
        report_dtypes[dtype] = {**metrics, "below_quality": bool(reasons), "reasons": reasons}
    log(f"Quality report done in {time.monotonic() - start:.0f} s.")
    return {
        "reference": "PyTorch fp32 (open_clip) on the source checkpoint",
        "images": {"builtin": len(images) - len(user_images), "user": len(user_images)},
        "labels": len(labels),
        # How many labels PyTorch itself picks across the images (with 1, a change rate of 0 says little) and its
        # narrowest best-vs-second margin, to read label_similarity_max_error against.
        "reference_distinct_best_labels": int(len(set(ref_best.tolist()))),
        "reference_min_top2_gap": round(smallest_top2_gap(ref_sims), 6),
        "metrics": {
            "image_embedding_cosine": "cosine of image embeddings, ONNX vs PyTorch (min/mean over images)",
            "text_embedding_cosine": "cosine of label-prompt embeddings, ONNX vs PyTorch (min/mean over prompts)",
            "best_label_change_rate": "share of images whose best-matching label differs from PyTorch's",
            "best_label_change_rate_with_fp16_text": "the same with this dtype's vision model and the fp16 text model",
            "label_similarity_max_error": "largest |ONNX - PyTorch| image-label cosine similarity",
        },
        "thresholds": dict(PATHOCLIP_THRESHOLDS),
        "dtypes": report_dtypes,
    }
