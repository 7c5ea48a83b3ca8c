"""The export's quality report: present for every dtype in the tiny manifests, thresholds applied as documented,
a damaged dtype caught, the user's calibration images used, bad calibration folders refused with a sentence."""
from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from conftest import TINY_DIR
from patholens_export.cli import main
from patholens_export.dtypes import ALL_DTYPES
from patholens_export.quality import calibration
from patholens_export.quality.patho_r1 import measure_dtype, patho_r1_quality_report, torch_references
from patholens_export.quality.thresholds import (PATHO_R1_THRESHOLDS, PATHOCLIP_THRESHOLDS, judge_patho_r1,
                                                 judge_pathoclip)

QWEN_DIR = TINY_DIR / "patho-r1"
PATHO_R1_FIELDS = {"first_step_logit_cosine", "teacher_forced_top1_agreement", "greedy_token_agreement",
                   "greedy_identical_prompts", "below_quality", "reasons"}
PATHOCLIP_FIELDS = {"image_embedding_cosine", "text_embedding_cosine", "best_label_change_rate", "below_quality",
                    "reasons"}


@pytest.mark.parametrize("kind,fields,thresholds", [("patho-r1", PATHO_R1_FIELDS, PATHO_R1_THRESHOLDS),
                                                    ("pathoclip", PATHOCLIP_FIELDS, PATHOCLIP_THRESHOLDS)])
def test_tiny_manifests_carry_a_report_for_every_dtype(kind, fields, thresholds):
    quality = json.loads((TINY_DIR / kind / "manifest.json").read_text())["quality"]
    assert quality["thresholds"] == thresholds
    assert set(quality["dtypes"]) == set(ALL_DTYPES)
    for dtype, entry in quality["dtypes"].items():
        assert fields <= set(entry), dtype
        assert entry["below_quality"] is False and entry["reasons"] == [], (dtype, entry)
    exact = quality["dtypes"]["fp32"]
    if kind == "patho-r1":
        assert exact["first_step_logit_cosine"]["min"] > 0.99999 and exact["greedy_token_agreement"] == 1.0
        assert quality["new_tokens"] == 64 and quality["prompts"] == {"builtin": 4, "user_images": 0}
    else:
        assert exact["image_embedding_cosine"]["min"] > 0.99999 and exact["best_label_change_rate"] == 0.0


def patho_r1_metrics(cosine_min=1.0, top1=1.0):
    return {"first_step_logit_cosine": {"min": cosine_min, "mean": cosine_min}, "teacher_forced_top1_agreement": top1}


def test_patho_r1_threshold():
    assert judge_patho_r1(patho_r1_metrics(0.98, 0.90)) == []
    assert judge_patho_r1(patho_r1_metrics(0.9799, 0.95)) == ["first-step logit cosine 0.9799 < 0.98"]
    assert judge_patho_r1(patho_r1_metrics(0.99, 0.89)) == ["teacher-forced top-1 agreement 0.890 < 0.9"]


def test_pathoclip_threshold():
    good = {"image_embedding_cosine": {"min": 0.99, "mean": 0.995}, "text_embedding_cosine": {"min": 0.98, "mean": 0.99},
            "best_label_change_rate": 0.1}
    assert judge_pathoclip(good) == []
    bad = dict(good, text_embedding_cosine={"min": 0.96, "mean": 0.97}, best_label_change_rate=0.25)
    assert judge_pathoclip(bad) == ["text embedding cosine 0.9600 < 0.98", "best label changed on 25% of images > 10%"]


@pytest.fixture(scope="module")
def references():
    return torch_references(QWEN_DIR, calibration.patho_r1_cases([]))


def test_a_damaged_dtype_is_below_quality(tmp_path, references):
    """The q4 decoder with its 4-bit scales scrambled by up to +-70%: the report must say so."""
    model_dir = tmp_path / "patho-r1"
    shutil.copytree(QWEN_DIR, model_dir)
    path = model_dir / "onnx" / "decoder_model_merged_q4.onnx"
    graph = onnx.load(str(path))
    rng = np.random.default_rng(0)
    for tensor in graph.graph.initializer:
        if tensor.name.endswith("_scales"):
            scales = numpy_helper.to_array(tensor)
            tensor.CopyFrom(numpy_helper.from_array((scales * rng.uniform(0.3, 1.7, scales.shape)).astype(scales.dtype),
                                                    tensor.name))
    onnx.save(graph, str(path))
    refs, eos = references
    damaged = measure_dtype(model_dir, "q4", refs, eos)
    assert damaged["below_quality"] is True and damaged["reasons"], damaged
    intact = measure_dtype(model_dir, "q8", refs, eos)
    assert intact["below_quality"] is False


def test_calibration_images_join_the_builtin_prompts(tmp_path):
    folder = tmp_path / "regions"
    folder.mkdir()
    calibration.make_image(300, 200, 1).save(folder / "a.png")
    calibration.make_image(900, 700, 2).save(folder / "b.jpg")  # shrunk to 448 px on its longest side
    (folder / "notes.txt").write_text("not an image")
    images = calibration.load_user_images(folder)
    assert [im.size for im in images] == [(300, 200), (448, 348)]
    report = patho_r1_quality_report(QWEN_DIR, QWEN_DIR, ["fp32"], folder)
    assert report["prompts"] == {"builtin": 4, "user_images": 2}
    assert report["dtypes"]["fp32"]["greedy_identical_prompts"] == 6


def broken_png(folder):
    (folder / "broken.png").write_bytes(b"not a png")
    return folder


@pytest.mark.parametrize("make,problem", [
    (lambda d: d / "missing", "does not exist"),
    (lambda d: d, "holds no images"),
    (broken_png, "cannot be read"),
])
def test_bad_calibration_folder_is_one_sentence_before_any_work(tmp_path, capsys, make, problem):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    folder = tmp_path / "cal"
    folder.mkdir()
    folder = make(folder)
    out = tmp_path / "out"
    rc = main(["patho-r1", "--checkpoint", str(ckpt), "--out", str(out), "--calibration-images", str(folder)])
    assert rc == 2 and not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("error: ") and problem in err and err.count("\n") == 1
