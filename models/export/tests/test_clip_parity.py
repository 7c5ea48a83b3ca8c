"""ONNX Runtime against open_clip (PyTorch): the committed tiny PathoCLIP, and fresh CLI exports of it and of a
second, differently shaped model saved the way open_clip training saves checkpoints."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from clip_helpers import min_cosine, ort_run, rel_err
from conftest import TINY_DIR

from patholens_export.cli import main
from patholens_export.dtypes import ALL_DTYPES, DTYPE_SUFFIX
from patholens_export.manifest import verify_manifest

CLIP_DIR = TINY_DIR / "pathoclip"
TEXTS = ["an image of carcinoma", "normal mucosa", "x", "word " * 90, "Lymphocytes &amp; plasma cells"]
FP32_TOL = 1e-4
Q4_MIN_COS = 0.99


@pytest.fixture(scope="module")
def tiny_torch():
    import open_clip

    model, _, preprocess = open_clip.create_model_and_transforms(f"local-dir:{CLIP_DIR}")
    return model.eval(), preprocess


def _torch_embeds(model, pixels, ids):
    with torch.no_grad():
        return model.encode_image(torch.from_numpy(pixels)).numpy(), model.encode_text(torch.from_numpy(ids)).numpy()


def _inputs(model, n_images=5, seed=1):
    import open_clip

    s = model.visual.image_size
    s = s[0] if isinstance(s, tuple) else s
    rng = np.random.default_rng(seed)
    pixels = rng.normal(0, 1, size=(n_images, 3, s, s)).astype(np.float32)
    return pixels, open_clip.tokenize(TEXTS).numpy()


def check_dir(model_dir, model, dtypes, report):
    pixels, ids = _inputs(model)
    ref_img, ref_txt = _torch_embeds(model, pixels, ids)
    for dtype in dtypes:
        sfx = DTYPE_SUFFIX[dtype]
        img = ort_run(model_dir / "onnx" / f"vision_model{sfx}.onnx", {"pixel_values": pixels})
        txt = ort_run(model_dir / "onnx" / f"text_model{sfx}.onnx", {"input_ids": ids})
        assert img.dtype == np.float32 and txt.dtype == np.float32, "app feeds/reads float32 for every dtype"
        e_img, e_txt = rel_err(img, ref_img), rel_err(txt, ref_txt)
        c_img, c_txt = min_cosine(img, ref_img), min_cosine(txt, ref_txt)
        report[dtype] = {"image_rel_err": e_img, "text_rel_err": e_txt, "image_min_cos": c_img, "text_min_cos": c_txt}
        print(f"{model_dir.name} {dtype}: image rel err {e_img:.2e} cos {c_img:.5f}; text rel err {e_txt:.2e} cos {c_txt:.5f}")
        if dtype == "fp32":
            assert e_img <= FP32_TOL and e_txt <= FP32_TOL
        else:
            assert c_img >= Q4_MIN_COS and c_txt >= Q4_MIN_COS


def test_committed_tiny_matches_pytorch(tiny_torch):
    model, _ = tiny_torch
    check_dir(CLIP_DIR, model, list(ALL_DTYPES), {})


def test_committed_tiny_matches_its_golden_outputs():
    golden = json.loads((CLIP_DIR / "golden.json").read_text())
    pixels = np.array([np.array(i["pixel_values"], np.float32).reshape(i["pixel_values_shape"]) for i in golden["images"]])
    ids = np.array([t["input_ids"] for t in golden["texts"]], np.int64)
    img = ort_run(CLIP_DIR / "onnx" / "vision_model.onnx", {"pixel_values": pixels})
    txt = ort_run(CLIP_DIR / "onnx" / "text_model.onnx", {"input_ids": ids})
    assert rel_err(img, [i["image_embeds"] for i in golden["images"]]) <= FP32_TOL
    assert rel_err(txt, [t["text_embeds"] for t in golden["texts"]]) <= FP32_TOL
    cfg = json.loads((CLIP_DIR / "config.json").read_text())
    assert cfg["patholens"]["logit_scale"] == pytest.approx(golden["logit_scale"], rel=1e-6)
    norm = lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)  # noqa: E731
    logits = cfg["patholens"]["logit_scale"] * norm(img) @ norm(txt).T
    assert rel_err(logits, golden["logits_per_image"]) <= 1e-4


def test_golden_images_preprocess_like_open_clip(tiny_torch):
    """The committed PNGs through open_clip's own transform give the golden pixel_values."""
    from PIL import Image

    _, preprocess = tiny_torch
    golden = json.loads((CLIP_DIR / "golden.json").read_text())
    for item in golden["images"]:
        got = preprocess(Image.open(CLIP_DIR / item["file"])).numpy().reshape(-1)
        assert rel_err(got, item["pixel_values"]) <= 1e-6


