"""Helpers shared by the CLIP tests (not a test module)."""

from __future__ import annotations

import numpy as np


def rel_err(a, b) -> float:
    """max |a-b| / max |b|: relative error of a whole output tensor."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


def min_cosine(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    cos = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return float(cos.min())


def ort_run(path, feeds):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)[0]


def open_clip_truncate(ids: list[int], context_length: int = 77, eot: int = 49407) -> list[int]:
    """What config.json's patholens.text_truncation tells the app to do with untruncated ids."""
    if len(ids) > context_length:
        ids = ids[:context_length]
        ids[-1] = eot
    return ids + [0] * (context_length - len(ids))
