"""The committed tiny PathoCLIP: regenerating it gives the same checkpoint and golden outputs, it is small, and
its manifest matches its files."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from clip_helpers import rel_err
from conftest import TINY_DIR

from patholens_export.cli import main
from patholens_export.dtypes import ALL_DTYPES
from patholens_export.manifest import verify_manifest

CLIP_DIR = TINY_DIR / "pathoclip"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    assert main(["tiny", "--out", str(out), "--only", "pathoclip"]) == 0
    return out / "pathoclip"


def test_regenerating_gives_same_checkpoint_and_goldens(regenerated):
    for name in ("open_clip_model.safetensors", "open_clip_config.json", "tokenizer.json", "tokenizer_config.json",
                 "preprocessor_config.json", "config.json", "golden/image_0.png", "golden/image_1.png", "golden/image_2.png"):
        assert _sha(regenerated / name) == _sha(CLIP_DIR / name), name
    new, old = (json.loads((d / "golden.json").read_text()) for d in (regenerated, CLIP_DIR))
    assert [t["input_ids"] for t in new["texts"]] == [t["input_ids"] for t in old["texts"]]
    for key in ("image_embeds", "pixel_values"):
        assert rel_err([i[key] for i in new["images"]], [i[key] for i in old["images"]]) <= 1e-6
    assert rel_err([t["text_embeds"] for t in new["texts"]], [t["text_embeds"] for t in old["texts"]]) <= 1e-6
    assert new["logit_scale"] == pytest.approx(old["logit_scale"], rel=1e-7)
    assert sorted(p.relative_to(regenerated).as_posix() for p in regenerated.rglob("*")) == \
        sorted(p.relative_to(CLIP_DIR).as_posix() for p in CLIP_DIR.rglob("*"))
    assert verify_manifest(regenerated) == []


def test_golden_outputs_are_informative():
    """Embeddings differ between inputs, so parity against them means something."""
    golden = json.loads((CLIP_DIR / "golden.json").read_text())
    img = np.array([i["image_embeds"] for i in golden["images"]])
    txt = np.array([t["text_embeds"] for t in golden["texts"]])
    for emb in (img, txt):
        n = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        sims = n @ n.T
        assert sims[~np.eye(len(n), dtype=bool)].max() < 0.999
    long_ids = golden["texts"][-1]["input_ids"]
    assert len(long_ids) == 77 and long_ids[-1] == 49407 and 0 not in long_ids, "one golden text is truncated"


def test_loadable_by_open_clip_and_matches_goldens():
    import open_clip
    import torch

    model, _, _ = open_clip.create_model_and_transforms(f"local-dir:{CLIP_DIR}")
    golden = json.loads((CLIP_DIR / "golden.json").read_text())
    with torch.no_grad():
        txt = model.eval().encode_text(torch.tensor([t["input_ids"] for t in golden["texts"]]))
    assert rel_err(txt.numpy(), [t["text_embeds"] for t in golden["texts"]]) <= 1e-6


def test_committed_manifest_and_size():
    assert verify_manifest(CLIP_DIR) == []
    manifest = json.loads((CLIP_DIR / "manifest.json").read_text())
    assert manifest["kind"] == "pathoclip" and manifest["dtypes"] == sorted(ALL_DTYPES)
    clip_bytes = sum(p.stat().st_size for p in CLIP_DIR.rglob("*") if p.is_file())
    all_bytes = sum(p.stat().st_size for p in TINY_DIR.rglob("*") if p.is_file())
    print(f"models/tiny/pathoclip: {clip_bytes / 1e6:.2f} MB; models/tiny: {all_bytes / 1e6:.2f} MB")
    assert clip_bytes <= 10_000_000
    assert all_bytes < 25_000_000
