"""Converts the benchmark's generated SVS into a DICOM WSI series with wsidicomizer (JPEG tiles passed through,
as a hospital's converter would), once. Usage: dicomize.py SLIDE.svs OUTPUT_FOLDER"""
import sys
from pathlib import Path

from wsidicomizer import WsiDicomizer

source, output = Path(sys.argv[1]), Path(sys.argv[2])
output.mkdir(parents=True, exist_ok=True)
WsiDicomizer.convert(source, output, tile_size=256, workers=2)
print(len(list(output.glob("*.dcm"))))
