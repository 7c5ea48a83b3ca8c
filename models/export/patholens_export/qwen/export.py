"""Export a Hugging Face Qwen2.5-VL checkpoint (Patho-R1) to the transformers.js v4 model directory layout.

Writes ``onnx/vision_encoder{sfx}.onnx``, ``onnx/embed_tokens{sfx}.onnx`` and ``onnx/decoder_model_merged{sfx}.onnx``
(``{sfx}`` in '', _fp16, _quantized, _q4, _q4f16: see ..dtypes) plus the config, generation, preprocessor and
tokenizer files. The CLI owns the output directory (temporary dir, rename, --force) and manifest.json.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import pathlib
import shutil
import tempfile
import warnings

import onnx
import torch

from ..dtypes import DTYPE_SUFFIX, FP16_DTYPES, Q4_DTYPES
from ..errors import ExportError
from ..graph_io import cast_inputs_to_float32, strip_debug_metadata
from ..quantize import quantize_4bit_dtype
from ..quantize_8bit import quantize_q8
from .modules import Decoder, EmbedTokens, VisionEncoder

GRAPHS = ("vision_encoder", "embed_tokens", "decoder_model_merged")
OPSET = 18
# Protobuf cannot hold more than 2 GiB, and browsers load each external-data file into one ArrayBuffer, so weights
# go to `{file}_data`, `{file}_data_1`, ... chunks of at most this many bytes.
EXTERNAL_DATA_CHUNK = 1_900_000_000
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
PREPROCESSOR_DEFAULTS = {
    "do_convert_rgb": True,
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "Qwen2VLImageProcessor",
    "max_pixels": 12845056,
    "min_pixels": 3136,
    "merge_size": 2,
    "patch_size": 14,
    "processor_class": "Qwen2_5_VLProcessor",
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "temporal_patch_size": 2,
}


def check_dtypes(dtypes: list[str]) -> None:
    unknown = [d for d in dtypes if d not in DTYPE_SUFFIX]
    if unknown or not dtypes:
        raise ExportError(
            f"Unknown dtype {', '.join(map(repr, unknown)) or '(none given)'}: choose one or more of "
            f"{', '.join(DTYPE_SUFFIX)}."
        )


def read_config(checkpoint: pathlib.Path) -> dict:
    """The checkpoint's config.json, after checking that it describes a Qwen2.5-VL model with weights beside it."""
    if not checkpoint.is_dir():
        raise ExportError(f"The checkpoint {checkpoint} is not a directory: pass the folder of a Hugging Face "
                          "Qwen2.5-VL checkpoint (config.json, *.safetensors, tokenizer files).")
    cfg_path = checkpoint / "config.json"
    if not cfg_path.is_file():
        raise ExportError(f"The checkpoint folder {checkpoint} has no config.json, so it is not a Hugging Face checkpoint: pass the "
                          "folder that holds config.json and the *.safetensors weights.")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(f"The file {cfg_path} cannot be read as JSON ({exc}); the download may be incomplete, "
                          "so download the checkpoint again.") from exc
    if not isinstance(cfg, dict) or cfg.get("model_type") != "qwen2_5_vl":
        kind = cfg.get("model_type") if isinstance(cfg, dict) else None
        raise ExportError(f"The checkpoint {checkpoint} is a {kind or 'unknown'} model, not Qwen2.5-VL (model_type "
                          "'qwen2_5_vl'): Patho-R1 export needs a Qwen2.5-VL checkpoint such as Patho-R1-3B/7B.")
    weights = list(checkpoint.glob("*.safetensors")) + list(checkpoint.glob("*.bin"))
    if not weights:
        raise ExportError(f"The checkpoint {checkpoint} has a config.json but no weight files (*.safetensors): the download is "
                          "incomplete, so download the checkpoint again.")
    index = checkpoint / "model.safetensors.index.json"
    if index.is_file():
        try:
            shards = set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values())
        except (OSError, ValueError, KeyError) as exc:
            raise ExportError(f"The weight index {index} is corrupt ({exc}); download the checkpoint again.") from exc
        missing = sorted(s for s in shards if not (checkpoint / s).is_file())
        if missing:
            raise ExportError(f"The checkpoint {checkpoint} lacks weight shard(s) {', '.join(missing)} listed in "
                              "model.safetensors.index.json; download the missing files.")
    for name in TOKENIZER_FILES:
        if not (checkpoint / name).is_file():
            raise ExportError(f"The checkpoint {checkpoint} has no {name}; the app tokenizes with it, so copy it from the "
                              "model's download into the checkpoint folder.")
    return cfg


