"""Export an open_clip CLIP model to a transformers.js CLIP directory."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

from ..dtypes import DTYPE_SUFFIX, FP16_DTYPES
from ..errors import ExportError
from ..graph_io import cast_inputs_to_float32, cast_outputs_to_float32, strip_debug_metadata, toposort
from . import CLIP_DTYPES
from .tokenizer import CONTEXT_LENGTH, write_tokenizer

OPSET = 18
# The ViT-B-16 / L-14 towers are far below protobuf's 2 GB limit, so every graph is one self-contained file.


def check_dtypes(dtypes: list[str]) -> None:
    bad = [d for d in dtypes if d not in CLIP_DTYPES]
    if bad or not dtypes:
        raise ExportError(f"Unknown dtype '{','.join(bad) or '(none)'}' for PathoCLIP: use a comma-separated list of {', '.join(CLIP_DTYPES)}.")


def _wrappers(model):
    import torch

    class VisionModel(torch.nn.Module):
        """pixel_values [B,3,S,S] -> image_embeds [B,D], unnormalised (the app L2-normalises)."""

        def __init__(self, clip):
            super().__init__()
            self.clip = clip

        def forward(self, pixel_values):
            return self.clip.encode_image(pixel_values, normalize=False)

    class TextModel(torch.nn.Module):
        """input_ids [B,77] int64 -> text_embeds [B,D], unnormalised; pooled at the argmax id (<end_of_text>)."""

        def __init__(self, clip):
            super().__init__()
            self.clip = clip

        def forward(self, input_ids):
            return self.clip.encode_text(input_ids, normalize=False)

    return VisionModel(model).eval(), TextModel(model).eval()


def image_size(model) -> int:
    size = model.visual.image_size
    size = size[0] if isinstance(size, (tuple, list)) else size
    return int(size)


def export_fp32_graphs(model, work: Path) -> dict[str, Path]:
    """torch.onnx (dynamo) export of both towers with a dynamic batch; returns name -> fp32 ONNX path."""
    import torch

    vision, text = _wrappers(model)
    s = image_size(model)
    batch = torch.export.Dim("batch_size", min=1, max=4096)
    # Two rows so the batch dimension is really traced as symbolic.
    pixels = torch.zeros(2, 3, s, s)
    ids = torch.zeros(2, CONTEXT_LENGTH, dtype=torch.long)
    ids[:, 0], ids[:, 1], ids[:, 2] = 49406, 320, 49407
    paths = {"vision_model": work / "vision_model.onnx", "text_model": work / "text_model.onnx"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        for module, args, in_name, out_name, path in (
            (vision, (pixels,), "pixel_values", "image_embeds", paths["vision_model"]),
            (text, (ids,), "input_ids", "text_embeds", paths["text_model"]),
        ):
            program = torch.onnx.export(
                module, args, input_names=[in_name], output_names=[out_name],
                dynamic_shapes={in_name: {0: batch}}, opset_version=OPSET, dynamo=True,
                external_data=False, verbose=False, report=False,
            )
            program.save(str(path))
    return paths


def _fp32_io(model):
    """fp16 graphs from the shared converter take/return fp16; give CLIP fp32 inputs/outputs instead, because
    transformers.js feeds a CLIP session the float32 tensors its processor makes and does not convert them."""
    import onnx

    cast_inputs_to_float32(model)
    cast_outputs_to_float32(model)
    toposort(model.graph)
    onnx.checker.check_model(model)
    return model


def gemm_to_matmul(model):
    """Copy of `model` with constant-weight Gemm nodes rewritten as MatMul (+ Add for the bias).

    nn.MultiheadAttention's out_proj is exported as Gemm on a 2-D view, and the MatMulNBits quantizer only takes
    MatMul: without this a quarter of each transformer block's weights (768x768 per ViT-B block) stayed fp32 in q4."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.ModelProto()
    m.CopyFrom(model)
    inits = {i.name: i for i in m.graph.initializer}
    nodes = []
    for n in m.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        if (n.op_type != "Gemm" or n.input[1] not in inits or attrs.get("transA", 0)
                or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0):
            nodes.append(n)
            continue
        w = numpy_helper.to_array(inits[n.input[1]])
        if attrs.get("transB", 0):
            w = np.ascontiguousarray(w.T)
        w_name = n.input[1] + "_matmul_kn"
        m.graph.initializer.append(numpy_helper.from_array(w, w_name))
        has_bias = len(n.input) > 2 and n.input[2]
        mm_out = n.output[0] + "_matmul" if has_bias else n.output[0]
        nodes.append(helper.make_node("MatMul", [n.input[0], w_name], [mm_out], name=(n.name or n.output[0]) + "_matmul"))
        if has_bias:
            nodes.append(helper.make_node("Add", [mm_out, n.input[2]], [n.output[0]], name=(n.name or n.output[0]) + "_bias"))
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    used = {x for n in m.graph.node for x in n.input}
    keep = [i for i in m.graph.initializer if i.name in used]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)
    return m


def write_dtype_graphs(fp32_paths: dict[str, Path], out_dir: Path, dtypes: list[str]) -> dict[str, str]:
    import onnx

    from ..quantize import make_dtype  # shared fp16 converter and quantizers (q8, 4-bit block 32 symmetric)

    onnx_dir = out_dir / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for name, path in fp32_paths.items():
        base = onnx.load(str(path))
        for dtype in dtypes:
            # Quantizers take MatMul only; the float dtypes keep the exporter's Gemm.
            m = make_dtype(base if dtype in ("fp32", "fp16") else gemm_to_matmul(base), dtype)
            if dtype in FP16_DTYPES:
                m = _fp32_io(m)
            strip_debug_metadata(m)
            rel = f"onnx/{name}{DTYPE_SUFFIX[dtype]}.onnx"
            onnx.save(m, str(out_dir / rel))
            written[rel] = dtype
    return written


