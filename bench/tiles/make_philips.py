"""`npm run bench -- tiles-philips`: a bench-sized Philips TIFF laid out as the fixture generator writes it
(tests/fixtures/make_philips_fixtures.py: its XML description, Philips software tag, levels padded to whole tiles,
label and macro pages), with 512-px JPEG tiles (IntelliSite's size), the fixtures' H&E-like picture repeated in
512-px blocks, and sparse tiles: the level-0 tiles of the right quarter in the top half never written (TileOffset
and TileByteCount 0, white), into DIR (the committed fixtures are not touched). Prints OpenSlide 4's
detect_format, which must be "philips", and how many tiles are unwritten.

Usage: .venv/bin/python bench/tiles/make_philips.py DIR NAME SIZE
"""

import struct
import sys
from pathlib import Path

import numpy as np
import openslide
import tifffile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fixtures"))
import make_philips_fixtures as philips  # noqa: E402
from make_vendor_fixtures import halve, he_picture  # noqa: E402

out, name, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
philips.TILE = 512
tile = philips.TILE
block = he_picture(512, 512, seed=53)
level0 = np.ascontiguousarray(np.tile(block, (-(-size // 512), -(-size // 512), 1))[:size, :size])
levels = [level0]
while max(levels[-1].shape[:2]) > 512:
    levels.append(halve(levels[-1]))
out.mkdir(parents=True, exist_ok=True)
path = out / name
with tifffile.TiffWriter(path, bigtiff=False) as tif:
    for k, level in enumerate(levels):
        tif.write(philips.padded(level), tile=(tile, tile), compression="jpeg", compressionargs={"level": 90}, photometric="rgb", metadata=None,
                  description=philips.description(levels) if k == 0 else "", software="Philips DP v1.0", subfiletype=0 if k == 0 else 1)
    label = np.full((80, 120, 3), 240, np.uint8)
    tif.write(label, photometric="rgb", compression="jpeg", description="Label", software="Philips DP v1.0", metadata=None)
    tif.write(np.full((100, 240, 3), 200, np.uint8), photometric="rgb", compression="jpeg", description="Macro", software="Philips DP v1.0", metadata=None)
with tifffile.TiffFile(path) as tif:
    page = tif.pages[0]
    columns, rows = -(-page.imagewidth // tile), -(-page.imagelength // tile)
    spots = (page.tags["TileOffsets"].valueoffset, page.tags["TileByteCounts"].valueoffset)
unwritten = [(c, r) for r in range(rows // 2) for c in range(columns - columns // 4, columns)]
with open(path, "r+b") as fh:
    for column, row in unwritten:
        for at in spots:
            fh.seek(at + 4 * (row * columns + column))
            fh.write(struct.pack("<I", 0))
fmt = openslide.OpenSlide.detect_format(str(path))
assert fmt == "philips", fmt
print(fmt, len(unwritten), "level-0 tiles unwritten", [lv.shape[:2] for lv in levels])
