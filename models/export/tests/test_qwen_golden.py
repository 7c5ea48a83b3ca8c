"""The committed tiny Patho-R1 (models/tiny/patho-r1): its golden outputs, tokenizer, and reproducibility."""
from __future__ import annotations

import json

import numpy as np
import pytest

from patholens_export.dtypes import DTYPE_SUFFIX
from patholens_export.qwen import tiny
from qwen_helpers import TINY_QWEN, QwenBundle, rel_err


@pytest.fixture(scope="module")
def golden():
    return json.loads((TINY_QWEN / "golden.json").read_text())


@pytest.fixture(scope="module")
def bundle():
    return QwenBundle("tiny", TINY_QWEN, list(DTYPE_SUFFIX))


def test_layout_and_size():
    names = {p.relative_to(TINY_QWEN).as_posix() for p in TINY_QWEN.rglob("*") if p.is_file()}
    for graph in ("vision_encoder", "embed_tokens", "decoder_model_merged"):
        for sfx in DTYPE_SUFFIX.values():  # every dtype the exporter writes
            assert f"onnx/{graph}{sfx}.onnx" in names
    for f in ("config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json",
              "tokenizer_config.json", "model.safetensors", "golden.json"):
        assert f in names
    assert sum(p.stat().st_size for p in TINY_QWEN.rglob("*") if p.is_file()) < 10 * 2**20


def test_config_for_transformers_js(bundle):
    cfg = bundle.config
    assert cfg["model_type"] == "qwen2_5_vl"
    tc = cfg["text_config"]
    assert tc["model_type"] == "qwen2_5_vl_text"  # transformers.js normalises qwen2_5_vl through text_config
    assert tc["num_key_value_heads"] < tc["num_attention_heads"]  # GQA
    assert tc["head_dim"] == tc["hidden_size"] // tc["num_attention_heads"]
    vc = cfg["vision_config"]
    assert vc["fullatt_block_indexes"] and len(vc["fullatt_block_indexes"]) < vc["depth"]  # window + full blocks
    assert vc["window_size"] // vc["patch_size"] // vc["spatial_merge_size"] >= 2
    tok_cfg = json.loads((TINY_QWEN / "tokenizer_config.json").read_text())
    assert "<|image_pad|>" in tok_cfg["chat_template"]
    pre = json.loads((TINY_QWEN / "preprocessor_config.json").read_text())
    assert pre["patch_size"] * pre["merge_size"] == 28 and pre["temporal_patch_size"] == 2


def test_tokenizer_has_qwen_special_tokens(bundle):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TINY_QWEN / "tokenizer.json"))
    ids = [tok.token_to_id(c) for c, _ in tiny.QWEN25VL_ADDED_TOKENS]
    assert None not in ids and ids == list(range(ids[0], ids[0] + len(ids)))  # contiguous, after the BPE vocab
    assert bundle.config["image_token_id"] == tok.token_to_id("<|image_pad|>")
    assert bundle.config["vision_start_token_id"] == tok.token_to_id("<|vision_start|>")
    text = "<|im_start|>user\nIs this   adenocarcinoma? 12% Ki-67 — ok<|im_end|>\n"
    enc = tok.encode(text)
    assert enc.tokens[0] == "<|im_start|>" and "<|im_end|>" in enc.tokens
    assert tok.decode(enc.ids, skip_special_tokens=False) == text  # byte-level: lossless, unicode included
    assert bundle.processor.tokenizer(text)["input_ids"] == enc.ids  # transformers reads the same tokenizer


def test_chat_template_renders_patho_r1_prompt(bundle, golden):
    case = golden["cases"][0]
    assert case["prompt"].startswith("<|im_start|>system\n" + tiny.PATHO_R1_SYSTEM_PROMPT + "<|im_end|>\n"
                                     "<|im_start|>user\n<|vision_start|><|image_pad|>")
    assert case["prompt"].endswith("<|im_start|>assistant\n")
    n_pad = case["input_ids"].count(golden["image_token_id"])
    assert n_pad == case["pixel_values_shape"][0] // 4 == len(case["vision_features"])


def test_golden_cases_cover_the_brief(golden):
    by_name = {c["name"]: c for c in golden["cases"]}
    assert set(by_name) == {"single_turn_image", "multi_turn_image", "two_images", "no_image", "single_turn_image_unresized"}
    assert len(by_name["two_images"]["image_grid_thw"]) == 2
    assert "pixel_values_shape" not in by_name["no_image"]
    for c in golden["cases"]:
        assert len(c["greedy_new_ids"]) >= 32
        for w, h in ((i["width"], i["height"]) for i in c["images"]):
            if c["name"] == "single_turn_image_unresized":
                assert w % 28 == 0 and h % 28 == 0  # kept as is, so browsers (canvas resize) match PyTorch
            else:
                assert w % 28 and h % 28  # sizes the processor must resize


@pytest.mark.parametrize("dtype", ["fp32"])
def test_onnx_reproduces_golden(bundle, golden, dtype):
    for case, g in zip(tiny.golden_cases(), golden["cases"]):
        inputs = bundle.inputs(case)
        assert inputs["input_ids"][0].tolist() == g["input_ids"]
        ids, first, feats = bundle.onnx_generate(dtype, inputs)
        assert ids[0].tolist() == g["greedy_new_ids"]
        assert rel_err(first[0, -1], g["first_step_logits_last_position"]) < 1e-4
        assert list(first[0].shape) == g["first_step_logits_digest"]["shape"]
        if feats is not None:
            assert list(inputs["pixel_values"].shape) == g["pixel_values_shape"]
            assert inputs["image_grid_thw"].tolist() == g["image_grid_thw"]
            assert rel_err(feats, g["vision_features"]) < 1e-4


def test_pytorch_checkpoint_reproduces_golden(bundle, golden):
    """The committed safetensors load in transformers and give the golden outputs."""
    for case, g in zip(tiny.golden_cases(), golden["cases"]):
        ref = bundle.torch_ref(bundle.inputs(case))
        assert ref["ids"] == g["greedy_new_ids"]
        assert rel_err(ref["first_logits"][-1].numpy(), g["first_step_logits_last_position"]) < 1e-5
        d = g["first_step_logits_digest"]
        assert abs(float(ref["first_logits"].sum()) - d["sum"]) <= 1e-4 * d["abs_sum"]


def test_regenerating_gives_the_same_model(tmp_path, golden):
    """make_tiny_patho_r1 is deterministic: byte-identical weights, tokenizer, configs and ONNX files, and the same
    golden outputs."""
    tiny.make_tiny_patho_r1(tmp_path)
    new = tmp_path / "patho-r1"
    made = sorted(p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(TINY_QWEN).as_posix() for p in TINY_QWEN.rglob("*") if p.is_file())
    assert made == [f for f in committed if f != "manifest.json"]  # the CLI adds manifest.json
    for rel in made:
        if rel != "golden.json":
            assert (new / rel).read_bytes() == (TINY_QWEN / rel).read_bytes(), rel
    regen = json.loads((new / "golden.json").read_text())
    assert len(regen["cases"]) == len(golden["cases"])
    for a, b in zip(regen["cases"], golden["cases"]):
        assert a["input_ids"] == b["input_ids"]
        assert a["greedy_new_ids"] == b["greedy_new_ids"]
        np.testing.assert_allclose(a["first_step_logits_last_position"], b["first_step_logits_last_position"],
                                   atol=2e-6)
        if "vision_features" in b:
            np.testing.assert_allclose(a["vision_features"], b["vision_features"], atol=2e-6)
