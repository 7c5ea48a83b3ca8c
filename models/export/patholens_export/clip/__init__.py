"""PathoCLIP (open_clip) -> transformers.js CLIP directory: vision_model / text_model ONNX, tokenizer.json,
preprocessor_config.json, config.json with the logit scale."""

ARCHS = ("ViT-B-16", "ViT-L-14", "ViT-L-14-336")
# OpenAI-initialised fine-tunes use QuickGELU; open_clip names those configs with this suffix.
QUICKGELU_ARCHS = tuple(a + "-quickgelu" for a in ARCHS)
CLIP_DTYPES = ("fp32", "fp16", "q4", "q4f16")
