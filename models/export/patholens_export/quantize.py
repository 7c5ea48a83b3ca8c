"""Browser dtypes for an exported fp32 ONNX graph: fp16, q8, q4 and q4f16 (shared by the Qwen and CLIP exporters).

* q4: 4-bit MatMulNBits, block 32, symmetric, with onnxruntime's quantization kernel (ORT's quantizer defaults
  are block 128 and asymmetric); activations stay fp32. The LM head (the MatMul writing `logits`) is 8-bit
  MatMulNBits instead, and token embeddings are int8 rows (quantize_8bit.py; not GatherBlockQuantized, which
  needs ``shader-f16`` on WebGPU): these two decide every token and cost little to keep at 8 bits.
* q8: dynamic int8 MatMulInteger (quantize_8bit.py).
* fp16: onnxruntime's float16 converter with fp16 inputs/outputs (the three Qwen graphs exchange embeddings as raw
  typed arrays, so they must agree on one dtype) but with the numerically touchy ops kept fp32: softmax, the
  RMSNorm/LayerNorm statistics (Pow, ReduceMean, the epsilon Add, Sqrt, Reciprocal), rotary Sin/Cos and the
  integer-heavy index math (Range, CumSum).
* q4f16: fp16 conversion first, then MatMulNBits with fp16 scales, so MatMulNBits runs with fp16 activations.
"""
from __future__ import annotations

import onnx
from onnxruntime.transformers import float16

from .dtypes import ALL_DTYPES
from .quantize_8bit import quantize_q8, quantize_token_embeddings_8bit

Q4_BLOCK_SIZE = 32

# Ops kept in fp32 on top of the converter's default block list.
FP32_OPS = ["Softmax", "Pow", "ReduceMean", "Sqrt", "Reciprocal", "Sin", "Cos", "Range", "CumSum",
            "LayerNormalization", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization",
            "RotaryEmbedding"]


# Graph outputs whose producing MatMul keeps 8-bit weights in the 4-bit dtypes (the LM head).
EIGHT_BIT_OUTPUTS = ("logits",)


def quantize_q4(model: onnx.ModelProto, nodes_to_exclude: list[str] | None = None,
                eight_bit_outputs: tuple[str, ...] = ()) -> onnx.ModelProto:
    """Replace constant-weight MatMuls by 4-bit MatMulNBits (block 32, symmetric); keeps activations' dtype.
    MatMuls that write one of `eight_bit_outputs` get 8-bit MatMulNBits (same block size) instead.

    Uses onnxruntime's own block quantization kernel (the one its MatMulNBitsQuantizer calls) one weight at a
    time, dropping each float weight as soon as it is packed, so that quantizing a multi-GB graph needs little
    more memory than the graph itself (ORT's quantizer keeps all float weights until the end). Edits `model` in
    place and returns it.
    """
    import numpy as np
    from onnx import helper, numpy_helper
    from onnxruntime.capi._pybind_state import quantize_matmul_4bits, quantize_matmul_8bits

    exclude = set(nodes_to_exclude or [])
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    uses: dict[str, int] = {}
    for node in g.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    block = Q4_BLOCK_SIZE
    new_nodes = []
    for node in g.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or node.name in exclude or len(weight.dims) != 2 or \
                weight.data_type not in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16):
            new_nodes.append(node)
            continue
        w = numpy_helper.to_array(weight)
        k, n = w.shape
        k_blocks = (k + block - 1) // block
        if k_blocks * block != k:
            w = np.pad(w, ((0, k_blocks * block - k), (0, 0)))
        w = np.ascontiguousarray(w)
        bits = 8 if node.output[0] in eight_bit_outputs else 4
        packed = np.zeros((n, k_blocks, block * bits // 8), dtype=np.uint8)
        scales = np.zeros((n, k_blocks), dtype=w.dtype)
        # Symmetric: the kernel fills no zero points and MatMulNBits defaults them to 2^(bits-1).
        zero_points = np.zeros((n, k_blocks if bits == 8 else (k_blocks + 1) // 2), dtype=np.uint8)
        (quantize_matmul_8bits if bits == 8 else quantize_matmul_4bits)(packed, w, scales, zero_points, block, n, k, True)
        base = weight.name
        del w
        if uses[base] == 1:  # free the float weight now
            g.initializer.remove(weight)
            del inits[base]
        g.initializer.extend([numpy_helper.from_array(packed, base + "_Q4"),
                              numpy_helper.from_array(scales, base + "_scales")])
        new_nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], base + "_Q4", base + "_scales"], list(node.output),
            name=(node.name or base) + "_Q4", domain="com.microsoft", K=k, N=n, bits=bits, block_size=block))
    del g.node[:]
    g.node.extend(new_nodes)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def _norm_epsilon_adds(model: onnx.ModelProto) -> list[str]:
    """Names of the `variance + eps` Add nodes of decomposed RMS/LayerNorms (ReduceMean -> Add -> Sqrt)."""
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    names = []
    for node in model.graph.node:
        if node.op_type != "ReduceMean":
            continue
        for nxt in consumers.get(node.output[0], []):
            if nxt.op_type == "Add" and any(c.op_type == "Sqrt" for c in consumers.get(nxt.output[0], [])):
                names.append(nxt.name)
    return names