def load_model(checkpoint: pathlib.Path, dtype: torch.dtype = torch.float32):
    from transformers import Qwen2_5_VLForConditionalGeneration

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = Qwen2_5_VLForConditionalGeneration.from_pretrained(
                checkpoint, dtype=dtype, attn_implementation="eager"
            )
    except Exception as exc:  # safetensors/transformers raise many types for truncated or mismatched files
        raise ExportError(f"The weights in {checkpoint} could not be loaded as Qwen2.5-VL ({type(exc).__name__}: "
                          f"{str(exc)[:300]}); the files may be truncated or corrupt, so download them again.") from exc
    return model.eval()


def sample_inputs(model) -> dict[str, tuple]:
    """Example inputs for tracing; sizes > 1 everywhere so that no dynamic dimension gets specialised."""
    tc = model.config.text_config
    vc = model.config.vision_config
    dt = model.dtype
    patch_dim = vc.in_channels * vc.temporal_patch_size * vc.patch_size**2
    grid = torch.tensor([[1, 10, 16], [1, 6, 4]], dtype=torch.int64)
    n_patches = int(grid.prod(-1).sum())
    pixel_values = torch.randn(n_patches, patch_dim, generator=torch.Generator().manual_seed(0)).to(dt)
    b, s, past = 2, 5, 3
    hd = tc.hidden_size // tc.num_attention_heads
    input_ids = torch.ones(b, s, dtype=torch.int64)
    embeds = torch.zeros(b, s, tc.hidden_size, dtype=dt)
    mask = torch.ones(b, past + s, dtype=torch.int64)
    pos = torch.arange(past, past + s).view(1, 1, s).expand(3, b, s).contiguous()
    pkv = [(torch.zeros(b, tc.num_key_value_heads, past, hd, dtype=dt),
            torch.zeros(b, tc.num_key_value_heads, past, hd, dtype=dt))
           for _ in range(tc.num_hidden_layers)]
    return {
        "vision_encoder": (pixel_values, grid),
        "embed_tokens": (input_ids,),
        "decoder_model_merged": (embeds, mask, pos, pkv),
    }


def export_graphs(model, work: pathlib.Path, fused: bool = True) -> dict[str, pathlib.Path]:
    """The three fp32 graphs, exported with the dynamo exporter (exact dynamic shapes, no data-dependent ops).

    fused=True writes the decoder with ORT's GroupQueryAttention, RotaryEmbedding and (Skip)SimplifiedLayerNormalization
    contrib ops (see fused.py); fused=False writes it with plain ONNX ops only.
    """
    from torch.export import Dim

    from .fused import FusedDecoder, translation_table

    layers = model.config.text_config.num_hidden_layers
    batch, seq, past, total = Dim("batch_size"), Dim("sequence_length"), Dim("past_sequence_length"), \
        Dim("total_sequence_length")
    kv_names = [f"{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    specs = {
        "vision_encoder": dict(
            module=VisionEncoder(model.model.visual),
            input_names=["pixel_values", "image_grid_thw"],
            output_names=["image_features"],
            dynamic_shapes={"pixel_values": {0: Dim("num_patches")}, "image_grid_thw": {0: Dim("num_images")}},
        ),
        "embed_tokens": dict(
            module=EmbedTokens(model.model.language_model.embed_tokens),
            input_names=["input_ids"],
            output_names=["inputs_embeds"],
            dynamic_shapes={"input_ids": {0: batch, 1: seq}},
        ),
        "decoder_model_merged": dict(
            module=FusedDecoder(model) if fused else Decoder(model),
            input_names=["inputs_embeds", "attention_mask", "position_ids"] + [f"past_key_values.{n}" for n in kv_names],
            output_names=["logits"] + [f"present.{n}" for n in kv_names],
            dynamic_shapes={
                "inputs_embeds": {0: batch, 1: seq},
                "attention_mask": {0: batch, 1: total},
                "position_ids": {1: batch, 2: seq},
                "past_key_values": [({0: batch, 2: past}, {0: batch, 2: past}) for _ in range(layers)],
            },
        ),
    }
    inputs = sample_inputs(model)
    for noisy in ("onnxscript", "onnx_ir"):  # INFO lines per rewrite rule would drown the CLI's messages
        logging.getLogger(noisy).setLevel(logging.WARNING)
    out = {}
    for name, spec in specs.items():
        path = work / name / f"{name}.onnx"
        path.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                spec["module"].eval(), inputs[name], dynamo=True, opset_version=OPSET, verbose=False,
                input_names=spec["input_names"], output_names=spec["output_names"],
                dynamic_shapes=spec["dynamic_shapes"], optimize=True,
                custom_translation_table=translation_table() if fused else None,
            )
            program.save(str(path), external_data=True)
        del program
        gc.collect()
        out[name] = path
    return out


