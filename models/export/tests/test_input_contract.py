"""What transformers.js feeds and copies, for every dtype of the committed tiny models.

transformers.js passes the image processor's float32 pixel_values as they are and copies image_features into the
embeddings embed_tokens returns as raw typed arrays. So every vision graph takes float32 pixel_values (fp16 graphs
cast inside) and returns image_features in the float type of its embed_tokens; CLIP graphs take and return float32.
"""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto

from conftest import TINY_DIR
from patholens_export.dtypes import ALL_DTYPES, DTYPE_SUFFIX, FP16_DTYPES
from patholens_export.graph_io import cast_inputs_to_float32

QWEN_ONNX = TINY_DIR / "patho-r1" / "onnx"
CLIP_ONNX = TINY_DIR / "pathoclip" / "onnx"


def io_types(path) -> tuple[dict[str, int], dict[str, int]]:
    m = onnx.load(str(path), load_external_data=False)
    return ({i.name: i.type.tensor_type.elem_type for i in m.graph.input},
            {o.name: o.type.tensor_type.elem_type for o in m.graph.output})


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_patho_r1_vision_takes_float32_and_matches_embed_tokens(dtype):
    sfx = DTYPE_SUFFIX[dtype]
    vis_in, vis_out = io_types(QWEN_ONNX / f"vision_encoder{sfx}.onnx")
    _, emb_out = io_types(QWEN_ONNX / f"embed_tokens{sfx}.onnx")
    dec_in, _ = io_types(QWEN_ONNX / f"decoder_model_merged{sfx}.onnx")
    assert vis_in == {"pixel_values": TensorProto.FLOAT, "image_grid_thw": TensorProto.INT64}
    float_type = TensorProto.FLOAT16 if dtype in FP16_DTYPES else TensorProto.FLOAT
    assert vis_out["image_features"] == emb_out["inputs_embeds"] == dec_in["inputs_embeds"] == float_type


@pytest.mark.parametrize("dtype", FP16_DTYPES)
def test_fp16_vision_encoder_runs_on_float32_pixels_like_fp32(dtype):
    """Fed the float32 tensor transformers.js makes, the fp16 graph gives the fp32 graph's features (to fp16 /
    4-bit precision); before the cast it refused float32 with 'Unexpected input data type'."""
    rng = np.random.default_rng(0)
    grid = np.array([[1, 4, 6]], np.int64)
    pixels = rng.standard_normal((24, 1176)).astype(np.float32)
    run = lambda sfx: ort.InferenceSession(str(QWEN_ONNX / f"vision_encoder{sfx}.onnx"),
                                           providers=["CPUExecutionProvider"]).run(
        None, {"pixel_values": pixels, "image_grid_thw": grid})[0]
    ref, half = run(""), run(DTYPE_SUFFIX[dtype])
    assert half.dtype == np.float16 and half.shape == ref.shape == (6, ref.shape[1])
    cos = float((half.astype(np.float64) * ref).sum() / (np.linalg.norm(half.astype(np.float64)) * np.linalg.norm(ref)))
    assert cos > (0.999 if dtype == "fp16" else 0.98)  # q4f16 also has 4-bit weights


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("tower,inp,out", [("vision_model", "pixel_values", "image_embeds"),
                                           ("text_model", "input_ids", "text_embeds")])
def test_pathoclip_takes_and_returns_float32(dtype, tower, inp, out):
    ins, outs = io_types(CLIP_ONNX / f"{tower}{DTYPE_SUFFIX[dtype]}.onnx")
    assert ins == {inp: TensorProto.INT64 if inp == "input_ids" else TensorProto.FLOAT}
    assert outs == {out: TensorProto.FLOAT}


def test_cast_inputs_to_float32_only_touches_float16_inputs():
    from onnx import helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"]), helper.make_node("Identity", ["n"], ["m"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [2]), helper.make_tensor_value_info("n", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [2]), helper.make_tensor_value_info("m", TensorProto.INT64, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=10)
    assert cast_inputs_to_float32(model) == ["x"]
    onnx.checker.check_model(model)
    out = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"x": np.array([1.5, -2.0], np.float32), "n": np.array([3, 4], np.int64)})
    assert out[0].dtype == np.float16 and out[0].tolist() == [1.5, -2.0] and out[1].tolist() == [3, 4]
