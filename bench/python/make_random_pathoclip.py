"""Makes the random-weight ViT-B-16-sized PathoCLIP for `npm run bench -- clip --model local/pathoclip-b16-random`:
open_clip's own ViT-B-16 (224 px, patch 16, width 768, 12 layers; text width 512; embed dim 512) with its random
init, saved as a checkpoint and exported by the PathoLens exporter (no download; weights never committed:
models/local is git-ignored).

    .venv/bin/python bench/python/make_random_pathoclip.py --out models/local/pathoclip-b16-random --dtype fp32,q8
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

import open_clip
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--arch", default="ViT-B-16")
    parser.add_argument("--dtype", default="fp32,q8")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = open_clip.create_model(args.arch, pretrained=None)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = pathlib.Path(tmp) / "random.pt"
        torch.save(model.state_dict(), checkpoint)
        del model
        command = [sys.executable, "-m", "patholens_export", "pathoclip", "--checkpoint", str(checkpoint), "--arch", args.arch,
                   "--out", str(pathlib.Path(args.out).resolve()), "--dtype", args.dtype, "--skip-quality-report", "--force"]
        subprocess.run(command, check=True, cwd=ROOT / "models" / "export")


if __name__ == "__main__":
    main()
