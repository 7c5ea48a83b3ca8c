"""The CLI glue around the Qwen exporter and the tiny builders: temp dir -> exporter -> manifest -> rename."""

from __future__ import annotations

import json
import sys
import types

import pytest

from patholens_export import outdir
from patholens_export.cli import main
from patholens_export.errors import ExportError
from patholens_export.manifest import verify_manifest


def _fake_qwen_checkpoint(tmp_path):
    ckpt = tmp_path / "Patho-R1-3B"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    (ckpt / "model.safetensors").write_bytes(b"\0" * 64)
    return ckpt


def test_patho_r1_writes_manifest_from_exporter_result(tmp_path, monkeypatch, capsys):
    from patholens_export.qwen import export as qwen_export

    seen = {}

    def fake_export(checkpoint, out_dir, dtypes):
        seen.update(checkpoint=checkpoint, out_dir=out_dir, dtypes=dtypes)
        assert out_dir.name.startswith(outdir.TMP_PREFIX)  # the exporter writes into the temporary directory
        (out_dir / "onnx").mkdir()
        (out_dir / "onnx" / "decoder_model_merged_q4f16.onnx").write_bytes(b"graph")
        (out_dir / "onnx" / "decoder_model_merged_q4f16.onnx_data").write_bytes(b"weights")
        (out_dir / "config.json").write_text("{}")
        return {"onnx/decoder_model_merged_q4f16.onnx": "q4f16", "onnx/decoder_model_merged_q4f16.onnx_data": "q4f16",
                "config.json": ""}

    monkeypatch.setattr(qwen_export, "export_patho_r1", fake_export)
    ckpt, out = _fake_qwen_checkpoint(tmp_path), tmp_path / "out"
    # The fake graphs cannot be run, so no quality report here (see the next test).
    assert main(["patho-r1", "--checkpoint", str(ckpt), "--out", str(out), "--dtype", "q4f16", "--skip-quality-report"]) == 0
    assert seen["dtypes"] == ["q4f16"] and seen["checkpoint"] == ckpt
    m = json.loads((out / "manifest.json").read_text())
    assert m["kind"] == "patho-r1" and m["dtypes"] == ["q4f16"] and "quality" not in m
    assert m["files"]["onnx/decoder_model_merged_q4f16.onnx_data"]["dtype"] == "q4f16"
    assert m["source"]["name"] == "Patho-R1-3B" and "config.json" in m["source"]["sha256"]
    assert m["source"]["sizes"]["model.safetensors"] == 64
    assert verify_manifest(out) == []


def test_patho_r1_report_goes_into_the_manifest(tmp_path, monkeypatch, capsys):
    """The CLI measures the exported directory against the checkpoint, with the calibration folder, and stores
    the report in manifest.json; each dtype's verdict is printed."""
    from patholens_export.quality import patho_r1 as quality
    from patholens_export.qwen import export as qwen_export

    def fake_export(checkpoint, out_dir, dtypes):
        (out_dir / "config.json").write_text("{}")
        return {"config.json": ""}

    seen = {}

    def fake_report(checkpoint, model_dir, dtypes, calibration_images, log):
        seen.update(checkpoint=checkpoint, model_dir=model_dir, dtypes=dtypes, calibration_images=calibration_images)
        assert (model_dir / "config.json").is_file()  # measured before the directory is renamed into place
        return {"dtypes": {"q4": {"below_quality": True, "reasons": ["first-step logit cosine 0.9 < 0.98"]}}}

    monkeypatch.setattr(qwen_export, "export_patho_r1", fake_export)
    monkeypatch.setattr(quality, "patho_r1_quality_report", fake_report)
    from PIL import Image

    ckpt, out, images = _fake_qwen_checkpoint(tmp_path), tmp_path / "out", tmp_path / "regions"
    images.mkdir()
    Image.new("RGB", (8, 8)).save(images / "a.png")
    assert main(["patho-r1", "--checkpoint", str(ckpt), "--out", str(out), "--dtype", "q4",
                 "--calibration-images", str(images)]) == 0
    assert seen["checkpoint"] == ckpt and seen["dtypes"] == ["q4"] and seen["calibration_images"] == images
    assert json.loads((out / "manifest.json").read_text())["quality"]["dtypes"]["q4"]["below_quality"] is True
    assert "q4: below quality: first-step logit cosine 0.9 < 0.98" in capsys.readouterr().err
    assert verify_manifest(out) == []


def test_patho_r1_exporter_error_leaves_nothing(tmp_path, monkeypatch, capsys):
    from patholens_export.qwen import export as qwen_export

    def failing(checkpoint, out_dir, dtypes):
        (out_dir / "half.onnx").write_bytes(b"x")
        raise ExportError("The checkpoint is missing model-00002-of-00002.safetensors; download it again.")

    monkeypatch.setattr(qwen_export, "export_patho_r1", failing)
    out = tmp_path / "out"
    rc = main(["patho-r1", "--checkpoint", str(_fake_qwen_checkpoint(tmp_path)), "--out", str(out), "--dtype", "fp32"])
    err = capsys.readouterr().err
    assert rc == 2 and "model-00002" in err and not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(outdir.TMP_PREFIX)]


def test_tiny_runs_the_qwen_builder_and_manifests_its_dir(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_make(out_dir):
        calls.append(out_dir)
        d = out_dir / "patho-r1"
        d.mkdir()
        (d / "config.json").write_text("{}")
        (d / "onnx").mkdir()
        (d / "onnx" / "embed_tokens_q4.onnx").write_bytes(b"g")

    monkeypatch.setitem(sys.modules, "patholens_export.qwen.tiny", types.SimpleNamespace(make_tiny_patho_r1=fake_make))
    from patholens_export.quality import patho_r1 as quality

    monkeypatch.setattr(quality, "patho_r1_quality_report", lambda *a, **k: {"dtypes": {}})
    assert main(["tiny", "--out", str(tmp_path), "--only", "patho-r1"]) == 0
    assert len(calls) == 1
    m = json.loads((tmp_path / "patho-r1" / "manifest.json").read_text())
    assert m["kind"] == "patho-r1" and m["files"]["onnx/embed_tokens_q4.onnx"]["dtype"] == "q4"
    assert m["quality"] == {"dtypes": {}}
    assert verify_manifest(tmp_path / "patho-r1") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["patho-r1"]
    # again without --force: refused before any work
    assert main(["tiny", "--out", str(tmp_path), "--only", "patho-r1"]) == 2 and len(calls) == 1
    assert main(["tiny", "--out", str(tmp_path), "--only", "patho-r1", "--force"]) == 0 and len(calls) == 2


def test_tiny_skips_a_missing_qwen_builder(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "patholens_export.qwen.tiny", None)  # makes the import fail
    assert main(["tiny", "--out", str(tmp_path), "--only", "patho-r1"]) == 0
    assert "Skipped" in capsys.readouterr().err and not (tmp_path / "patho-r1").exists()


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and "patholens_export" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["pathoclip", "--help"])
    assert e.value.code == 0 and "--arch" in capsys.readouterr().out
