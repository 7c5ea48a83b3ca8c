"""manifest.json: every file with size and sha256, dtypes from the exporter or the file suffix, verification."""

from __future__ import annotations

import hashlib
import json

import pytest

from patholens_export import EXPORTER_VERSION
from patholens_export.errors import ExportError
from patholens_export.manifest import build_manifest, dtype_from_filename, verify_manifest, write_manifest


@pytest.mark.parametrize("name,dtype", [
    ("onnx/vision_model.onnx", "fp32"), ("onnx/text_model_q4.onnx", "q4"), ("onnx/text_model_fp16.onnx", "fp16"),
    ("onnx/decoder_model_merged_q4f16.onnx", "q4f16"), ("onnx/decoder_model_merged.onnx_data", "fp32"),
    ("onnx/decoder_model_merged_q4f16.onnx_data_1", "q4f16"), ("onnx/embed_tokens_fp16.onnx_data_12", "fp16"),
    ("config.json", None), ("tokenizer.json", None), ("golden/image_0.png", None), ("onnx/notes.txt", None),
])
def test_dtype_from_filename(name, dtype):
    assert dtype_from_filename(name) == dtype


def _make_dir(tmp_path):
    d = tmp_path / "model"
    (d / "onnx").mkdir(parents=True)
    (d / "onnx" / "text_model.onnx").write_bytes(b"\x08\x07fp32 graph")
    (d / "onnx" / "text_model_q4.onnx").write_bytes(b"q4 graph")
    (d / "onnx" / "big_fp16.onnx_data").write_bytes(b"\0" * 1000)
    (d / "config.json").write_text("{}")
    (d / "golden").mkdir()
    (d / "golden" / "a.png").write_bytes(b"png")
    return d


def test_manifest_lists_every_file_with_size_hash_and_dtype(tmp_path):
    d = _make_dir(tmp_path)
    m = write_manifest(d, "pathoclip", {"path": "/x/ckpt.pt", "sha256": "ab"}, {"onnx/text_model_q4.onnx": "q4", "config.json": ""})
    on_disk = json.loads((d / "manifest.json").read_text())
    assert on_disk == m
    assert m["kind"] == "pathoclip" and m["exporter"] == {"name": "patholens_export", "version": EXPORTER_VERSION}
    assert m["source"] == {"path": "/x/ckpt.pt", "sha256": "ab"}
    assert sorted(m["files"]) == ["config.json", "golden/a.png", "onnx/big_fp16.onnx_data", "onnx/text_model.onnx",
                                  "onnx/text_model_q4.onnx"]
    f = m["files"]["onnx/big_fp16.onnx_data"]
    assert f == {"size": 1000, "sha256": hashlib.sha256(b"\0" * 1000).hexdigest(), "dtype": "fp16"}
    assert "dtype" not in m["files"]["config.json"]
    assert m["files"]["onnx/text_model.onnx"]["dtype"] == "fp32"
    assert m["dtypes"] == ["fp16", "fp32", "q4"]
    assert verify_manifest(d) == []


def test_verify_detects_changed_missing_and_extra_files(tmp_path):
    d = _make_dir(tmp_path)
    write_manifest(d, "patho-r1", {"path": "x"})
    (d / "onnx" / "text_model_q4.onnx").write_bytes(b"Q4 graph")  # same size, other bytes
    (d / "golden" / "a.png").unlink()
    (d / "config.json").write_text("{ }")
    (d / "extra.bin").write_bytes(b"1")
    problems = verify_manifest(d)
    assert any("text_model_q4.onnx: sha256" in p for p in problems)
    assert any("golden/a.png: missing" in p for p in problems)
    assert any("config.json: size" in p for p in problems)
    assert any("extra.bin: not in the manifest" in p for p in problems)


def test_exporter_claiming_a_missing_file_is_an_error(tmp_path):
    d = _make_dir(tmp_path)
    with pytest.raises(ExportError):
        build_manifest(d, "pathoclip", {}, {"onnx/vision_model.onnx": "fp32"})
