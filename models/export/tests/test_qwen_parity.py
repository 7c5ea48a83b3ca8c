"""ONNX Runtime against PyTorch for the exported Qwen2.5-VL graphs, on the committed tiny model and on a second,
differently shaped tiny config built here. The three sessions are driven as transformers.js drives them."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch

from patholens_export.qwen import tiny
from qwen_helpers import TINY_QWEN, QwenBundle, build_second_model, cosine, rel_err, torch_first_logits

CASES = tiny.golden_cases()
CASE_IDS = [c["name"] for c in CASES]
QUANT_DTYPES = ["fp16", "q8", "q4", "q4f16"]


@pytest.fixture(scope="module", params=["tiny", "second"])
def bundle(request, tmp_path_factory):
    if request.param == "tiny":
        return QwenBundle("tiny", TINY_QWEN, ["fp32", "q4"])
    root = tmp_path_factory.mktemp("qwen-second")
    return QwenBundle("second", build_second_model(root, ["fp32"]), ["fp32"])


@pytest.fixture(scope="module")
def tiny_all_dtypes():
    """The committed tiny model, which carries every dtype the exporter writes."""
    return QwenBundle("tiny", TINY_QWEN, ["fp32"] + QUANT_DTYPES)


def test_graph_signatures(bundle):
    """Names, dtypes and shapes as transformers.js v4 expects: only batch_size and the lengths symbolic, KV heads
    and head_dim fixed numbers, position_ids [3, batch, seq], no If node or use_cache_branch."""
    tc = bundle.config["text_config"]
    hd = tc["hidden_size"] // tc["num_attention_heads"]
    dec = onnx.load(str(bundle.path / "onnx" / "decoder_model_merged.onnx"), load_external_data=False)

    def dims(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    inputs = {i.name: i for i in dec.graph.input}
    outputs = {o.name: o for o in dec.graph.output}
    layers = tc["num_hidden_layers"]
    kv = [f"{i}.{k}" for i in range(layers) for k in ("key", "value")]
    assert list(inputs) == (["inputs_embeds", "attention_mask", "position_ids"] + [f"past_key_values.{n}" for n in kv]
                            + ["num_logits_to_keep"])
    assert dims(inputs["num_logits_to_keep"]) == []  # int64 scalar, as transformers.js sets it
    assert inputs["num_logits_to_keep"].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert list(outputs) == ["logits"] + [f"present.{n}" for n in kv]
    assert dims(inputs["inputs_embeds"]) == ["batch_size", "sequence_length", tc["hidden_size"]]
    assert dims(inputs["position_ids"]) == [3, "batch_size", "sequence_length"]
    assert inputs["attention_mask"].type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert inputs["position_ids"].type.tensor_type.elem_type == onnx.TensorProto.INT64
    for n in kv:
        assert dims(inputs[f"past_key_values.{n}"]) == ["batch_size", tc["num_key_value_heads"],
                                                        "past_sequence_length", hd]
        assert dims(outputs[f"present.{n}"]) == ["batch_size", tc["num_key_value_heads"], "total_sequence_length", hd]
    assert dims(outputs["logits"]) == ["batch_size", "num_logits", tc["vocab_size"]]
    assert not any(n.op_type in ("If", "Loop") for n in dec.graph.node)
    vis = onnx.load(str(bundle.path / "onnx" / "vision_encoder.onnx"), load_external_data=False)
    assert [i.name for i in vis.graph.input] == ["pixel_values", "image_grid_thw"]
    assert dims(vis.graph.input[0]) == ["num_patches", 1176]
    assert dims(vis.graph.input[1]) == ["num_images", 3]
    assert [o.name for o in vis.graph.output] == ["image_features"]
    assert not any(n.op_type == "Conv" for n in vis.graph.node)  # the patch embedding is a MatMul


def test_image_features_dtype_matches_embeddings(tiny_all_dtypes):
    """transformers.js copies image features into the embeddings as raw typed arrays: same dtype per variant."""
    for dtype in tiny_all_dtypes.dtypes:
        r = tiny_all_dtypes.runner(dtype)
        feat = r.sessions["vision_encoder"].get_outputs()[0].type
        emb = r.sessions["embed_tokens"].get_outputs()[0].type
        dec_in = r.sessions["decoder_model_merged"].get_inputs()[0].type
        assert feat == emb == dec_in, (dtype, feat, emb, dec_in)


@pytest.mark.parametrize("grid", [
    [[1, 4, 4]],                       # one window, smallest image
    [[1, 10, 16]],                     # 140 x 224 px: merged grid 5 x 8, not a multiple of the window
    [[1, 22, 8], [1, 6, 14], [1, 4, 4]],  # several images of different sizes in one call
    [[1, 18, 30]],                     # larger, non-square
    [[2, 6, 10]],                      # two temporal frames (video-like): per-frame attention segments
], ids=["4x4", "10x16", "three-images", "18x30", "t2"])
def test_vision_encoder_any_grid(bundle, grid):
    """One graph for every image size and count: identical features to HF's loop-based vision tower."""
    g = torch.tensor(grid, dtype=torch.int64)
    n = int(g.prod(-1).sum())
    pv = torch.randn(n, 1176, generator=torch.Generator().manual_seed(n))
    with torch.no_grad():
        ref = bundle.model.model.visual(pv, grid_thw=g).pooler_output.numpy()
    got = bundle.runner("fp32").vision(pv.numpy(), g.numpy())
    assert got.shape == (n // 4, bundle.config["text_config"]["hidden_size"])
    assert rel_err(got, ref) < 1e-4


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_fp32_matches_pytorch(bundle, case):
    """Image sizes not multiples of 28, a multi-turn chat, two images, no image: first-step logits within 1e-4
    (relative), identical vision features, identical greedy tokens through the KV cache."""
    inputs = bundle.inputs(case)
    ref = bundle.torch_ref(inputs)
    ids, first, feats = bundle.onnx_generate("fp32", inputs)
    ref_logits = ref["first_logits"].numpy()
    err = rel_err(first[0], ref_logits)
    print(f"[{bundle.name}/{case['name']}] fp32 logits max rel err {err:.2e}")
    assert err < 1e-4
    if ref["features"] is not None:
        assert rel_err(feats, ref["features"].numpy()) < 1e-4
    assert ids[0].tolist() == ref["ids"]
    assert len(ref["ids"]) >= 32


@pytest.mark.parametrize("dtype", QUANT_DTYPES)
def test_quantized_logits_close(tiny_all_dtypes, dtype):
    """fp16 / q8 / q4 / q4f16: cosine of first-step logits >= 0.99 per case; share of equal greedy tokens printed."""
    b = tiny_all_dtypes
    for case in CASES:
        inputs = b.inputs(case)
        ref = b.torch_ref(inputs)
        ids, first, _ = b.onnx_generate(dtype, inputs)
        cos = cosine(first[0].astype(np.float32), ref["first_logits"].numpy())
        free = float(np.mean(ids[0] == np.array(ref["ids"])))
        forced = float(np.mean(b.teacher_forced_argmax(dtype, inputs, ref["ids"]) == np.array(ref["ids"])))
        print(f"[tiny/{case['name']}] {dtype}: logits cosine {cos:.5f}, equal greedy tokens {free:.0%} free-running, "
              f"{forced:.0%} teacher-forced")
        assert cos >= 0.99, (case["name"], cos)


@pytest.mark.parametrize("dtype", ["q4", "q4f16"])
def test_4bit_uses_matmulnbits_block32_symmetric_with_8bit_head_and_embeddings(dtype):
    q = onnx.load(str(TINY_QWEN / "onnx" / f"decoder_model_merged_{dtype}.onnx"))
    nbits = [n for n in q.graph.node if n.op_type == "MatMulNBits"]
    assert nbits and not any(n.op_type == "MatMul" and n.input[1] in {i.name for i in q.graph.initializer}
                             for n in q.graph.node)
    for n in nbits:
        attrs = {a.name: a.i for a in n.attribute}
        # the LM head (writing `logits`) keeps 8 bits, every other weight has 4
        assert attrs["bits"] == (8 if "logits" in n.output else 4) and attrs["block_size"] == 32, n.name
        assert len(n.input) < 4 or not n.input[3]  # symmetric: no zero points
    assert sum("logits" in n.output for n in nbits) == 1
    assert not any(n.op_type == "GatherBlockQuantized" for n in q.graph.node)
    emb = onnx.load(str(TINY_QWEN / "onnx" / f"embed_tokens_{dtype}.onnx"))
    tables = {i.name: i for i in emb.graph.initializer}
    gathers = [n for n in emb.graph.node if n.op_type.startswith("Gather")]
    assert [n.op_type for n in gathers] == ["Gather", "Gather"]  # int8 rows and their scales
    assert tables[gathers[0].input[0]].data_type == onnx.TensorProto.INT8


def test_q8_uses_matmulinteger_for_every_weight():
    q = onnx.load(str(TINY_QWEN / "onnx" / "decoder_model_merged_quantized.onnx"))
    consts = {i.name for i in q.graph.initializer}
    assert [n for n in q.graph.node if n.op_type == "MatMulInteger"]
    assert not [n.name for n in q.graph.node if n.op_type == "MatMul" and n.input[1] in consts]


@pytest.fixture(scope="module")
def second_plain(tmp_path_factory):
    """The second config exported with fused=False (plain ONNX ops only)."""
    root = tmp_path_factory.mktemp("qwen-second-plain")
    return QwenBundle("second-plain", build_second_model(root, ["fp32"], fused=False), ["fp32"])


def _two_prompts(bundle, side: str):
    proc = bundle.processor
    texts = [proc.apply_chat_template(CASES[3]["messages"], add_generation_prompt=True, tokenize=False),
             proc.apply_chat_template([{"role": "user", "content": [{"type": "text", "text": "Hi."}]}],
                                      add_generation_prompt=True, tokenize=False)]
    rows = [proc.tokenizer(t)["input_ids"] for t in texts]
    width = max(map(len, rows))
    pad = bundle.config["text_config"]["pad_token_id"]
    if side == "left":
        ids = [[pad] * (width - len(x)) + x for x in rows]
        mask = [[0] * (width - len(x)) + [1] * len(x) for x in rows]
    else:
        ids = [x + [pad] * (width - len(x)) for x in rows]
        mask = [[1] * len(x) + [0] * (width - len(x)) for x in rows]
    return rows, np.array(ids, np.int64), np.array(mask, np.int64)


def _check_batch(bundle, side: str):
    from patholens_export.qwen.onnx_runner import rope_index

    r = bundle.runner("fp32")
    rows, ids, mask = _two_prompts(bundle, side)
    width = ids.shape[1]
    pos, _ = rope_index(ids, None, mask, bundle.config["image_token_id"], bundle.config["vision_start_token_id"], 2)
    logits, _ = r.decoder(r.embed(ids), mask, pos, r.empty_past(2))
    for i, x in enumerate(rows):
        single = torch_first_logits(bundle, {"input_ids": torch.tensor([x]),
                                             "attention_mask": torch.ones(1, len(x), dtype=torch.long)})
        real = slice(width - len(x), width) if side == "left" else slice(0, len(x))
        assert rel_err(logits[i, real], single) < 1e-4


def test_right_padded_batch(bundle):
    """Batch of two prompts of different lengths, right-padded: each row equals its unpadded prompt (the fused
    GroupQueryAttention takes per-row lengths and supports this padding)."""
    _check_batch(bundle, "right")


def test_plain_export_matches_pytorch_and_left_padding(second_plain):
    """fused=False: plain ONNX ops only (no contrib ops), same parity, and left-padded batches work too."""
    dec = onnx.load(str(second_plain.path / "onnx" / "decoder_model_merged.onnx"))
    assert not any(n.domain == "com.microsoft" for n in dec.graph.node)
    _check_batch(second_plain, "left")
    case = CASES[1]
    inputs = second_plain.inputs(case)
    ref = second_plain.torch_ref(inputs)
    ids, first, _ = second_plain.onnx_generate("fp32", inputs)
    assert rel_err(first[0], ref["first_logits"].numpy()) < 1e-4
    assert ids[0].tolist() == ref["ids"]


def test_decoder_uses_fused_contrib_ops(bundle):
    """The shipped decoder uses the ops ORT Web has WebGPU kernels for, and no decomposed attention/RMSNorm."""
    dec = onnx.load(str(bundle.path / "onnx" / "decoder_model_merged.onnx"))
    ops = {(n.domain, n.op_type) for n in dec.graph.node}
    for op in ("GroupQueryAttention", "RotaryEmbedding", "SkipSimplifiedLayerNormalization"):
        assert ("com.microsoft", op) in ops
    assert ("", "SimplifiedLayerNormalization") in ops
    assert not any(t in {o for _, o in ops} for t in ("Softmax", "Pow", "ReduceMean"))
    layers = bundle.config["text_config"]["num_hidden_layers"]
    assert sum(n.op_type == "GroupQueryAttention" for n in dec.graph.node) == layers


def test_num_logits_to_keep(bundle):
    """0 -> logits for every position (plain forward), n -> the last n positions (generation passes 1)."""
    r = bundle.runner("fp32")
    inputs = bundle.inputs(CASES[0])
    ids = inputs["input_ids"].numpy()
    embeds, _ = r.prompt_embeds(ids, inputs["pixel_values"].numpy(), inputs["image_grid_thw"].numpy())
    from patholens_export.qwen.onnx_runner import rope_index

    mask = np.ones_like(ids)
    pos, _ = rope_index(ids, inputs["image_grid_thw"].numpy(), mask, bundle.config["image_token_id"],
                        bundle.config["vision_start_token_id"], 2)
    full, _ = r.decoder(embeds, mask, pos, r.empty_past(1), num_logits_to_keep=0)
    assert full.shape[1] == ids.shape[1]
    for n in (1, 3):
        part, present = r.decoder(embeds, mask, pos, r.empty_past(1), num_logits_to_keep=n)
        assert part.shape[1] == n
        np.testing.assert_allclose(part, full[:, -n:], rtol=0, atol=1e-5)
        assert next(iter(present.values())).shape[2] == ids.shape[1]  # the cache still covers every position
