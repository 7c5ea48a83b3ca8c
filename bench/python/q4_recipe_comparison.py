"""Measures what keeping the LM head and the token embeddings at 8 bits buys in the 4-bit dtype: rebuilds the q4
graphs of an exported Patho-R1 directory from its fp32 graphs with other recipes and runs the export's own quality
measurement (patholens_export.quality.patho_r1) on each, against the PyTorch checkpoint.

    .venv/bin/python bench/python/q4_recipe_comparison.py --model-dir /tmp/realistic --checkpoint /tmp/realistic

The model directory must hold the fp32 graphs; --checkpoint is the Hugging Face checkpoint (the tiny and the
realistic bench models keep it in the same folder). Writes bench/results/q4-recipes-<name>.json.
"""
import argparse
import json
import pathlib
import shutil
import sys
import tempfile

import onnx

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models" / "export"))

from patholens_export.qwen.export import GRAPHS, save_onnx  # noqa: E402
from patholens_export.quality import calibration  # noqa: E402
from patholens_export.quality.patho_r1 import measure_dtype, torch_references  # noqa: E402
from patholens_export.quantize import EIGHT_BIT_OUTPUTS, quantize_q4  # noqa: E402
from patholens_export.quantize_8bit import quantize_token_embeddings_8bit  # noqa: E402

# recipe name -> (8-bit LM head, int8 token embeddings)
RECIPES = {"all 4-bit (before)": (False, False), "8-bit LM head": (True, False),
           "8-bit LM head + int8 embeddings (q4 now)": (True, True)}


def build_variant(model_dir: pathlib.Path, target: pathlib.Path, head_8bit: bool, embeddings_8bit: bool) -> None:
    """A model dir whose `_q4` graphs follow one recipe (config copied; graphs quantized from the fp32 ones)."""
    (target / "onnx").mkdir(parents=True)
    shutil.copyfile(model_dir / "config.json", target / "config.json")
    for graph in GRAPHS:
        proto = onnx.load(str(model_dir / "onnx" / f"{graph}.onnx"))
        quantize_q4(proto, eight_bit_outputs=EIGHT_BIT_OUTPUTS if head_8bit else ())
        if embeddings_8bit:
            quantize_token_embeddings_8bit(proto)
        save_onnx(proto, target / "onnx" / f"{graph}_q4.onnx")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True, type=pathlib.Path)
    parser.add_argument("--checkpoint", required=True, type=pathlib.Path)
    args = parser.parse_args()
    refs, eos = torch_references(args.checkpoint, calibration.patho_r1_cases([]))
    rows = []
    for name, (head, embeddings) in RECIPES.items():
        with tempfile.TemporaryDirectory(prefix="patholens-q4-recipe-") as tmp:
            build_variant(args.model_dir, pathlib.Path(tmp), head, embeddings)
            size = sum(p.stat().st_size for p in (pathlib.Path(tmp) / "onnx").iterdir())
            entry = measure_dtype(pathlib.Path(tmp), "q4", refs, eos)
        rows.append({"recipe": name, "onnx_bytes": size, **entry})
        print(f"| {name} | {size / 1e6:.1f} MB | {entry['first_step_logit_cosine']['min']:.4f} | "
              f"{entry['first_step_logit_cosine']['mean']:.4f} | {entry['teacher_forced_top1_agreement']:.3f} | "
              f"{entry['greedy_token_agreement']:.3f} | {entry['below_quality']} |", flush=True)
    out = ROOT / "bench" / "results" / f"q4-recipes-{args.model_dir.name}.json"
    out.write_text(json.dumps({"model_dir": str(args.model_dir), "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
