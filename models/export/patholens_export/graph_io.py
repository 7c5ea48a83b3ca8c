"""Float32 graph edges for fp16 graphs.

transformers.js feeds image processors' output (and CLIP's inputs) to ONNX sessions as float32 tensors and has no
working float16 conversion on Node 20, so a graph whose `pixel_values` is declared float16 fails with "Unexpected
input data type". These helpers give such a graph float32 inputs/outputs with a Cast inside the graph.
"""
from __future__ import annotations

from typing import Iterable

import onnx
from onnx import TensorProto, helper


def cast_inputs_to_float32(model: onnx.ModelProto, names: Iterable[str] | None = None) -> list[str]:
    """Declare the named float16 graph inputs (all of them for None) as float32 and cast them to float16 first
    thing. Returns the names changed; edits `model` in place."""
    g = model.graph
    wanted = None if names is None else set(names)
    changed, casts = [], []
    outputs = {o.name for o in g.output}
    for inp in g.input:
        if inp.type.tensor_type.elem_type != TensorProto.FLOAT16 or (wanted is not None and inp.name not in wanted):
            continue
        if inp.name in outputs:  # renaming it would change the output too
            raise ValueError(f"graph input {inp.name} is also a graph output")
        inner = inp.name + "_fp16"
        for node in g.node:
            node.input[:] = [inner if x == inp.name else x for x in node.input]
        casts.append(helper.make_node("Cast", [inp.name], [inner], to=TensorProto.FLOAT16, name=inp.name + "_to_fp16"))
        inp.type.tensor_type.elem_type = TensorProto.FLOAT
        changed.append(inp.name)
    for node in reversed(casts):
        g.node.insert(0, node)
    return changed


def cast_outputs_to_float32(model: onnx.ModelProto, names: Iterable[str] | None = None) -> list[str]:
    """Declare the named float16 graph outputs (all for None) as float32, cast at the end; edits in place."""
    g = model.graph
    wanted = None if names is None else set(names)
    changed = []
    for out in g.output:
        if out.type.tensor_type.elem_type != TensorProto.FLOAT16 or (wanted is not None and out.name not in wanted):
            continue
        inner = out.name + "_fp16"
        for node in g.node:
            node.output[:] = [inner if x == out.name else x for x in node.output]
            node.input[:] = [inner if x == out.name else x for x in node.input]
        g.node.append(helper.make_node("Cast", [inner], [out.name], to=TensorProto.FLOAT, name=out.name + "_to_fp32"))
        out.type.tensor_type.elem_type = TensorProto.FLOAT
        changed.append(out.name)
    return changed


def toposort(graph: onnx.GraphProto) -> None:
    """Order nodes so every input is produced before use (the fp16 converter appends some Casts out of order;
    ONNX Runtime tolerates that, the ONNX checker and other runtimes need not)."""
    available = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    pending = list(graph.node)
    ordered = []
    while pending:
        rest = []
        for n in pending:
            if all(x in available for x in n.input):
                ordered.append(n)
                available.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise RuntimeError("ONNX graph has a cycle or an input nobody produces: " + rest[0].name)
        pending = rest
    copies = [type(n)() for n in ordered]
    for c, n in zip(copies, ordered):
        c.CopyFrom(n)
    del graph.node[:]
    graph.node.extend(copies)


def strip_debug_metadata(model: onnx.ModelProto) -> None:
    """Drop the exporter's per-node annotations (Python stack traces with local paths and line numbers), so that
    files are smaller, leak no paths and are byte-identical whatever the source checkout looks like."""
    for node in model.graph.node:
        del node.metadata_props[:]
        node.doc_string = ""
    for value in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        del value.metadata_props[:]