def tidy_dims(model: onnx.ModelProto, graph: str) -> None:
    """Readable symbolic dim names on outputs (the exporter writes expressions such as 'past + seq')."""
    for value in model.graph.output:
        dims = value.type.tensor_type.shape.dim
        if graph == "decoder_model_merged" and value.name.startswith("present.") and len(dims) == 4:
            dims[2].dim_param = "total_sequence_length"
        if graph == "vision_encoder" and len(dims) == 2:
            dims[0].dim_param = "num_image_tokens"
    model.producer_name = "patholens_export"
    strip_debug_metadata(model)


def add_num_logits_to_keep(model: onnx.ModelProto) -> None:
    """Optional-in-spirit int64 scalar input `num_logits_to_keep` (transformers.js sets 1 while generating, 0 in a
    plain forward): the LM head runs on the last n positions only, on all of them for 0. Added as ONNX nodes after
    export because the logits' length then depends on an input value, which torch.export cannot trace."""
    from onnx import TensorProto, helper

    g = model.graph
    head = next(n for n in g.node if "logits" in n.output)
    hidden = head.input[0]
    p = "num_logits_to_keep_"
    nodes = [
        helper.make_node("Shape", [hidden], [p + "shape"], start=1, end=2, name=p + "shape"),  # [S]
        helper.make_node("Reshape", [p + "n", p + "one_dim"], [p + "n1"], name=p + "n1"),
        helper.make_node("Equal", [p + "n1", p + "zero"], [p + "all"], name=p + "eq"),
        helper.make_node("Where", [p + "all", p + "shape", p + "n1"], [p + "keep"], name=p + "where"),
        helper.make_node("Sub", [p + "shape", p + "keep"], [p + "start"], name=p + "sub"),
        helper.make_node("Slice", [hidden, p + "start", p + "shape", p + "axis"], [p + "hidden"], name=p + "slice"),
    ]
    consts = [
        helper.make_tensor(p + "one_dim", TensorProto.INT64, [1], [1]),
        helper.make_tensor(p + "zero", TensorProto.INT64, [1], [0]),
        helper.make_tensor(p + "axis", TensorProto.INT64, [1], [1]),
    ]
    # Rename the graph input tensor so that the node list can keep the graph's order: feed it through Identity.
    nodes.insert(0, helper.make_node("Identity", ["num_logits_to_keep"], [p + "n"], name=p + "in"))
    head.input[0] = p + "hidden"
    idx = list(g.node).index(head)
    for k, node in enumerate(nodes):
        g.node.insert(idx + k, node)
    g.initializer.extend(consts)
    g.input.append(helper.make_tensor_value_info("num_logits_to_keep", TensorProto.INT64, []))
    logits = next(o for o in g.output if o.name == "logits")
    logits.type.tensor_type.shape.dim[1].dim_param = "num_logits"


def save_onnx(model: onnx.ModelProto, path: pathlib.Path) -> list[str]:
    """Save, moving weights to `{file}_data[_i]` chunks when the graph is over ~2 GB. Returns the data files."""
    tensors = list(model.graph.initializer)
    total = sum(len(t.raw_data) for t in tensors)
    if total < EXTERNAL_DATA_CHUNK:
        onnx.save_model(model, str(path))
        return []
    files: list[str] = []
    handle = None
    offset = 0
    try:
        for tensor in tensors:
            size = len(tensor.raw_data)
            if size < 1024:
                continue  # small constants stay inline
            if handle is None or offset + size > EXTERNAL_DATA_CHUNK and offset > 0:
                if handle is not None:
                    handle.close()
                name = f"{path.name}_data" + ("" if not files else f"_{len(files)}")
                files.append(name)
                handle = open(path.parent / name, "wb")
                offset = 0
            handle.write(tensor.raw_data)
            onnx.external_data_helper.set_external_data(tensor, files[-1], offset, size)
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            offset += size
    finally:
        if handle is not None:
            handle.close()
    onnx.save_model(model, str(path))
    return files


