"""`npm run bench -- tiles-bif`: a bench-sized Ventana BIF written by the fixture generator's own write_bif
(tests/fixtures/make_bif_fixtures.py, its H&E-like picture repeated in 512-px blocks), with 1024-px camera tiles (an iScan / DP 200's size) overlapping as the
fixtures' do (mean 16 / 12 px, joints varying +-2), one area of N x N camera tiles, into DIR instead of
tests/fixtures/bif and without the per-level OpenSlide reference PNGs (the committed fixtures are not touched).
Prints OpenSlide 4's detect_format, which must be "ventana".

Usage: .venv/bin/python bench/tiles/make_bif.py DIR NAME SIZE  (SIZE: about the level-0 width and height)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fixtures"))
import make_bif_fixtures as bif  # noqa: E402
import numpy as np  # noqa: E402

out, name, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
bif.OUT = out
bif.TILE = 1024
_block = bif.he_picture(512, 512, seed=23)
# The fixtures' picture is quadratic in its area; the benchmark repeats a 512-px block of it (decoding costs the same).
bif.he_picture = lambda w, h, seed=0: np.ascontiguousarray(np.tile(_block, (-(-h // 512), -(-w // 512), 1))[:h, :w])
bif.openslide_level_references = lambda slide, out, name, count=None: [  # no reference PNGs for the benchmark
    {"width": w, "height": h, "downsample": d} for (w, h), d in zip(slide.level_dimensions, slide.level_downsamples)
]
across = max(2, round((size - bif.TILE) / (bif.TILE - 16)) + 1)
down = max(2, round((size - bif.TILE) / (bif.TILE - 12)) + 1)
info = bif.write_bif(name, [{"across": across, "down": down, "start": [0, 0], "pos": [0, 0]}], overlap=(16, 12), spread=2, grid=(across, down))
assert info["detect_format"] == "ventana", info["detect_format"]
print(info["detect_format"], info["advance"], [(lv["width"], lv["height"]) for lv in info["levels"]])
