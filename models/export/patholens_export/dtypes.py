"""The browser dtypes the exporter writes, and the file-name suffix transformers.js 4.x loads for each.

transformers.js maps a dtype name to a suffix (DEFAULT_DTYPE_SUFFIX_MAPPING in its src/utils/dtypes.js):
fp32 -> '', fp16 -> '_fp16', q8 -> '_quantized', q4 -> '_q4', q4f16 -> '_q4f16'. The exporter uses the same
names so that `dtype: 'q8'` (or 'q4', ...) in plain transformers.js loads exactly the files written here.
"""
from __future__ import annotations

DTYPE_SUFFIX = {"fp32": "", "fp16": "_fp16", "q8": "_quantized", "q4": "_q4", "q4f16": "_q4f16"}
ALL_DTYPES = tuple(DTYPE_SUFFIX)
# Dtypes whose graphs run with fp16 activations (exported from / converted to an fp16 graph).
FP16_DTYPES = ("fp16", "q4f16")
# Dtypes with 4-bit MatMulNBits weights (the token embeddings and the LM head stay at 8 bits).
Q4_DTYPES = ("q4", "q4f16")
