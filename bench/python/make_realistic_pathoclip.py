"""Exports a random-weight PathoCLIP of a real shape (open_clip ViT-B-16 by default, seeded open_clip init) with every
dtype and its quality report, then prints the report with bench/python/quality_table.py. Random towers are a stress
test, not a forecast for trained weights (a random text tower is mostly attention/MLP output, which 4-bit hurts).

    .venv/bin/python bench/python/make_realistic_pathoclip.py --out /tmp/pathoclip-b16-random
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--arch", default="ViT-B-16")
    parser.add_argument("--dtype", default="fp32,fp16,q8,q4,q4f16")
    args = parser.parse_args()
    import open_clip
    from safetensors.torch import save_file

    torch.manual_seed(0)
    model = open_clip.create_model(args.arch, pretrained=None).eval()
    with tempfile.TemporaryDirectory(prefix="patholens-realistic-clip-") as tmp:
        ckpt = pathlib.Path(tmp) / f"{args.arch}-random.safetensors"
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(ckpt))
        del model
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "patholens_export", "pathoclip", "--checkpoint", str(ckpt), "--arch", args.arch,
                        "--out", str(pathlib.Path(args.out).resolve()), "--dtype", args.dtype, "--force"],
                       cwd=ROOT / "models" / "export", check=True)
        print(f"export + quality report: {time.monotonic() - start:.0f} s", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "python" / "quality_table.py"), args.out], check=True)


if __name__ == "__main__":
    main()
