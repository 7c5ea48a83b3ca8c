"""Resolve an architecture and load an open_clip checkpoint, turning every failure into an ExportError."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from ..errors import ExportError
from . import ARCHS, QUICKGELU_ARCHS


def resolve_arch(arch: str) -> tuple[str, dict[str, Any]]:
    """Return (name, open_clip model config) for a known arch name or a path to an open_clip config JSON
    (either a bare model config or an HF-hub style open_clip_config.json with a `model_cfg` key)."""
    if arch in ARCHS or arch in QUICKGELU_ARCHS:
        import open_clip

        cfg = open_clip.get_model_config(arch)
        if cfg is None:  # pragma: no cover - only if open_clip drops a config
            raise ExportError(f"open_clip has no model config named {arch}; check the open-clip-torch version.")
        return arch, cfg
    path = Path(arch)
    if path.suffix == ".json" and path.is_file():
        try:
            cfg = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise ExportError(f"The architecture config {path} is not valid JSON ({e}); pass a valid open_clip config.") from e
        cfg = cfg.get("model_cfg", cfg) if isinstance(cfg, dict) else cfg
        if not isinstance(cfg, dict) or "vision_cfg" not in cfg or "text_cfg" not in cfg:
            raise ExportError(f"The architecture config {path} has no vision_cfg/text_cfg; pass an open_clip model config.")
        return path.stem, cfg
    known = ", ".join(ARCHS + QUICKGELU_ARCHS)
    raise ExportError(f"Unknown architecture '{arch}': use one of {known}, or a path to an open_clip config JSON file.")


def build_model(cfg: dict[str, Any]):
    import open_clip

    cfg = dict(cfg)
    cfg.pop("custom_text", None)
    if "hf_model_name" in cfg.get("text_cfg", {}) or "timm_model_name" in cfg.get("vision_cfg", {}):
        raise ExportError("Only open_clip ViT configs with the built-in CLIP text tower are supported (no timm or HF towers).")
    try:
        model = open_clip.CLIP(**cfg)
    except (TypeError, ValueError, AssertionError) as e:
        raise ExportError(f"The open_clip config could not build a model ({e}); check the --arch config.") from e
    return model.eval()


def read_state_dict(checkpoint: Path) -> dict:
    """Read weights with open_clip's own reader (it unwraps `state_dict` and strips DDP's `module.`).
    torch.load runs with weights_only=True, so a checkpoint cannot execute code."""
    import open_clip
    import torch

    checkpoint = Path(checkpoint)
    if not checkpoint.is_file():
        raise ExportError(f"The checkpoint {checkpoint} does not exist or is not a file; pass an open_clip .pt/.safetensors file.")
    try:
        sd = open_clip.factory.load_state_dict(str(checkpoint), weights_only=True)
    except Exception as e:  # torch/zip/pickle/safetensors all raise their own types
        raise ExportError(
            f"The checkpoint {checkpoint} could not be read as a PyTorch or safetensors file "
            f"({type(e).__name__}); it may be corrupt or incomplete: download it again."
        ) from e
    if not isinstance(sd, dict) or not sd or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise ExportError(f"The checkpoint {checkpoint} holds no tensor state dict; pass an open_clip checkpoint.")
    if not any(k.startswith("visual.") for k in sd) or "token_embedding.weight" not in sd:
        raise ExportError(f"The checkpoint {checkpoint} is not an open_clip CLIP checkpoint (no visual.* / token_embedding weights).")
    return sd


def load_state(model, sd: dict, checkpoint: Path) -> None:
    """Strict load with a sentence for the first mismatch. No position-embedding resizing as open_clip's own
    loader would do: here a shape mismatch means the wrong --arch, and resizing would hide it."""
    import open_clip

    sd = open_clip.factory.convert_state_dict(model, dict(sd))
    if "logit_scale" in sd and model.logit_scale.ndim != sd["logit_scale"].ndim:
        sd["logit_scale"] = sd["logit_scale"].reshape(model.logit_scale.shape)
    own = model.state_dict()
    missing = [k for k in own if k not in sd and k != "logit_bias"]
    unexpected = [k for k in sd if k not in own and k != "text.transformer.embeddings.position_ids"]
    if missing or unexpected:
        names = ", ".join((missing + unexpected)[:4])
        raise ExportError(
            f"The checkpoint {checkpoint} does not match the chosen architecture (missing or extra weights: {names}); check --arch."
        )
    for k, v in own.items():
        if k in sd and tuple(sd[k].shape) != tuple(v.shape):
            raise ExportError(
                f"The checkpoint {checkpoint} does not match the chosen architecture ({k} has shape "
                f"{tuple(sd[k].shape)}, the architecture expects {tuple(v.shape)}); check --arch."
            )
    model.load_state_dict({k: sd[k] for k in own if k in sd}, strict=False)
    model.eval()


def load_open_clip(checkpoint: Path, arch: str):
    name, cfg = resolve_arch(arch)
    sd = read_state_dict(checkpoint)  # before building: a bad file fails fast, without a 300M-parameter init
    model = build_model(cfg)
    load_state(model, sd, checkpoint)
    return name, cfg, model
