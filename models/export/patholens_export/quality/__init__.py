"""Quality report of an export: the exported ONNX graphs of every dtype against the checkpoint in PyTorch.

Written into manifest.json under "quality" so that a user (and the app) can see what each dtype costs on *their*
weights. calibration.py holds the built-in prompts, labels and generated images (plus the user's own images),
patho_r1.py and pathoclip.py measure, thresholds.py says when a dtype is "below quality".
"""
