"""The committed tiny PathoCLIP directory through transformers.js in Node (the library the app uses): tokenizer,
documented open_clip truncation, CLIPImageProcessor and both ONNX sessions against the PyTorch goldens."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from clip_helpers import min_cosine, rel_err
from conftest import REPO_ROOT, TINY_DIR

CLIP_DIR = TINY_DIR / "pathoclip"
NODE_MODULES = REPO_ROOT / "node_modules"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_MODULES / "@huggingface" / "transformers").is_dir()
    or not list((NODE_MODULES / "onnxruntime-node" / "bin").glob("napi-v*/*/*/onnxruntime_binding.node")),
    reason="node, node_modules/@huggingface/transformers or onnxruntime-node's binary missing (run npm ci)",
)


@pytest.fixture(scope="module")
def fp16_export(tmp_path_factory):
    """The tiny checkpoint exported by the CLI with the fp16 variants (the committed dir holds fp32 and q4)."""
    from patholens_export.cli import main

    out = tmp_path_factory.mktemp("js") / "pathoclip-fp16"
    assert main(["pathoclip", "--checkpoint", str(CLIP_DIR / "open_clip_model.safetensors"), "--arch",
                 str(CLIP_DIR / "open_clip_config.json"), "--out", str(out), "--dtype", "fp16,q4f16"]) == 0
    return out


@pytest.mark.parametrize("dtype", ["fp32", "q4", "fp16", "q4f16"])
def test_transformers_js_matches_pytorch_goldens(dtype, request):
    model_dir = request.getfixturevalue("fp16_export") if dtype in ("fp16", "q4f16") else CLIP_DIR
    golden = json.loads((CLIP_DIR / "golden.json").read_text())
    payload = {"texts": [t["text"] for t in golden["texts"]], "images": [str(CLIP_DIR / i["file"]) for i in golden["images"]]}
    proc = subprocess.run(["node", str(REPO_ROOT / "models/export/tests/js/clip_embed.mjs"), str(model_dir.parent),
                           model_dir.name, dtype],
                          input=json.dumps(payload), capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    js = json.loads(proc.stdout.strip().splitlines()[-1])
    assert js["input_ids"] == [t["input_ids"] for t in golden["texts"]]
    text_ref = [t["text_embeds"] for t in golden["texts"]]
    img_ref = np.array([i["image_embeds"] for i in golden["images"]])
    pix = np.array(js["pixel_values"]).reshape(len(golden["images"]), -1)
    pix_ref = np.array([i["pixel_values"] for i in golden["images"]])
    same_size = [k for k, i in enumerate(golden["images"]) if (i["height"], i["width"]) == (32, 32)]
    assert same_size, "one golden image needs no resize"
    # no resize: preprocessing and vision model must agree exactly
    assert rel_err(pix[same_size], pix_ref[same_size]) <= 1e-5
    img = np.array(js["image_embeds"])
    print(f"transformers.js {dtype}: text rel err {rel_err(js['text_embeds'], text_ref):.2e}, "
          f"resized-image pixel mean |diff| {np.abs(pix - pix_ref).mean():.3f}, image cos {min_cosine(img, img_ref):.5f}")
    if dtype == "fp16":
        assert min_cosine(js["text_embeds"], text_ref) >= 0.999 and min_cosine(img, img_ref) >= 0.999
    elif dtype == "fp32":
        assert rel_err(js["text_embeds"], text_ref) <= 1e-4
        assert rel_err(img[same_size], img_ref[same_size]) <= 1e-4
        # resized images: transformers.js resamples with its own bicubic (sharp in Node), not PIL's
        assert min_cosine(img, img_ref) >= 0.999
    else:
        assert min_cosine(js["text_embeds"], text_ref) >= 0.99 and min_cosine(img, img_ref) >= 0.99
