"""manifest.json: what the app checks before it trusts a model directory.

Every file in the directory (except the manifest itself) is listed with its byte size and sha256, and
model files with their dtype, so the app can verify a download or a copy before loading it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Mapping

from . import EXPORTER_VERSION
from .dtypes import DTYPE_SUFFIX
from .errors import ExportError

MANIFEST_NAME = "manifest.json"
FORMAT = "patholens-model-dir"
FORMAT_VERSION = 1
KINDS = ("patho-r1", "pathoclip")

# The transformers.js v4 suffixes of ONNX files; no suffix means fp32.
_SUFFIX_DTYPE = {sfx: dtype for dtype, sfx in DTYPE_SUFFIX.items() if sfx}
_ONNX_RE = re.compile(r"^(?P<stem>.+?)(?P<sfx>" + "|".join(sorted(_SUFFIX_DTYPE, key=len, reverse=True))
                      + r")?\.onnx(?P<data>_data(?:_\d+)?)?$")


def sha256_file(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def dtype_from_filename(name: str) -> str | None:
    """dtype of an ONNX file (or its external data file) from its transformers.js suffix; None otherwise."""
    m = _ONNX_RE.match(Path(name).name)
    if not m:
        return None
    return _SUFFIX_DTYPE.get(m.group("sfx") or "", "fp32")


def build_manifest(
    model_dir: Path,
    kind: str,
    source: Mapping[str, Any],
    file_dtypes: Mapping[str, str] | None = None,
    quality: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Describe every file under `model_dir`. `file_dtypes` (relative POSIX path -> dtype) comes from the
    exporter; ONNX files it does not name get the dtype their suffix says. `quality` is the export's quality
    report (patholens_export.quality), stored as it is."""
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}")
    model_dir = Path(model_dir)
    file_dtypes = dict(file_dtypes or {})
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(model_dir).as_posix()
        if rel == MANIFEST_NAME:
            continue
        entry: dict[str, Any] = {"size": path.stat().st_size, "sha256": sha256_file(path)}
        dtype = file_dtypes.pop(rel, None) or dtype_from_filename(rel)
        if dtype is not None:
            entry["dtype"] = dtype
        files[rel] = entry
    if file_dtypes:
        missing = ", ".join(sorted(file_dtypes))
        raise ExportError(f"The exporter reported files that are not in the output directory: {missing}.")
    dtypes = sorted({e["dtype"] for e in files.values() if "dtype" in e})
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "exporter": {"name": "patholens_export", "version": EXPORTER_VERSION},
        "source": dict(source),
        "dtypes": dtypes,
        "files": files,
    }
    if quality is not None:
        manifest["quality"] = dict(quality)
    return manifest


def write_manifest(model_dir: Path, kind: str, source: Mapping[str, Any],
                   file_dtypes: Mapping[str, str] | None = None,
                   quality: Mapping[str, Any] | None = None) -> dict[str, Any]:
    manifest = build_manifest(model_dir, kind, source, file_dtypes, quality)
    (Path(model_dir) / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def verify_manifest(model_dir: Path) -> list[str]:
    """Return a list of problems (empty when the directory matches its manifest exactly)."""
    model_dir = Path(model_dir)
    try:
        manifest = json.loads((model_dir / MANIFEST_NAME).read_text())
    except (OSError, ValueError) as e:
        return [f"cannot read {MANIFEST_NAME}: {e}"]
    problems = []
    listed = manifest.get("files", {})
    present = {p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*") if p.is_file()} - {MANIFEST_NAME}
    for rel in sorted(present - listed.keys()):
        problems.append(f"{rel}: not in the manifest")
    for rel, entry in sorted(listed.items()):
        path = model_dir / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != entry["size"]:
            problems.append(f"{rel}: size {path.stat().st_size} != {entry['size']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{rel}: sha256 mismatch")
    return problems


def source_of_file(path: Path) -> dict[str, Any]:
    path = Path(path)
    return {"path": str(path.absolute()), "name": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)}


def source_of_hf_dir(path: Path) -> dict[str, Any]:
    """A Hugging Face checkpoint directory: hash the small files that define it (config, index, tokenizer),
    list the weight files by size (hashing many GB of weights would add minutes for little)."""
    path = Path(path)
    hashed, sizes = {}, {}
    for p in sorted(path.iterdir()):
        if not p.is_file():
            continue
        if p.suffix in (".json", ".txt", ".jinja", ".model") and p.stat().st_size < 64 << 20:
            hashed[p.name] = sha256_file(p)
        else:
            sizes[p.name] = p.stat().st_size
    return {"path": str(path.absolute()), "name": path.name, "sha256": hashed, "sizes": sizes}
