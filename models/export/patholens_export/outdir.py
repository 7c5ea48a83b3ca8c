"""Atomic output directories: build in a temporary sibling directory, rename into place at the end.

A failed or interrupted export therefore never leaves a half-written model directory behind: the app
would otherwise find a directory whose manifest (or a file) is missing and fail later in a worse way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import ExportError

TMP_PREFIX = ".patholens-export-"


def check_output_target(target: Path, force: bool) -> None:
    """Fail early (before any heavy work) when the target exists and --force was not given."""
    if target.exists() and not force:
        raise ExportError(
            f"The output directory {target} already exists; pass --force to replace it or choose another --out."
        )
    if target.exists() and not target.is_dir():
        raise ExportError(f"The output path {target} exists and is not a directory; remove it or choose another --out.")


def free_bytes(path: Path) -> int:
    """Free space on the file system that holds `path` (or its nearest existing parent)."""
    probe = path
    while not probe.exists():
        probe = probe.parent
    return shutil.disk_usage(probe).free


def check_free_space(target: Path, needed_bytes: int) -> None:
    free = free_bytes(target.parent)
    if free < needed_bytes:
        raise ExportError(
            f"Not enough disk space next to {target}: the export needs about {needed_bytes / 1e9:.2f} GB "
            f"but only {free / 1e9:.2f} GB are free; free some space or choose another --out."
        )


@contextlib.contextmanager
def atomic_output_dir(target: Path, force: bool = False, needed_bytes: int = 0) -> Iterator[Path]:
    """Yield a fresh temporary directory next to `target`; on success it becomes `target`.

    The temporary directory is created in the same parent so the final step is a rename on one
    file system. On any exception (including KeyboardInterrupt) it is removed and `target` is untouched.
    """
    target = Path(target).absolute()
    check_output_target(target, force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"Cannot create the parent directory of {target} ({e.strerror}); choose another --out.") from e
    if needed_bytes:
        check_free_space(target, needed_bytes)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + target.name + "-", dir=target.parent))
    except OSError as e:
        raise ExportError(f"Cannot write into {target.parent} ({e.strerror}); choose another --out.") from e
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the final directory should look like any other
    try:
        yield tmp
        _replace_dir(tmp, target, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace_dir(tmp: Path, target: Path, force: bool) -> None:
    if not target.exists():
        os.rename(tmp, target)
        return
    if not force:  # appeared while we were exporting
        raise ExportError(f"The output directory {target} appeared during the export; pass --force to replace it.")
    # Move the old directory aside first so that at every moment either the old or the new one is in place.
    old = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + target.name + "-old-", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
