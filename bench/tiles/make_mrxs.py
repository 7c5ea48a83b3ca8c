"""Writes a MIRAX slide of about SIZE x SIZE for the tiles-mrxs benchmark with the fixture writer (a Pannoramic
scanner's layout: 1024-px photos cut into 2 x 2 JPEG images of 512 px, overlapping by 32 px, stage positions off the
grid by up to 16 px, zlib StitchingIntensityLayer), from a tiled 1024-px H&E-like picture.
Usage: make_mrxs.py OUT_DIR NAME SIZE (writes OUT_DIR/NAME.mrxs and OUT_DIR/NAME/)"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fixtures"))
from make_mrxs_fixtures import Layout, write_mrxs  # noqa: E402
from make_vendor_fixtures import he_picture  # noqa: E402

out, name, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
photos = max(1, -(-(size - 32) // 992))
rng = np.random.default_rng(7)
grid = [(px, py) for py in range(photos) for px in range(photos)]
layout = Layout(
    image_w=512, image_h=512, photos_x=photos, photos_y=photos, overlap_x=32, overlap_y=32, zoom_levels=6, unscanned=set(),
    jitter={p: (8 * int(rng.integers(0, 3)), 8 * int(rng.integers(0, 3))) for p in grid if p != (0, 0)},
    brightness={p: int(rng.integers(-6, 7)) for p in grid},
)
reps = -(-(photos * 1024 + 64) // 1024)
scene = np.tile(he_picture(1024, 1024, seed=43), (reps, reps, 1))
write_mrxs(out, name, layout, scene)
print(out / f"{name}.mrxs")
