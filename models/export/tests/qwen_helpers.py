"""Helpers shared by the Qwen2.5-VL (Patho-R1) tests (not a test module)."""
from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field

import numpy as np
import torch

from patholens_export.qwen import tiny
from patholens_export.qwen.export import DTYPE_SUFFIX, export_patho_r1
from patholens_export.qwen.onnx_runner import OnnxQwen

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
TINY_QWEN = REPO_ROOT / "models" / "tiny" / "patho-r1"
NEW_TOKENS = tiny.GOLDEN_NEW_TOKENS


def rel_err(a, b) -> float:
    """max |a-b| / max |b| over a whole tensor."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


def cosine(a, b) -> float:
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@dataclass
class QwenBundle:
    """One tiny model: its directory (HF checkpoint + onnx/), the PyTorch model, the processor, ONNX runners."""

    name: str
    path: pathlib.Path
    dtypes: list[str]
    config: dict = field(init=False)
    model: object = field(init=False)
    processor: object = field(init=False)
    eos: list[int] = field(init=False)
    _runners: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.config = json.loads((self.path / "config.json").read_text())
        self.model = tiny.load_torch_model(self.path)
        self.processor = tiny.load_processor(self.path)
        eos = json.loads((self.path / "generation_config.json").read_text())["eos_token_id"]
        self.eos = eos if isinstance(eos, list) else [eos]

    def runner(self, dtype: str) -> OnnxQwen:
        if dtype not in self._runners:
            self._runners[dtype] = OnnxQwen(self.path / "onnx", DTYPE_SUFFIX[dtype], self.config)
        return self._runners[dtype]

    def inputs(self, case: dict) -> dict:
        return tiny.case_inputs(self.processor, case)

    def torch_ref(self, inputs) -> dict:
        self.model.model.rope_deltas = None
        return tiny.torch_reference(self.model, inputs, NEW_TOKENS)

    def onnx_generate(self, dtype: str, inputs, new_tokens: int = NEW_TOKENS):
        r = self.runner(dtype)
        pv = inputs["pixel_values"].numpy() if "pixel_values" in inputs else None
        grid = inputs["image_grid_thw"].numpy() if "image_grid_thw" in inputs else None
        return r.generate(inputs["input_ids"].numpy(), inputs["attention_mask"].numpy(), pv, grid,
                          max_new_tokens=new_tokens, min_new_tokens=new_tokens, eos_token_ids=self.eos)

    def teacher_forced_argmax(self, dtype: str, inputs, continuation: list[int]) -> np.ndarray:
        """Argmax at every position of prompt + reference continuation, one ONNX forward pass."""
        from patholens_export.qwen.onnx_runner import rope_index

        r = self.runner(dtype)
        ids = np.concatenate([inputs["input_ids"].numpy(), np.array([continuation[:-1]], np.int64)], axis=1)
        mask = np.ones_like(ids)
        pv = inputs["pixel_values"].numpy() if "pixel_values" in inputs else None
        grid = inputs["image_grid_thw"].numpy() if "image_grid_thw" in inputs else None
        prompt = inputs["input_ids"].numpy()
        # The random tiny model may emit <|image_pad|>: only the prompt's image tokens take image features.
        embeds = np.concatenate([r.prompt_embeds(prompt, pv, grid)[0], r.embed(ids[:, prompt.shape[1]:])], axis=1)
        pos, _ = rope_index(ids, grid, mask, self.config["image_token_id"], self.config["vision_start_token_id"],
                            self.config["vision_config"]["spatial_merge_size"])
        logits, _ = r.decoder(embeds, mask, pos, r.empty_past(1))
        n = len(continuation)
        return logits[0, -n:].astype(np.float32).argmax(-1)


def build_second_model(root: pathlib.Path, dtypes: list[str], fused: bool = True) -> pathlib.Path:
    """The differently shaped tiny config (tied embeddings, 6:1 GQA, 56 px windows, 2 full-attention blocks),
    with larger inner weights (0.15) so that attention and rotary errors would show in the logits."""
    ckpt = root / "second-ckpt"
    tiny.make_checkpoint(ckpt, tiny.SECOND_TEXT, tiny.SECOND_VISION, seed=7, tie=True, init_std=0.15)
    out = root / "second"
    out.mkdir()
    export_patho_r1(ckpt, out, dtypes, fused=fused)
    for item in ckpt.iterdir():  # same single-folder layout as models/tiny/patho-r1
        if not (out / item.name).exists():
            (out / item.name).write_bytes(item.read_bytes())
    return out


def torch_first_logits(bundle: QwenBundle, inputs) -> np.ndarray:
    with torch.no_grad():
        bundle.model.model.rope_deltas = None
        return bundle.model(**inputs, use_cache=False).logits[0].numpy()