def write_configs(checkpoint: pathlib.Path, model_config, out_dir: pathlib.Path, external: dict[str, int]) -> list[str]:
    """config.json (nested text_config, as transformers.js v4 reads qwen2_5_vl), generation, preprocessor and
    tokenizer files with the chat template inside tokenizer_config.json."""
    cfg = model_config.to_dict()
    cfg.pop("dtype", None)
    cfg.pop("_name_or_path", None)  # a local (often temporary) path
    cfg.setdefault("architectures", ["Qwen2_5_VLForConditionalGeneration"])
    tc = cfg.get("text_config", {})
    tc.pop("dtype", None)
    # transformers.js reads these from the text config for the KV cache shapes.
    tc.setdefault("head_dim", model_config.text_config.hidden_size // model_config.text_config.num_attention_heads)
    js_config = dict(cfg.get("transformers.js_config", {}))
    if external:
        js_config["use_external_data_format"] = external
    else:
        js_config.pop("use_external_data_format", None)
    if js_config:
        cfg["transformers.js_config"] = js_config
    written = ["config.json"]
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    gen_src = checkpoint / "generation_config.json"
    if gen_src.is_file():
        try:
            gen = json.loads(gen_src.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ExportError(f"The file {gen_src} is not valid JSON ({exc}); download it again.") from exc
    else:
        tcfg = model_config.text_config
        gen = {"bos_token_id": tcfg.bos_token_id, "eos_token_id": tcfg.eos_token_id, "do_sample": False}
    gen.setdefault("max_new_tokens", 2048)  # Patho-R1's README setting
    (out_dir / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n", encoding="utf-8")
    written.append("generation_config.json")

    pre_src = checkpoint / "preprocessor_config.json"
    pre = dict(PREPROCESSOR_DEFAULTS)
    if pre_src.is_file():
        try:
            pre.update(json.loads(pre_src.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ExportError(f"The file {pre_src} is not valid JSON ({exc}); download it again.") from exc
    vc = model_config.vision_config
    pre.update(patch_size=vc.patch_size, temporal_patch_size=vc.temporal_patch_size, merge_size=vc.spatial_merge_size)
    (out_dir / "preprocessor_config.json").write_text(json.dumps(pre, indent=2) + "\n", encoding="utf-8")
    written.append("preprocessor_config.json")

    shutil.copyfile(checkpoint / "tokenizer.json", out_dir / "tokenizer.json")
    try:
        tok_cfg = json.loads((checkpoint / "tokenizer_config.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ExportError(f"The file {checkpoint / 'tokenizer_config.json'} is not valid JSON ({exc}); download it again.") from exc
    if "chat_template" not in tok_cfg:
        # transformers v5 and recent hub repos keep the template in its own file.
        jinja = checkpoint / "chat_template.jinja"
        tmpl_json = checkpoint / "chat_template.json"
        if jinja.is_file():
            tok_cfg["chat_template"] = jinja.read_text(encoding="utf-8")
        elif tmpl_json.is_file():
            tok_cfg["chat_template"] = json.loads(tmpl_json.read_text(encoding="utf-8"))["chat_template"]
        else:
            raise ExportError(f"The checkpoint {checkpoint} has no chat template (tokenizer_config.json 'chat_template', "
                              "chat_template.jinja or chat_template.json); copy it from the model's download.")
    (out_dir / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
    written += ["tokenizer.json", "tokenizer_config.json"]
    return written


def quantize_graph(proto: onnx.ModelProto, dtype: str) -> onnx.ModelProto:
    """One exported graph (fp32 for fp32/q8/q4, fp16 for fp16/q4f16) in `dtype`, with float32 `pixel_values`.

    transformers.js passes the image processor's float32 pixel_values unchanged (its float16 conversion does not
    work on Node 20), so fp16 vision encoders cast inside the graph. image_features stay in the graph's float
    type: transformers.js copies them as raw typed arrays into the embeddings embed_tokens returns, which use the
    same type."""
    if dtype in FP16_DTYPES:
        cast_inputs_to_float32(proto, ["pixel_values"])
    if dtype in Q4_DTYPES:
        return quantize_4bit_dtype(proto)
    if dtype == "q8":
        return quantize_q8(proto)
    return proto


IN_PROCESS_LIMIT = 2**30  # checkpoints with more weight bytes are exported to ONNX in a child process


def _torch_export(checkpoint: pathlib.Path, tmp: pathlib.Path, bases: list[str], fused: bool):
    """Load the checkpoint and export the fp32 and/or fp16 graphs; returns (config, {base: {graph: path}})."""
    model = load_model(checkpoint, torch.float32 if "fp32" in bases else torch.float16)
    graphs: dict[str, dict[str, pathlib.Path]] = {}
    for base in bases:
        if base == "fp16":
            model = model.to(torch.float16)  # in place
        graphs[base] = export_graphs(model, tmp / base, fused=fused)
    config = model.config
    # Empty the weights in place: the exporter's caches can keep references to the parameters.
    for tensor in list(model.parameters()) + list(model.buffers()):
        tensor.data = torch.empty(0, dtype=tensor.dtype)
    return config, graphs


def export_patho_r1(checkpoint: pathlib.Path, out_dir: pathlib.Path, dtypes: list[str], *,
                    fused: bool = True) -> dict[str, str]:
    """HF Qwen2.5-VL checkpoint dir -> transformers.js v4 model directory in out_dir.

    fused=True (default) gives the decoder ORT's fused contrib ops (GroupQueryAttention, RotaryEmbedding,
    SkipSimplifiedLayerNormalization, and MatMulNBits in q4/q4f16); it needs right-padded or single prompts.

    Returns {relative file path: dtype} for every file written; config and tokenizer files map to "".
    Raises ExportError (a full sentence) for a checkpoint that is not Qwen2.5-VL, missing/corrupt files or an
    unknown dtype.
    """
    checkpoint = pathlib.Path(checkpoint)
    out_dir = pathlib.Path(out_dir)
    check_dtypes(dtypes)
    read_config(checkpoint)
    dtypes = list(dict.fromkeys(dtypes))
    # fp32 and q4 come from an fp32 export, fp16 and q4f16 from an fp16 export of the same modules (their fp32
    # islands - norm statistics, rotary angles, softmax - are written in the modules). Loading straight in fp16
    # when no fp32 variant is asked for halves the peak memory of a q4f16-only export.
    want = {"fp32": {"fp32", "q8", "q4"}, "fp16": {"fp16", "q4f16"}}
    bases = [b for b in ("fp32", "fp16") if want[b] & set(dtypes)]
    onnx_dir = out_dir / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    external: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="patholens-qwen-", dir=out_dir) as tmp:
        weight_bytes = sum(p.stat().st_size for p in checkpoint.glob("*.safetensors"))
        if weight_bytes > IN_PROCESS_LIMIT:
            # PyTorch and the exporter's caches keep the weights alive after the export; a child process gives
            # that memory back before the ONNX passes load the graphs (peak = max of the two, not the sum).
            import concurrent.futures
            import multiprocessing

            ctx = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                model_config, graphs = pool.submit(_torch_export, checkpoint, pathlib.Path(tmp), bases, fused).result()
        else:
            model_config, graphs = _torch_export(checkpoint, pathlib.Path(tmp), bases, fused)
        gc.collect()
        for dtype in dtypes:
            base = "fp32" if dtype in want["fp32"] else "fp16"
            for graph, src in graphs[base].items():
                proto = onnx.load(str(src))
                if graph == "decoder_model_merged":
                    add_num_logits_to_keep(proto)
                out = quantize_graph(proto, dtype)
                del proto
                tidy_dims(out, graph)
                name = f"{graph}{DTYPE_SUFFIX[dtype]}.onnx"
                data_files = save_onnx(out, onnx_dir / name)
                del out
                gc.collect()
                files[f"onnx/{name}"] = dtype
                for data in data_files:
                    files[f"onnx/{data}"] = dtype
                if data_files:
                    external[name] = len(data_files)
    for name in write_configs(checkpoint, model_config, out_dir, external):
        files[name] = ""
    return files


def disk_bytes_needed(checkpoint: pathlib.Path, dtypes: list[str]) -> int:
    """Rough upper bound of the bytes export_patho_r1 writes (the CLI can compare it with free space)."""
    weights = sum(p.stat().st_size for p in pathlib.Path(checkpoint).glob("*.safetensors"))
    per = {"fp32": 2.0, "fp16": 1.0, "q8": 0.6, "q4": 0.4, "q4f16": 0.35}  # relative to bf16 safetensors
    # plus the temporary fp32 graphs
    return int(weights * (2.0 + sum(per.get(d, 2.0) for d in set(dtypes)))) + 10 * 2**20


__all__ = ["export_patho_r1", "disk_bytes_needed", "DTYPE_SUFFIX", "GRAPHS"]
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