def convert_fp16(model: onnx.ModelProto) -> onnx.ModelProto:
    """fp32 graph -> fp16 graph (fp16 float inputs/outputs), keeping norms, softmax and RoPE in fp32."""
    for i, node in enumerate(model.graph.node):
        if not node.name:  # the converter's node block list works by name
            node.name = f"{node.op_type}_{i}"
    out = float16.convert_float_to_float16(
        model,
        keep_io_types=False,
        op_block_list=list(float16.DEFAULT_OP_BLOCK_LIST) + FP32_OPS,
        node_block_list=_norm_epsilon_adds(model),
        disable_shape_infer=True,
    )
    # The converter names its Cast nodes (and their outputs) after the tensor they cast, so one tensor feeding
    # two fp32 nodes gives the same Cast twice, which ONNX Runtime rejects: drop the identical repeats.
    produced: dict[str, onnx.NodeProto] = {}
    keep = []
    for node in out.graph.node:
        first = produced.get(node.output[0]) if node.output else None
        if first is not None:
            if first.op_type == node.op_type == "Cast" and list(first.input) == list(node.input) \
                    and first.attribute == node.attribute:
                continue
            raise RuntimeError(f"fp16 conversion produced two different nodes writing {node.output[0]}")
        for name in node.output:
            produced[name] = node
        keep.append(node)
    del out.graph.node[:]
    out.graph.node.extend(keep)
    return out


def quantize_4bit_dtype(model: onnx.ModelProto, nodes_to_exclude: list[str] | None = None) -> onnx.ModelProto:
    """The q4 / q4f16 recipe on a graph already in its activation precision: 4-bit MatMuls, 8-bit LM head and
    int8 token embeddings. Edits `model` in place and returns it."""
    model = quantize_q4(model, nodes_to_exclude, eight_bit_outputs=EIGHT_BIT_OUTPUTS)
    quantize_token_embeddings_8bit(model)
    return model


def quantize_q4f16(model: onnx.ModelProto, nodes_to_exclude: list[str] | None = None) -> onnx.ModelProto:
    """fp32 graph -> fp16 graph with 4-bit MatMulNBits weights (fp16 scales and activations)."""
    return quantize_4bit_dtype(convert_fp16(model), nodes_to_exclude)


def make_dtype(model: onnx.ModelProto, dtype: str) -> onnx.ModelProto:
    """One fp32 graph to one of the browser dtypes (dtypes.ALL_DTYPES); the input is left unchanged."""
    if dtype not in ALL_DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}")
    if dtype == "q8":
        return quantize_q8(model)  # works on its own copy
    copy = onnx.ModelProto()
    copy.CopyFrom(model)  # the converter and the quantizer edit their input in place
    model = copy
    if dtype == "fp32":
        return model
    if dtype == "fp16":
        return convert_fp16(model)
    if dtype == "q4":
        return quantize_4bit_dtype(model)
    return quantize_q4f16(model)
