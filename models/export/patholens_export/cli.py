"""Command line: `python -m patholens_export {patho-r1,pathoclip,tiny} ...`.

Every expected failure is an ExportError: one sentence on stderr, exit code 2, and no output directory
(the export is built in a temporary sibling directory and renamed into place only when complete).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from . import EXPORTER_VERSION
from .dtypes import ALL_DTYPES
from .errors import ExportError
from .manifest import source_of_file, source_of_hf_dir, write_manifest
from .outdir import TMP_PREFIX, atomic_output_dir, check_output_target

EXIT_BAD_INPUT = 2
DTYPE_HELP = "comma-separated: " + ",".join(ALL_DTYPES)
PATHOCLIP_DEFAULT_DTYPES = "fp32,fp16,q8,q4"  # fp16 for the text model, q4/q8 for the per-tile vision model


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 and a usage blurb on bad arguments; route that through ExportError instead."""

    def error(self, message: str):  # type: ignore[override]
        raise ExportError(f"Invalid command line: {message}; run with --help for usage.")


def parse_dtypes(text: str, allowed: Sequence[str] = ALL_DTYPES) -> list[str]:
    dtypes = [d.strip() for d in text.split(",") if d.strip()]
    bad = [d for d in dtypes if d not in allowed]
    if bad or not dtypes:
        raise ExportError(
            f"Unknown dtype '{','.join(bad) or text}': use a comma-separated list of {', '.join(allowed)}."
        )
    return list(dict.fromkeys(dtypes))


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m patholens_export", description=__doc__.split("\n")[0])
    p.add_argument("--version", action="version", version=f"patholens_export {EXPORTER_VERSION}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r1 = sub.add_parser("patho-r1", help="Hugging Face Qwen2.5-VL checkpoint dir -> transformers.js ONNX dir")
    r1.add_argument("--checkpoint", required=True, type=Path, help="Patho-R1 / Qwen2.5-VL checkpoint directory")
    r1.add_argument("--out", required=True, type=Path)
    r1.add_argument("--dtype", default="q4f16", help=DTYPE_HELP + " (default q4f16)")
    r1.add_argument("--force", action="store_true", help="replace an existing output directory")
    add_quality_arguments(r1)

    clip = sub.add_parser("pathoclip", help="open_clip checkpoint (.pt/.safetensors) -> transformers.js CLIP ONNX dir")
    clip.add_argument("--checkpoint", required=True, type=Path)
    clip.add_argument("--arch", required=True,
                      help="ViT-B-16, ViT-L-14, ViT-L-14-336 (add -quickgelu for OpenAI-initialised fine-tunes), "
                           "or a path to an open_clip config JSON")
    clip.add_argument("--out", required=True, type=Path)
    clip.add_argument("--dtype", default=PATHOCLIP_DEFAULT_DTYPES,
                      help=f"{DTYPE_HELP} (default {PATHOCLIP_DEFAULT_DTYPES})")
    clip.add_argument("--force", action="store_true", help="replace an existing output directory")
    add_quality_arguments(clip)

    tiny = sub.add_parser("tiny", help="build the deterministic tiny test models into OUT/pathoclip and OUT/patho-r1")
    tiny.add_argument("--out", required=True, type=Path)
    tiny.add_argument("--force", action="store_true", help="replace existing tiny model directories")
    tiny.add_argument("--only", choices=("pathoclip", "patho-r1"), help="build only one of the two")
    return p


def add_quality_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calibration-images", type=Path, metavar="DIR",
                        help="your own region images (PNG/JPEG) for the quality report, beside the built-in ones")
    parser.add_argument("--skip-quality-report", action="store_true",
                        help="do not compare the exported dtypes with PyTorch (manifest.json then has no quality block)")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def check_not_inside(checkpoint: Path, out: Path) -> None:
    """--force replaces --out: refuse when that would delete the checkpoint being exported."""
    ckpt, out = Path(checkpoint).resolve(), Path(out).resolve()
    if ckpt == out or out in ckpt.parents:
        raise ExportError(f"The checkpoint {checkpoint} is inside the output directory {out}; choose another --out.")


