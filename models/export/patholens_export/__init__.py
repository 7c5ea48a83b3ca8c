"""PathoLens model export: Hugging Face / open_clip checkpoints to browser-ready ONNX directories."""

EXPORTER_VERSION = "0.1.0"