def preprocess_config(model) -> dict[str, Any]:
    """open_clip's eval transform (resize shortest side, center crop, to [0,1], normalise) in CLIPImageProcessor terms."""
    import open_clip

    cfg = open_clip.get_model_preprocess_cfg(model)
    s = image_size(model)
    interp = cfg.get("interpolation", "bicubic")
    resample = {"bicubic": 3, "bilinear": 2}.get(interp)
    if resample is None or cfg.get("resize_mode", "shortest") != "shortest":
        raise ExportError(f"This open_clip model uses {interp}/{cfg.get('resize_mode')} preprocessing, which the exporter does not map yet.")
    return {
        "image_processor_type": "CLIPImageProcessor",
        "feature_extractor_type": "CLIPFeatureExtractor",
        "processor_class": "CLIPProcessor",
        "do_convert_rgb": True,
        "do_resize": True,
        "size": {"shortest_edge": s},
        "resample": resample,
        "do_center_crop": True,
        "crop_size": {"height": s, "width": s},
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [float(x) for x in cfg.get("mean", open_clip.OPENAI_DATASET_MEAN)],
        "image_std": [float(x) for x in cfg.get("std", open_clip.OPENAI_DATASET_STD)],
    }


def model_config(model, cfg: dict[str, Any], arch: str) -> dict[str, Any]:
    """config.json in HF CLIPConfig terms (what transformers.js reads: model_type, sub-configs), plus a
    `patholens` block with the facts the app needs and HF's config cannot say."""
    vc, tc = cfg["vision_cfg"], cfg["text_cfg"]
    act = "quick_gelu" if cfg.get("quick_gelu") else "gelu"
    log_scale = float(model.logit_scale.detach().reshape(-1)[0])
    bias = getattr(model, "logit_bias", None)
    vw, tw = vc.get("width", 768), tc.get("width", 512)
    return {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": int(cfg["embed_dim"]),
        "logit_scale_init_value": log_scale,
        "text_config": {
            "model_type": "clip_text_model", "hidden_act": act, "hidden_size": tw,
            "intermediate_size": int(tw * tc.get("mlp_ratio", 4.0)),
            "num_attention_heads": tc.get("heads", 8), "num_hidden_layers": tc.get("layers", 12),
            "max_position_embeddings": tc.get("context_length", CONTEXT_LENGTH),
            "vocab_size": tc.get("vocab_size", 49408), "projection_dim": int(cfg["embed_dim"]),
            "bos_token_id": 49406, "eos_token_id": 49407, "pad_token_id": 0,
        },
        "vision_config": {
            "model_type": "clip_vision_model", "hidden_act": act, "hidden_size": vw,
            "intermediate_size": int(vw * vc.get("mlp_ratio", 4.0)),
            "num_attention_heads": vw // vc.get("head_width", 64), "num_hidden_layers": vc.get("layers", 12),
            "image_size": image_size(model), "patch_size": vc.get("patch_size", 16), "num_channels": 3,
            "projection_dim": int(cfg["embed_dim"]),
        },
        "patholens": {
            "kind": "pathoclip",
            "open_clip_arch": arch,
            "open_clip_model_cfg": cfg,
            # similarity logits = logit_scale * cos(image_embeds, text_embeds) (+ logit_bias)
            "logit_scale": math.exp(log_scale),
            "logit_scale_log": log_scale,
            "logit_bias": None if bias is None else float(bias.detach().reshape(-1)[0]),
            "embeddings_normalized": False,
            "text_model_input_length": CONTEXT_LENGTH,
            "text_truncation": {
                "style": "open_clip",
                "context_length": CONTEXT_LENGTH,
                "how": "tokenize without truncation (special tokens added); if longer than 77 ids keep the "
                       "first 76 and set the 77th to eos_token_id 49407; right-pad with pad_token_id 0 to 77. "
                       "transformers.js truncation would cut off <end_of_text>, and the text model pools at the "
                       "argmax id, i.e. at <end_of_text>.",
                "eos_token_id": 49407,
                "pad_token_id": 0,
            },
        },
        "transformers.js_config": {"use_external_data_format": False},
    }


def count_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def bytes_needed(n_params: int, dtypes: list[str]) -> int:
    """Disk needed: the fp32 work copies of both towers plus each dtype (bytes per parameter, with 8-bit
    embeddings in q8/q4), with a margin."""
    per = {"fp32": 4.0, "fp16": 2.0, "q8": 1.0, "q4": 0.7, "q4f16": 0.6}
    return int(n_params * (4.0 + sum(per[d] for d in dtypes)) * 1.1) + (16 << 20)


def export_clip_dir(model, cfg: dict[str, Any], arch: str, out_dir: Path, dtypes: list[str], work: Path) -> dict[str, str]:
    """Write the whole transformers.js directory (except manifest.json) into out_dir; returns {file: dtype}."""
    check_dtypes(dtypes)
    out_dir = Path(out_dir)
    fp32 = export_fp32_graphs(model, Path(work))
    written = write_dtype_graphs(fp32, out_dir, dtypes)
    write_tokenizer(out_dir)
    (out_dir / "preprocessor_config.json").write_text(json.dumps(preprocess_config(model), indent=2) + "\n")
    (out_dir / "config.json").write_text(json.dumps(model_config(model, cfg, arch), indent=2) + "\n")
    return written
