"""The tiny deterministic PathoCLIP: open_clip's real CLIP class with a tiny ViT and a tiny text tower over the
real CLIP BPE vocabulary (49408 tokens, shipped inside open_clip), seeded weights, no download.

`make_tiny_pathoclip(dir)` writes into dir: the open_clip checkpoint (open_clip_config.json +
open_clip_model.safetensors, loadable with open_clip.create_model_and_transforms('local-dir:DIR')), the
transformers.js export (onnx/ in every dtype, tokenizer, preprocessor, config) and golden.json with PyTorch outputs.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..dtypes import ALL_DTYPES

ARCH_NAME = "tiny-pathoclip"
SEED = 0
# Text width 12 keeps the 49408 x width token embedding (the bulk of the files: fp32 in both ONNX variants, fp16
# in the checkpoint) small enough for models/tiny/pathoclip to stay under 10 MB; the vision tower is wide enough
# (32) for q4's block of 32 to be exercised on every MatMul without padding.
TINY_CFG: dict[str, Any] = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "head_width": 16, "mlp_ratio": 2.0, "patch_size": 8},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 12, "heads": 2, "layers": 2, "mlp_ratio": 4.0},
}
TINY_DTYPES = list(ALL_DTYPES)  # the tests load and ask every dtype the exporter writes
CHECKPOINT_FILE = "open_clip_model.safetensors"
CONFIG_FILE = "open_clip_config.json"

GOLDEN_TEXTS = [
    "an H&E stained image of invasive ductal carcinoma",
    "benign breast tissue",
    "  Lymph   NODE metastasis\n",
    "mitotic figures &gt; 10 per HPF, necrosis &amp; pleomorphism",
    "“Signet-ring” cells — gastric adenocarcinoma",
    "tumour cells measuring 15 µm ± 2 µm",
    " ".join(["a long description of tubular structures lined by atypical cells"] * 12),  # > 77 tokens
]
# (height, width) of the generated images: not square, not multiples of the 32-pixel input.
GOLDEN_IMAGE_SIZES = [(48, 64), (70, 45), (32, 32)]


TOKEN_EMBEDDING_STD = 1.0


def trained_like_init(model) -> None:
    """Make the residual stream dominate the text tower, as in trained transformers.

    open_clip's init (token embeddings std 0.02) leaves a tiny random text tower's output almost entirely made
    of its attention/MLP outputs, so 4-bit weight noise shows up undamped: q4 text cosine measured 0.90-0.97
    for such towers (widths 12-512), while the vision tower stays above 0.99. With unit-variance token
    embeddings the q4 comparison measures what it is meant to (the export's quantization of a model whose
    layers refine a residual stream) instead of an artefact of random init."""
    import torch

    with torch.no_grad():
        model.token_embedding.weight.normal_(0.0, TOKEN_EMBEDDING_STD)


def build_tiny_model():
    """Seeded tiny CLIP with every weight rounded to fp16, so the fp16 safetensors file stores it exactly."""
    import open_clip
    import torch

    torch.manual_seed(SEED)
    model = open_clip.CLIP(**TINY_CFG).eval()
    trained_like_init(model)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    return model


def make_images(seed: int = SEED) -> list[np.ndarray]:
    """Deterministic RGB uint8 images that look a little like H&E: pink background, purple blobs, noise."""
    rng = np.random.default_rng(seed)
    images = []
    for h, w in GOLDEN_IMAGE_SIZES:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        img = np.empty((h, w, 3), np.float32)
        img[...] = (235, 170, 200)
        for _ in range(6):
            cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(3, 12)
            blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))[..., None]
            img = img * (1 - blob) + np.array((90, 40, 140), np.float32) * blob
        img += rng.normal(0, 12, size=img.shape)
        images.append(np.clip(img, 0, 255).astype(np.uint8))
    return images


def save_checkpoint(model, out_dir: Path) -> None:
    import open_clip
    from safetensors.torch import save_file

    sd = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(sd, str(out_dir / CHECKPOINT_FILE), metadata={"format": "pt"})
    pp = open_clip.get_model_preprocess_cfg(model)
    cfg = {"model_cfg": TINY_CFG, "preprocess_cfg": {k: list(v) if isinstance(v, tuple) else v for k, v in pp.items()}}
    (out_dir / CONFIG_FILE).write_text(json.dumps(cfg, indent=2) + "\n")


def golden_outputs(model, out_dir: Path) -> dict[str, Any]:
    """PyTorch reference outputs for fixed images and texts (the images are written as PNG under golden/)."""
    import open_clip
    import torch
    from PIL import Image

    preprocess = open_clip.image_transform(
        model.visual.image_size, is_train=False, **{k: v for k, v in open_clip.get_model_preprocess_cfg(model).items()
                                                    if k in ("mean", "std", "interpolation", "resize_mode")})
    (out_dir / "golden").mkdir(exist_ok=True)
    images = []
    for i, arr in enumerate(make_images()):
        rel = f"golden/image_{i}.png"
        Image.fromarray(arr).save(out_dir / rel)
        images.append((rel, preprocess(Image.open(out_dir / rel))))
    pixels = torch.stack([p for _, p in images])
    ids = open_clip.tokenize(GOLDEN_TEXTS)
    with torch.no_grad():
        img = model.encode_image(pixels)
        txt = model.encode_text(ids)
        scale = model.logit_scale.exp()
        logits = scale * torch.nn.functional.normalize(img, dim=-1) @ torch.nn.functional.normalize(txt, dim=-1).T

    def f(t):
        return [float(x) for x in t.reshape(-1)]

    return {
        "description": "PyTorch (open_clip) outputs of the tiny PathoCLIP; embeddings are unnormalised.",
        "logit_scale": float(scale),
        "logit_scale_log": float(model.logit_scale.detach()),
        "images": [
            {"file": rel, "height": int(arr.shape[0]), "width": int(arr.shape[1]),
             "pixel_values_shape": list(p.shape), "pixel_values": f(p), "image_embeds": f(e)}
            for (rel, p), arr, e in zip(images, make_images(), img)
        ],
        "texts": [
            {"text": t, "input_ids": [int(x) for x in row], "text_embeds": f(e)}
            for t, row, e in zip(GOLDEN_TEXTS, ids, txt)
        ],
        "logits_per_image": [f(row) for row in logits],
    }


def make_tiny_pathoclip(out_dir: Path):
    """Write the tiny PathoCLIP into out_dir (every dtype); returns the open_clip model, for the quality report."""
    from .export import export_clip_dir

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_tiny_model()
    save_checkpoint(model, out_dir)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=out_dir))
    try:
        export_clip_dir(model, TINY_CFG, ARCH_NAME, out_dir, TINY_DTYPES, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    golden = golden_outputs(model, out_dir)
    (out_dir / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")
    return model
