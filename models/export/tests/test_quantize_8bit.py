"""8-bit pieces: int8 token-embedding rows, 8-bit MatMulNBits for the LM head, and q8 (MatMulInteger)."""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from patholens_export.quantize import quantize_q4
from patholens_export.quantize_8bit import quantize_q8, quantize_token_embeddings_8bit


def run(model, feeds):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)[0]


def embedding_model(table: np.ndarray) -> onnx.ModelProto:
    graph = helper.make_graph([helper.make_node("Gather", ["table", "input_ids"], ["embeds"], axis=0)], "g",
                              [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"])],
                              [helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["b", "s", table.shape[1]])],
                              [numpy_helper.from_array(table, "table")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=10)


def matmul_model(weight: np.ndarray, out: str = "logits") -> onnx.ModelProto:
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], [out], name="head")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", weight.shape[0]])],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["n", weight.shape[1]])],
                              [numpy_helper.from_array(weight, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=10)


def test_int8_embedding_rows_are_within_half_a_step_of_the_table():
    rng = np.random.default_rng(0)
    table = (rng.standard_normal((50, 24)) * rng.uniform(0.1, 3.0, (50, 1))).astype(np.float32)
    model = embedding_model(table)
    assert quantize_token_embeddings_8bit(model) == 1
    assert {i.data_type for i in model.graph.initializer} == {TensorProto.INT8, TensorProto.FLOAT}
    ids = np.array([[0, 7, 49, 7]], np.int64)
    got = run(model, {"input_ids": ids})
    step = np.abs(table[ids[0]]).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(got[0] - table[ids[0]]) <= step / 2 + 1e-7)


def test_eight_bit_head_is_much_closer_than_four_bit():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((64, 40)).astype(np.float32)
    x = rng.standard_normal((3, 64)).astype(np.float32)
    exact = x @ w
    err = {}
    for bits, outputs in ((8, ("logits",)), (4, ())):
        q = quantize_q4(matmul_model(w), eight_bit_outputs=outputs)
        node = next(n for n in q.graph.node if n.op_type == "MatMulNBits")
        assert next(a.i for a in node.attribute if a.name == "bits") == bits
        err[bits] = float(np.abs(run(q, {"x": x}) - exact).max() / np.abs(exact).max())
    assert err[8] < 0.01 and err[8] < err[4] / 8


def test_q8_is_matmulinteger_with_int8_weights():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((64, 40)).astype(np.float32)
    x = rng.standard_normal((3, 64)).astype(np.float32)
    q = quantize_q8(matmul_model(w))
    assert "MatMulInteger" in {n.op_type for n in q.graph.node}
    assert not [n for n in q.graph.node if n.op_type == "MatMul"]
    weights = [i for i in q.graph.initializer if list(i.dims) == [64, 40]]
    assert [i.data_type for i in weights] == [TensorProto.INT8]
    exact = x @ w
    assert float(np.abs(run(q, {"x": x}) - exact).max() / np.abs(exact).max()) < 0.03