def cmd_pathoclip(args) -> None:
    from .clip.export import check_dtypes

    dtypes = parse_dtypes(args.dtype)
    check_dtypes(dtypes)
    check_not_inside(args.checkpoint, args.out)
    check_output_target(args.out.absolute(), args.force)
    from .clip.export import bytes_needed, count_params, export_clip_dir
    from .clip.load import load_open_clip

    arch, cfg, model = load_open_clip(args.checkpoint, args.arch)
    source = source_of_file(args.checkpoint)
    source["arch"] = arch
    with atomic_output_dir(args.out, args.force, bytes_needed(count_params(model), dtypes)) as tmp:
        work = Path(tempfile.mkdtemp(prefix=".work-", dir=tmp))
        try:
            files = export_clip_dir(model, cfg, arch, tmp, dtypes, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        quality = None
        if not args.skip_quality_report:
            from .quality.pathoclip import pathoclip_quality_report

            quality = pathoclip_quality_report(model, tmp, dtypes, args.calibration_images, log=_log)
            _log_verdicts(quality)
        write_manifest(tmp, "pathoclip", source, files, quality)
    _log(f"Wrote {args.out} ({', '.join(dtypes)}).")


def cmd_patho_r1(args) -> None:
    dtypes = parse_dtypes(args.dtype)
    check_not_inside(args.checkpoint, args.out)
    check_output_target(args.out.absolute(), args.force)
    ckpt = Path(args.checkpoint)
    if not ckpt.is_dir():
        raise ExportError(f"The checkpoint {ckpt} is not a directory; pass a Hugging Face Qwen2.5-VL checkpoint directory.")
    try:
        from .qwen import export as qwen_export
    except ImportError as e:  # pragma: no cover - only while the Qwen exporter is missing
        raise ExportError(f"The Patho-R1 exporter is not available in this build ({e}).") from e
    qwen_export.check_dtypes(dtypes)
    needed = qwen_export.disk_bytes_needed(ckpt, dtypes) if hasattr(qwen_export, "disk_bytes_needed") else 0
    source = source_of_hf_dir(ckpt)
    if args.calibration_images is not None:  # fail before the long export, not after
        from .quality.calibration import load_user_images

        load_user_images(args.calibration_images)
    with atomic_output_dir(args.out, args.force, needed) as tmp:
        files = qwen_export.export_patho_r1(ckpt, tmp, dtypes)
        quality = None
        if not args.skip_quality_report:
            from .quality.patho_r1 import patho_r1_quality_report

            quality = patho_r1_quality_report(ckpt, tmp, dtypes, args.calibration_images, log=_log)
            _log_verdicts(quality)
        write_manifest(tmp, "patho-r1", source, files, quality)
    _log(f"Wrote {args.out} ({', '.join(dtypes)}).")


def cmd_tiny(args) -> None:
    out = Path(args.out)
    todo = [args.only] if args.only else ["pathoclip", "patho-r1"]
    for name in todo:  # refuse before doing any work
        check_output_target((out / name).absolute(), args.force)
    if "pathoclip" in todo:
        from .clip.tiny import make_tiny_pathoclip

        from .quality.pathoclip import pathoclip_quality_report

        with atomic_output_dir(out / "pathoclip", args.force, 64 << 20) as tmp:
            model = make_tiny_pathoclip(tmp)
            quality = pathoclip_quality_report(model, tmp, list(ALL_DTYPES), log=_log)
            write_manifest(tmp, "pathoclip", {"path": "generated by patholens_export tiny", "name": "tiny-pathoclip"},
                           quality=quality)
        _log(f"Wrote {out / 'pathoclip'}.")
    if "patho-r1" in todo:
        try:
            from .qwen.tiny import make_tiny_patho_r1
        except ImportError as e:
            _log(f"Skipped {out / 'patho-r1'}: the tiny Patho-R1 builder is not available ({e}).")
            return
        with atomic_output_dir(out / "patho-r1", args.force, 256 << 20) as tmp:
            # make_tiny_patho_r1 writes <dir>/patho-r1; give it a scratch parent and move the result into tmp.
            scratch = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + "qwen-", dir=out))
            try:
                make_tiny_patho_r1(scratch)
                os.rmdir(tmp)
                os.rename(scratch / "patho-r1", tmp)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            from .quality.patho_r1 import patho_r1_quality_report

            # The tiny folder is both the HF checkpoint and the exported model directory.
            quality = patho_r1_quality_report(tmp, tmp, list(ALL_DTYPES), log=_log)
            write_manifest(tmp, "patho-r1", {"path": "generated by patholens_export tiny", "name": "tiny-patho-r1"},
                           quality=quality)
        _log(f"Wrote {out / 'patho-r1'}.")


def _log_verdicts(quality: dict) -> None:
    for dtype, entry in quality["dtypes"].items():
        verdict = "below quality: " + "; ".join(entry["reasons"]) if entry["below_quality"] else "ok"
        _log(f"  {dtype}: {verdict}")


COMMANDS = {"pathoclip": cmd_pathoclip, "patho-r1": cmd_patho_r1, "tiny": cmd_tiny}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        COMMANDS[args.command](args)
    except ExportError as e:
        _log(f"error: {e}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _log("error: interrupted; no output directory was written.")
        return 130
    except MemoryError:
        _log("error: the export ran out of memory; close other programs or use a machine with more RAM.")
        return 1
    return 0
