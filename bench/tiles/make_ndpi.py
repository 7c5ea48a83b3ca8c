"""Writes a SIZE x SIZE Hamamatsu NDPI for the tiles-ndpi benchmark with the fixture writer (NDP.scan's layout,
restart intervals and McuStarts), level 0 tiled from a 1024-px H&E-like picture. Usage: make_ndpi.py OUT.ndpi SIZE"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fixtures"))
from make_ndpi_fixtures import write_ndpi  # noqa: E402
from make_vendor_fixtures import halve, he_picture  # noqa: E402

out, size = Path(sys.argv[1]), int(sys.argv[2])
reps = -(-size // 1024)
level = np.tile(he_picture(1024, 1024, seed=43), (reps, reps, 1))[:size, :size]
levels = [level]
while levels[-1].shape[1] > 256:
    levels.append(halve(levels[-1]))
macro = np.full((240, 640, 3), 225, np.uint8)
write_ndpi(out, levels, macro)
print(out)
