"""Reads the given level-0 tiles with OpenSlide read_region, single thread; prints tiles per second as JSON.

Input on stdin: {"path": ..., "tile": 256, "tiles": [[col, row], ...], "warmup": N, "origin": [x, y] (optional:
where tile (0, 0) starts in level 0, e.g. a Leica SCN's openslide.bounds-x/y)}.
"""
import json
import sys
import time

import openslide

job = json.load(sys.stdin)
slide = openslide.OpenSlide(job["path"])
size = job["tile"]
tiles = job["tiles"]
ox, oy = job.get("origin", [0, 0])
for col, row in tiles[: job["warmup"]]:
    slide.read_region((ox + col * size, oy + row * size), 0, (size, size))
start = time.perf_counter()
for col, row in tiles:
    slide.read_region((ox + col * size, oy + row * size), 0, (size, size))
seconds = time.perf_counter() - start
print(json.dumps({"tiles": len(tiles), "seconds": seconds, "tilesPerSecond": len(tiles) / seconds, "version": openslide.__library_version__}))
