"""PathoCLIP (open_clip) -> transformers.js CLIP directory: vision_model / text_model ONNX, tokenizer.json,
preprocessor_config.json, config.json with the logit scale."""

from ..dtypes import ALL_DTYPES as CLIP_DTYPES  # the same browser dtypes as Patho-R1

ARCHS = ("ViT-B-16", "ViT-L-14", "ViT-L-14-336")
# OpenAI-initialised fine-tunes use QuickGELU; open_clip names those configs with this suffix.
QUICKGELU_ARCHS = tuple(a + "-quickgelu" for a in ARCHS)
