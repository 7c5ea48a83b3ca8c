"""The shared q4 helper (patholens_export.quantize) against onnxruntime's own MatMulNBitsQuantizer."""
from __future__ import annotations

import copy

import numpy as np
import onnx
from onnx import numpy_helper

from patholens_export.quantize import quantize_q4
from qwen_helpers import TINY_QWEN


def test_q4_equals_onnxruntime_quantizer():
    """Same packed weights and scales as ORT's quantizer (block 32, symmetric), including K = 1176 (not a
    multiple of 32: the patch embedding), while freeing float weights as it goes."""
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    fp32 = onnx.load(str(TINY_QWEN / "onnx" / "vision_encoder.onnx"))
    ours = quantize_q4(copy.deepcopy(fp32))
    q = MatMulNBitsQuantizer(copy.deepcopy(fp32), bits=4, block_size=32, is_symmetric=True,
                             op_types_to_quantize=("MatMul",))
    q.process()
    theirs = q.model.model

    def packed(m):
        names = {i for n in m.graph.node if n.op_type == "MatMulNBits" for i in n.input[1:]}
        return {t.name: numpy_helper.to_array(t) for t in m.graph.initializer if t.name in names}

    a, b = packed(ours), packed(theirs)
    assert a.keys() == b.keys() and len(a) >= 2 * 3
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    ks = {attr.i for n in ours.graph.node if n.op_type == "MatMulNBits" for attr in n.attribute if attr.name == "K"}
    assert 1176 in ks
    # No float copy of a quantized weight is left behind.
    quantized = {n.input[1][: -len("_Q4")] for n in ours.graph.node if n.op_type == "MatMulNBits"}
    assert not quantized & {t.name for t in ours.graph.initializer}
