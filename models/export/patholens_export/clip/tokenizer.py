"""open_clip's tokenizer as a Hugging Face `tokenizer.json` (read by `tokenizers` and by transformers.js).

The vocabulary and merges are open_clip's own (bpe_simple_vocab_16e6.txt.gz, shipped in the package), so
ids match by construction. The text cleaning that open_clip does in Python (ftfy.fix_text, html.unescape
twice, whitespace collapse, lower-case) is rebuilt from `tokenizers` normalizers that transformers.js also
implements. Not expressible that way, and so NOT reproduced: ftfy's mojibake repair (text decoded in the
wrong encoding, e.g. 'cafÃ©', or pairs it takes for that, e.g. 'Üµ'), terminal escape removal, HTML entities
outside ENTITIES/NUMERIC below, ftfy's rule that a '<' in the text turns its own entity decoding off (only
matters for entities escaped three times over), and Python's final-sigma rule beyond a letter-based guess.
For clinical English prompts the ids are identical (tests/test_clip_tokenizer.py checks a table and fuzz).

Truncation: open_clip keeps 76 tokens and forces the 77th to <end_of_text>. The `tokenizers` library does
the same with the truncation block written here; transformers.js cuts after adding special tokens, which
drops <end_of_text> and breaks the text model's argmax pooling, so config.json says how the app must do it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

CONTEXT_LENGTH = 77
SOT, EOT = "<start_of_text>", "<end_of_text>"

# HTML entities decoded (a curated subset of html.unescape: common typography, units, Greek, accents).
ENTITIES = (
    "lt gt quot apos nbsp ndash mdash hellip deg micro plusmn times divide middot bull lsquo rsquo ldquo rdquo "
    "laquo raquo copy reg trade sect para le ge ne asymp infin minus prime Prime alpha beta gamma delta epsilon "
    "kappa lambda mu pi sigma Delta aacute eacute iacute oacute uacute agrave egrave ograve acirc ecirc ocirc "
    "auml euml iuml ouml uuml Auml Ouml Uuml szlig ccedil ntilde aring oslash"
).split()
NUMERIC = (39, 34, 60, 62, 160, 176, 181, 177, 215, 8211, 8212, 8216, 8217, 8220, 8221, 8230, 8226)
# Legacy entities that html.unescape also decodes without the semicolon.
NO_SEMICOLON = ("lt", "gt", "quot", "nbsp")
# Python's str.split() whitespace, spelled out so Rust (tokenizers) and JS regex engines agree.
PY_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _regex_class(chars: str) -> str:
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


def _replace(pattern: str, content: str, regex: bool = False) -> dict[str, Any]:
    return {"type": "Replace", "pattern": {"Regex" if regex else "String": pattern}, "content": content}


def _html_pass() -> list[dict[str, Any]]:
    """One html.unescape pass. '&' producers run last so '&amp;lt;' becomes '&lt;', as in one real pass."""
    steps = []
    for name in ENTITIES:
        steps.append(_replace(f"&{name};", html.unescape(f"&{name};")))
    for code in NUMERIC:
        steps.append(_replace(f"&#{code};", chr(code)))
        steps.append(_replace(f"&#x{code:x};", chr(code)))
    for name in NO_SEMICOLON + ("amp",):
        # the lookahead keeps '&amp;amp;' from being eaten twice: a real pass scans the text once
        steps.append(_replace(f"&{name}(?!;)", html.unescape(f"&{name}"), regex=True))
    steps += [_replace("&#38;", "&"), _replace("&#x26;", "&"), _replace("&amp;", "&")]
    return steps


def _ftfy_iteration(first: bool) -> list[dict[str, Any]]:
    """One round of ftfy.fix_text's loop, limited to its steps that are plain character mappings, in ftfy's order.
    ftfy repeats its round until the text stops changing; later rounds only matter for text that an
    entity decoded in the previous round, so they skip the mappings no listed entity can produce."""
    from ftfy import chardata

    steps = _html_pass()  # ftfy's unescape_html
    if first:
        # fix_c1_controls: C1 controls are read as sloppy windows-1252 (e.g. \x85 -> '…', \x93 -> '“').
        for b in range(0x80, 0xA0):
            try:
                steps.append(_replace(chr(b), bytes([b]).decode("cp1252")))
            except UnicodeDecodeError:
                continue
        steps += [_replace(chr(k), v) for k, v in chardata.LIGATURES.items()]
        steps += [_replace(chr(k), v) for k, v in chardata.WIDTH_MAP.items()]
    steps += [
        _replace(chardata.SINGLE_QUOTE_RE.pattern, "'", regex=True),
        _replace(chardata.DOUBLE_QUOTE_RE.pattern, '"', regex=True),
    ]
    if first:
        control = "".join(chr(c) for c in chardata.CONTROL_CHARS)
        steps.append(_replace(_regex_class(control), "", regex=True))
    steps.append({"type": "NFC"})
    return steps


FTFY_ROUNDS = 3  # decodes entities nested up to three deep the way ftfy's loop does


def normalizer_steps() -> list[dict[str, Any]]:
    steps = []
    for i in range(FTFY_ROUNDS):
        steps += _ftfy_iteration(first=i == 0)
    steps += _html_pass() + _html_pass()  # open_clip's basic_clean: html.unescape(html.unescape(text))
    steps += [
        _replace(_regex_class(PY_WHITESPACE) + "+", " ", regex=True),
        # Python's str.lower() writes a final sigma; the `tokenizers` Lowercase maps char by char.
        _replace(r"(?<=[\p{Lu}\p{Ll}\p{Lt}])Σ(?![\p{Lu}\p{Ll}\p{Lt}])", "ς", regex=True),
        {"type": "Lowercase"},
    ]
    return steps


def build_tokenizer_json() -> dict[str, Any]:
    from open_clip.tokenizer import SimpleTokenizer

    st = SimpleTokenizer()
    if st.encoder[SOT] != 49406 or st.encoder[EOT] != 49407:  # pragma: no cover - guards a vocab change
        raise RuntimeError("open_clip's vocabulary changed: special token ids are not 49406/49407")
    merges = [f"{a} {b}" for (a, b), _ in sorted(st.bpe_ranks.items(), key=lambda kv: kv[1])]
    vocab = {tok: i for tok, i in st.encoder.items() if tok not in (SOT, EOT)}
    normalizers = normalizer_steps()
    # open_clip's word regex (it lower-cases first, so IGNORECASE changes nothing).
    word_re = "|".join([SOT, EOT]) + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
    special = lambda i, c: {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,  # noqa: E731
                            "normalized": True, "special": True}
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": CONTEXT_LENGTH, "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": CONTEXT_LENGTH}, "direction": "Right", "pad_to_multiple_of": None,
                    "pad_id": 0, "pad_type_id": 0, "pad_token": st.decoder[0]},
        "added_tokens": [special(49406, SOT), special(49407, EOT)],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": word_re}, "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]},
        "post_processor": {"type": "RobertaProcessing", "sep": [EOT, 49407], "cls": [SOT, 49406],
                           "trim_offsets": False, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def tokenizer_config() -> dict[str, Any]:
    return {
        "tokenizer_class": "CLIPTokenizer",
        "model_max_length": CONTEXT_LENGTH,
        "bos_token": SOT,
        "eos_token": EOT,
        "unk_token": EOT,
        "pad_token": "!",  # id 0: open_clip pads with 0, not with <end_of_text> as HF's CLIP does
        "do_lower_case": True,
        "clean_up_tokenization_spaces": False,
        "add_prefix_space": False,
        "added_tokens_decoder": {
            "49406": {"content": SOT, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False, "special": True},
            "49407": {"content": EOT, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False, "special": True},
        },
    }


def write_tokenizer(out_dir: Path) -> None:
    out_dir = Path(out_dir)
    (out_dir / "tokenizer.json").write_text(json.dumps(build_tokenizer_json(), ensure_ascii=False))
    (out_dir / "tokenizer_config.json").write_text(json.dumps(tokenizer_config(), indent=2) + "\n")
