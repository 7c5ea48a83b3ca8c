"""Bad input: one sentence on stderr, exit code 2, and no output directory (nor temporary leftovers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXPORT_DIR, TINY_DIR

from patholens_export import cli, outdir
from patholens_export.cli import main

CKPT = TINY_DIR / "pathoclip" / "open_clip_model.safetensors"
ARCH = TINY_DIR / "pathoclip" / "open_clip_config.json"


def run_cli(capsys, args):
    rc = main([str(a) for a in args])
    err = capsys.readouterr().err.strip()
    return rc, err


def assert_clean_failure(rc, err, out: Path, *words):
    assert rc == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].endswith("."), err
    for w in words:
        assert w.lower() in err.lower(), err
    assert not out.exists()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(outdir.TMP_PREFIX)]
    assert not leftovers, leftovers


def test_not_a_checkpoint(tmp_path, capsys):
    bogus = tmp_path / "notes.pt"
    bogus.write_text("these are not weights\n")
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", bogus, "--arch", "ViT-B-16", "--out", out])
    assert_clean_failure(rc, err, out, "could not be read")


def test_missing_checkpoint(tmp_path, capsys):
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", tmp_path / "nope.pt", "--arch", "ViT-B-16", "--out", out])
    assert_clean_failure(rc, err, out, "does not exist")


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
def test_corrupt_checkpoint(tmp_path, capsys, suffix):
    import torch
    from safetensors.torch import load_file

    if suffix == ".pt":
        full = tmp_path / "full.pt"
        torch.save({"state_dict": load_file(str(CKPT))}, full)
        data = full.read_bytes()
    else:
        data = CKPT.read_bytes()
    broken = tmp_path / f"broken{suffix}"
    broken.write_bytes(data[: len(data) // 2])  # an interrupted download
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", broken, "--arch", ARCH, "--out", out])
    assert_clean_failure(rc, err, out, "corrupt")


def test_a_non_clip_state_dict(tmp_path, capsys):
    import torch

    other = tmp_path / "resnet.pt"
    torch.save({"conv1.weight": torch.zeros(4, 3, 3, 3), "fc.weight": torch.zeros(2, 4)}, other)
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", other, "--arch", "ViT-B-16", "--out", out])
    assert_clean_failure(rc, err, out, "not an open_clip")


def test_checkpoint_of_another_architecture(tmp_path, capsys):
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", "ViT-B-16", "--out", out])
    assert_clean_failure(rc, err, out, "does not match", "--arch")


def test_unknown_arch(tmp_path, capsys):
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", "ViT-H-99", "--out", out])
    assert_clean_failure(rc, err, out, "unknown architecture", "ViT-B-16")


def test_arch_json_that_is_not_a_clip_config(tmp_path, capsys):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", cfg, "--out", out])
    assert_clean_failure(rc, err, out, "vision_cfg")


@pytest.mark.parametrize("command", ["pathoclip", "patho-r1"])
def test_unknown_dtype(tmp_path, capsys, command):
    out = tmp_path / "out"
    extra = ["--arch", ARCH] if command == "pathoclip" else []
    ckpt = CKPT if command == "pathoclip" else tmp_path
    rc, err = run_cli(capsys, [command, "--checkpoint", ckpt, *extra, "--out", out, "--dtype", "fp32,int3"])
    assert_clean_failure(rc, err, out, "unknown dtype", "int3")


def test_missing_arguments(tmp_path, capsys):
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT])
    assert rc == 2 and err.startswith("error: Invalid command line") and len(err.splitlines()) == 1


def test_patho_r1_not_a_directory(tmp_path, capsys):
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["patho-r1", "--checkpoint", CKPT, "--out", out])
    assert_clean_failure(rc, err, out, "not a directory")


def test_patho_r1_dir_that_is_not_qwen(tmp_path, capsys):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "llama"}))
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["patho-r1", "--checkpoint", ckpt, "--out", out, "--dtype", "fp32"])
    assert_clean_failure(rc, err, out)


def test_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", ARCH, "--out", out])
    assert rc == 2 and "--force" in err and len(err.splitlines()) == 1
    assert (out / "keep.txt").read_text() == "old"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", ARCH, "--out", out, "--force", "--dtype", "fp32"])
    assert rc == 0, err
    assert not (out / "keep.txt").exists() and (out / "onnx" / "vision_model.onnx").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(outdir.TMP_PREFIX)]


def test_too_little_disk_space(tmp_path, capsys, monkeypatch):
    real = outdir.shutil.disk_usage
    monkeypatch.setattr(outdir.shutil, "disk_usage", lambda p: real(p)._replace(free=1 << 20))
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", ARCH, "--out", out])
    assert_clean_failure(rc, err, out, "disk space", "GB")


def test_failure_mid_export_leaves_nothing(tmp_path, capsys, monkeypatch):
    """A crash after files were written (here: in the manifest step) removes the temporary directory."""
    from patholens_export.errors import ExportError

    def broken_manifest(model_dir, *a, **k):
        assert (Path(model_dir) / "onnx" / "text_model.onnx").is_file()  # the export really ran
        raise ExportError("Simulated failure while writing the manifest.")

    monkeypatch.setattr(cli, "write_manifest", broken_manifest)
    out = tmp_path / "out"
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", ARCH, "--out", out, "--dtype", "fp32",
                               "--skip-quality-report"])  # its progress lines would precede the error
    assert_clean_failure(rc, err, out, "simulated")


def test_interrupt_leaves_nothing_and_keeps_old_output(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("patholens_export.clip.export.write_tokenizer", interrupted)
    rc, err = run_cli(capsys, ["pathoclip", "--checkpoint", CKPT, "--arch", ARCH, "--out", out, "--force", "--dtype", "fp32"])
    assert rc == 130 and "interrupted" in err
    assert (out / "keep.txt").read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(outdir.TMP_PREFIX)]


def test_real_process_exit_code_and_stderr(tmp_path):
    """The same through `python -m patholens_export` in a fresh interpreter."""
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(EXPORT_DIR))
    proc = subprocess.run([sys.executable, "-m", "patholens_export", "pathoclip", "--checkpoint", str(tmp_path / "x.pt"),
                           "--arch", "ViT-B-16", "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ") and "does not exist" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["pathoclip", "patho-r1"])
def test_force_never_deletes_the_checkpoint(tmp_path, capsys, command):
    out = tmp_path / "model"
    out.mkdir()
    ckpt = out / "weights.safetensors"
    ckpt.write_bytes(CKPT.read_bytes())
    args = [command, "--checkpoint", ckpt if command == "pathoclip" else out, "--out", out, "--force"]
    rc, err = run_cli(capsys, args + (["--arch", ARCH] if command == "pathoclip" else []))
    assert rc == 2 and "inside the output directory" in err and ckpt.is_file()
