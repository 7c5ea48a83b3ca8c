"""Deterministic tiny Patho-R1 (Qwen2.5-VL) checkpoint, its ONNX exports and golden outputs."""
from __future__ import annotations

import pathlib


def make_tiny_patho_r1(out_dir: pathlib.Path) -> None:
    """Write out_dir/patho-r1/: tiny checkpoint, tokenizer, ONNX (fp32, q4) and golden.json."""
    raise NotImplementedError("make_tiny_patho_r1 is being implemented")