def test_preprocessor_config_matches_open_clip_transform(tiny_torch):
    """transformers' CLIPImageProcessor configured from preprocessor_config.json (what transformers.js mirrors)
    reproduces open_clip's eval transform on the golden images."""
    from PIL import Image
    from transformers import CLIPImageProcessor

    _, preprocess = tiny_torch
    proc = CLIPImageProcessor.from_pretrained(str(CLIP_DIR))
    golden = json.loads((CLIP_DIR / "golden.json").read_text())
    for item in golden["images"]:
        image = Image.open(CLIP_DIR / item["file"])
        hf = np.asarray(proc(images=image, return_tensors="np")["pixel_values"][0])
        ref = preprocess(image).numpy()
        assert hf.shape == ref.shape
        # bicubic resampling implementations differ slightly; the center crop and normalisation must agree
        err = float(np.abs(hf - ref).mean())
        print(f"{item['file']}: mean |hf - open_clip| = {err:.4f}")
        assert err < 0.05


@pytest.fixture(scope="module")
def cli_export_all_dtypes(tmp_path_factory):
    out = tmp_path_factory.mktemp("clip") / "tiny-all"
    rc = main(["pathoclip", "--checkpoint", str(CLIP_DIR / "open_clip_model.safetensors"),
               "--arch", str(CLIP_DIR / "open_clip_config.json"), "--out", str(out), "--dtype", ",".join(ALL_DTYPES)])
    assert rc == 0
    return out


def test_cli_export_every_dtype(cli_export_all_dtypes, tiny_torch):
    model, _ = tiny_torch
    report = {}
    check_dir(cli_export_all_dtypes, model, list(ALL_DTYPES), report)
    assert report["fp16"]["image_min_cos"] >= 0.999 and report["fp16"]["text_min_cos"] >= 0.999
    assert verify_manifest(cli_export_all_dtypes) == []
    manifest = json.loads((cli_export_all_dtypes / "manifest.json").read_text())
    assert manifest["kind"] == "pathoclip" and manifest["dtypes"] == sorted(ALL_DTYPES)
    assert set(manifest["quality"]["dtypes"]) == set(ALL_DTYPES)
    assert manifest["files"]["onnx/text_model_q4f16.onnx"]["dtype"] == "q4f16"
    assert manifest["source"]["sha256"] == __import__("hashlib").sha256(
        (CLIP_DIR / "open_clip_model.safetensors").read_bytes()).hexdigest()


def test_q4_uses_matmulnbits_block32(cli_export_all_dtypes):
    import onnx

    for name in ("vision_model_q4", "text_model_q4", "vision_model_q4f16"):
        m = onnx.load(str(cli_export_all_dtypes / "onnx" / f"{name}.onnx"))
        nbits = [n for n in m.graph.node if n.op_type == "MatMulNBits"]
        assert nbits, name
        for n in nbits:
            attrs = {a.name: a.i for a in n.attribute}
            assert attrs["bits"] == 4 and attrs["block_size"] == 32
        assert not [n for n in m.graph.node if n.op_type == "GatherBlockQuantized"]
        if name.startswith("text_model"):  # the token table is stored as int8 rows
            assert onnx.TensorProto.INT8 in {i.data_type for i in m.graph.initializer}
        # every weight matrix is quantized: no Gemm, and no MatMul left with a constant (initializer) weight
        consts = {i.name for i in m.graph.initializer}
        assert not [n.name for n in m.graph.node if n.op_type == "Gemm"
                    or (n.op_type == "MatMul" and any(x in consts for x in n.input))], name


SECOND_CFG = {  # differently shaped: QuickGELU, 48 px / patch 16, 4 vision heads, wider 3-layer text tower
    "embed_dim": 24,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 48, "layers": 3, "width": 64, "head_width": 16, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 4, "layers": 3},
}


def test_second_config_from_training_style_pt_checkpoint(tmp_path):
    """A .pt holding {'state_dict': {'module.…': …}} as open_clip's training loop saves it, with its own config."""
    import open_clip

    from patholens_export.clip.tiny import trained_like_init

    torch.manual_seed(123)
    model = open_clip.CLIP(**SECOND_CFG).eval()
    trained_like_init(model)
    with torch.no_grad():
        model.logit_scale.fill_(math.log(50.0))
    ckpt = tmp_path / "epoch_3.pt"
    torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in model.state_dict().items()}}, ckpt)
    cfg = tmp_path / "second.json"
    cfg.write_text(json.dumps(SECOND_CFG))
    out = tmp_path / "out"
    assert main(["pathoclip", "--checkpoint", str(ckpt), "--arch", str(cfg), "--out", str(out), "--dtype", "fp32,q4"]) == 0
    check_dir(out, model, ["fp32", "q4"], {})
    config = json.loads((out / "config.json").read_text())
    assert config["vision_config"]["hidden_act"] == "quick_gelu"
    assert config["patholens"]["logit_scale"] == pytest.approx(50.0, rel=1e-6)
    pp = json.loads((out / "preprocessor_config.json").read_text())
    assert pp["size"] == {"shortest_edge": 48} and pp["crop_size"] == {"height": 48, "width": 48} and pp["resample"] == 3
    assert pp["image_mean"] == pytest.approx(list(open_clip.OPENAI_DATASET_MEAN))
    assert verify_manifest(out) == []
