"""Export a Hugging Face Qwen2.5-VL checkpoint (Patho-R1) to the transformers.js v4 model directory layout."""
from __future__ import annotations

import pathlib


def export_patho_r1(checkpoint: pathlib.Path, out_dir: pathlib.Path, dtypes: list[str]) -> dict[str, str]:
    """Write onnx/{vision_encoder,embed_tokens,decoder_model_merged}{sfx}.onnx plus config/tokenizer files.

    Returns {relative path: dtype} for every ONNX file written (config files map to "").
    """
    raise NotImplementedError("export_patho_r1 is being implemented")
