"""Shared pytest setup for models/export: make `patholens_export` importable when pytest runs from the repo root."""

import os
import sys
from pathlib import Path

EXPORT_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = EXPORT_DIR.parents[1]
TINY_DIR = REPO_ROOT / "models" / "tiny"

if str(EXPORT_DIR) not in sys.path:
    sys.path.insert(0, str(EXPORT_DIR))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
