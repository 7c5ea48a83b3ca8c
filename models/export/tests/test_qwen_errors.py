"""Bad input to the Patho-R1 exporter: a full sentence (ExportError), never a traceback or a half-written file."""
from __future__ import annotations

import json
import shutil

import pytest

from patholens_export.errors import ExportError
from patholens_export.qwen.export import export_patho_r1
from qwen_helpers import TINY_QWEN

CKPT_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
              "generation_config.json", "preprocessor_config.json", "chat_template.jinja")


@pytest.fixture
def ckpt(tmp_path):
    d = tmp_path / "ckpt"
    d.mkdir()
    for name in CKPT_FILES:
        shutil.copyfile(TINY_QWEN / name, d / name)
    return d


def _fails(ckpt, out, dtypes, *words):
    out.mkdir(exist_ok=True)
    with pytest.raises(ExportError) as info:
        export_patho_r1(ckpt, out, dtypes)
    msg = str(info.value)
    assert msg.endswith(".") and msg[0].isupper()
    for w in words:
        assert w in msg, msg
    return msg


def test_unknown_dtype(ckpt, tmp_path):
    _fails(ckpt, tmp_path / "out", ["fp32", "int3"], "'int3'", "q4f16")


def test_not_a_qwen_checkpoint(ckpt, tmp_path):
    cfg = json.loads((ckpt / "config.json").read_text())
    cfg["model_type"] = "llama"
    (ckpt / "config.json").write_text(json.dumps(cfg))
    _fails(ckpt, tmp_path / "out", ["fp32"], "llama", "Qwen2.5-VL")


def test_no_config(ckpt, tmp_path):
    (ckpt / "config.json").unlink()
    _fails(ckpt, tmp_path / "out", ["fp32"], "config.json")


def test_corrupt_config(ckpt, tmp_path):
    (ckpt / "config.json").write_text('{"model_type": "qwen2_5_vl", ')
    _fails(ckpt, tmp_path / "out", ["fp32"], "JSON")


def test_missing_weights(ckpt, tmp_path):
    (ckpt / "model.safetensors").unlink()
    _fails(ckpt, tmp_path / "out", ["fp32"], "weight")


def test_truncated_weights(ckpt, tmp_path):
    data = (ckpt / "model.safetensors").read_bytes()
    (ckpt / "model.safetensors").write_bytes(data[: len(data) // 2])
    _fails(ckpt, tmp_path / "out", ["fp32"], "corrupt")


def test_missing_tokenizer(ckpt, tmp_path):
    (ckpt / "tokenizer.json").unlink()
    _fails(ckpt, tmp_path / "out", ["fp32"], "tokenizer.json")


def test_not_a_directory(tmp_path):
    f = tmp_path / "model.safetensors"
    f.write_bytes(b"x")
    _fails(f, tmp_path / "out", ["fp32"], "not a directory")


def test_cli_exit_code_and_no_output(ckpt, tmp_path, capsys):
    from patholens_export.cli import main

    cfg = json.loads((ckpt / "config.json").read_text())
    cfg["model_type"] = "clip"
    (ckpt / "config.json").write_text(json.dumps(cfg))
    out = tmp_path / "exported"
    assert main(["patho-r1", "--checkpoint", str(ckpt), "--out", str(out)]) == 2
    assert not out.exists()
    assert "Qwen2.5-VL" in capsys.readouterr().err
