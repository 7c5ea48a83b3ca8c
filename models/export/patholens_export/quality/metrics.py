"""Small numeric helpers of the quality report."""
from __future__ import annotations

import numpy as np


def cosine(a, b) -> float:
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    denom = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / denom) if denom > 0 else 0.0


def row_cosines(a, b) -> list[float]:
    return [cosine(x, y) for x, y in zip(np.asarray(a), np.asarray(b))]


def common_prefix_fraction(ours, reference) -> float:
    """Share of the reference tokens reproduced before the first difference (1.0 = identical)."""
    n = 0
    for x, y in zip(ours, reference):
        if int(x) != int(y):
            break
        n += 1
    return n / max(len(reference), 1)


def summary(values) -> dict[str, float]:
    values = [float(v) for v in values]
    return {"min": round(min(values), 6), "mean": round(float(np.mean(values)), 6)}
