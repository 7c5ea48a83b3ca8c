"""8-bit weights: token-embedding tables stored as int8 rows, and the `q8` dtype (dynamic MatMulInteger).

* Token embeddings (the Gather that reads `input_ids`) become an int8 table with one scale per row, read with plain
  ONNX ops (Gather of int8 rows and of their scales, Cast, Mul). Unlike GatherBlockQuantized this runs on every
  backend (WebGPU without shader-f16 included), and only the gathered rows are ever dequantized.
* q8 = onnxruntime.quantization.quantize_dynamic: every MatMul with a constant weight becomes
  DynamicQuantizeLinear + MatMulInteger with int8 per-output-channel weights (what transformers.js calls `q8`,
  file suffix `_quantized`). Activations are quantized per tensor at run time, so it needs fp32 activations.
"""
from __future__ import annotations

import contextlib
import logging
import pathlib
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TOKEN_IDS_INPUT = "input_ids"


def _initializers(model: onnx.ModelProto) -> dict[str, onnx.TensorProto]:
    return {t.name: t for t in model.graph.initializer}


def quantize_token_embeddings_8bit(model: onnx.ModelProto, ids_input: str = TOKEN_IDS_INPUT) -> int:
    """Store every float 2-D table gathered by the graph input `ids_input` as int8 rows (symmetric, one scale per
    row, in the table's own float type). Edits `model` in place; returns how many tables were converted."""
    g = model.graph
    inits = _initializers(model)
    uses: dict[str, int] = {}
    for node in g.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    converted = 0
    new_nodes = []
    for node in g.node:
        table = inits.get(node.input[0]) if node.op_type == "Gather" and len(node.input) == 2 else None
        axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
        if table is None or node.input[1] != ids_input or axis != 0 or len(table.dims) != 2 or \
                table.data_type not in (TensorProto.FLOAT, TensorProto.FLOAT16):
            new_nodes.append(node)
            continue
        w = numpy_helper.to_array(table)
        amax = np.abs(w.astype(np.float32)).max(axis=1, keepdims=True)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        q = np.clip(np.rint(w.astype(np.float32) / scale), -127, 127).astype(np.int8)
        base = table.name
        if uses[base] == 1:
            g.initializer.remove(table)
        g.initializer.extend([numpy_helper.from_array(q, base + "_int8"),
                              numpy_helper.from_array(scale.astype(w.dtype), base + "_row_scale")])
        p = (node.name or base) + "_q8"
        out = node.output[0]
        new_nodes += [
            helper.make_node("Gather", [base + "_int8", ids_input], [p + "_rows"], name=p + "_rows", axis=0),
            helper.make_node("Gather", [base + "_row_scale", ids_input], [p + "_scales"], name=p + "_scales", axis=0),
            helper.make_node("Cast", [p + "_rows"], [p + "_rows_float"], name=p + "_cast", to=table.data_type),
            helper.make_node("Mul", [p + "_rows_float", p + "_scales"], [out], name=p + "_dequantize"),
        ]
        converted += 1
    del g.node[:]
    g.node.extend(new_nodes)
    return converted


def weight_matmul_names(model: onnx.ModelProto) -> list[str]:
    """Names of the MatMul nodes whose second input is a constant 2-D weight (naming unnamed nodes on the way)."""
    inits = _initializers(model)
    names = []
    for i, node in enumerate(model.graph.node):
        if not node.name:
            node.name = f"{node.op_type}_{i}"
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is not None and len(weight.dims) == 2:
            names.append(node.name)
    return names


def quantize_q8(model: onnx.ModelProto) -> onnx.ModelProto:
    """fp32 graph -> q8: int8 token embeddings, and MatMulInteger with per-channel int8 weights for every
    constant-weight MatMul (attention's activation x activation MatMuls stay float). Returns a new model."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    matmuls = weight_matmul_names(copy)
    quantize_token_embeddings_8bit(copy)
    big = sum(len(t.raw_data) for t in copy.graph.initializer) > 1_500_000_000
    with tempfile.TemporaryDirectory(prefix="patholens-q8-") as tmp:
        src, dst = pathlib.Path(tmp) / "in.onnx", pathlib.Path(tmp) / "out.onnx"
        # quantize_dynamic works on files; large graphs go through external data (protobuf's 2 GB limit).
        onnx.save_model(copy, str(src), save_as_external_data=big, location="in.onnx_data")
        del copy
        if not matmuls:
            return onnx.load(str(src))
        with _quiet_root_logger():  # ORT logs a "run pre-processing" hint meant for static quantization
            quantize_dynamic(src, dst, op_types_to_quantize=["MatMul"], nodes_to_quantize=matmuls, per_channel=True,
                             reduce_range=False, weight_type=QuantType.QInt8, use_external_data_format=big,
                             extra_options={"MatMulConstBOnly": True})
        return onnx.load(str(dst))


@contextlib.contextmanager
def _quiet_root_logger():
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        root.setLevel(level)
