"""tokenizer.json against open_clip's tokenizer: with the `tokenizers` library (ids, padding and truncation
exactly as open_clip) and with transformers.js in Node (ids before the app's open_clip-style truncation)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest
from clip_helpers import open_clip_truncate
from conftest import REPO_ROOT, TINY_DIR

TOKENIZER_DIR = TINY_DIR / "pathoclip"

TABLE = [
    "a photo of a cat",
    "an H&E stained section of invasive ductal carcinoma",
    "",
    "   ",
    "  Tumor   CELLS\n\tinfiltrating\u00a0stroma  \r\n",
    "UPPER lower MiXeD",
    "don't it's we'll they're I'm you've he'd",
    "123456 3.14 1,000 2x10^9/L pT2N1M0",
    "Ki-67 > 20%; ER+/PR+/HER2-",
    "Ca&amp;lt;b &lt;tag&gt; &amp;amp; x &quot;q&quot; R&D AT&T &#39;s &nbsp;gap &#x27;",
    "mitoses &gt; 10/HPF &amp; necrosis",
    "“curly” ‘quotes’ and ﬁbrosis, ﬂuid",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ１２３",
    "Größe 5 µm ± 2 °C × 10 — ok… naïve café",
    "cafe\u0301 (combining accent) vs café",
    "日本語のテキスト 中文 한국어 ελληνικά русский текст",
    "ΟΔΟΣ ΣΑ",
    "emoji 🙂🔬 and symbols ©®™ §¶",
    "ctrl\x01\x7fchars\ufeffbom \x93quoted\x94 ellipsis\x85",
    "line1\u2028line2\u2029line3\x0bx\x0cy",
    "word " * 100,
    "x" * 500,
    "Metastatic adenocarcinoma " * 20 + "&amp; more",
    "lymph node, " * 40,
]


@pytest.fixture(scope="module")
def hf_tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(TOKENIZER_DIR / "tokenizer.json"))


def open_clip_ids(texts):
    import open_clip

    return open_clip.tokenize(texts).tolist()


def test_table_matches_open_clip(hf_tokenizer):
    want = open_clip_ids(TABLE)
    got = [e.ids for e in hf_tokenizer.encode_batch(TABLE)]
    assert any(len([i for i in w if i]) == 77 and w[-1] == 49407 for w in want), "table must hold truncated texts"
    for text, g, w in zip(TABLE, got, want):
        assert g == w, f"{text[:40]!r}"


def test_random_texts_match_open_clip(hf_tokenizer):
    """Random mixes of the pieces the normaliser rebuilds (entities, quotes, widths, whitespace, accents).
    Not mixed in: pairs that ftfy takes for mojibake (e.g. 'Üµ', read as UTF-8 bytes decoded as Latin-1 and
    'repaired' to 'ܵ'), '<' (which switches ftfy's entity decoding off) and numeric entities outside the
    listed ones (random '&#2b' is one): tokenizer.py says why."""
    pieces = list("abcXYZ  \t\n0123.,;:!?'\"-_&/()") + [
        "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;", "&amp;amp;", "&amp;lt;", "&ampx", "&#x27;", "\u00a0",
        "\u3000", "’", "“", "ﬁ", "Ａ", "é", "e\u0301", "ß", "🙂", "\u2028", "\x0b", "µm", "±", "日", "ü",
        "carcinoma", " cells", "HER2", "\r\n",
    ]
    rng = random.Random(0)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    want = open_clip_ids(texts)
    got = [e.ids for e in hf_tokenizer.encode_batch(texts)]
    bad = [t for t, g, w in zip(texts, got, want) if g != w]
    assert not bad, f"{len(bad)} mismatches, e.g. {bad[:3]!r}"


def _transformers_js_available() -> bool:
    return shutil.which("node") is not None and (REPO_ROOT / "node_modules" / "@huggingface" / "transformers").is_dir()


@pytest.mark.skipif(not _transformers_js_available(), reason="node or node_modules/@huggingface/transformers missing (run npm ci)")
def test_transformers_js_reads_the_same_ids():
    script = REPO_ROOT / "models" / "export" / "tests" / "js" / "tokenize.mjs"
    proc = subprocess.run(["node", str(script), str(TOKENIZER_DIR.parent), TOKENIZER_DIR.name],
                          input=json.dumps(TABLE), capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    js = json.loads(proc.stdout.strip().splitlines()[-1])
    want = open_clip_ids(TABLE)
    for text, full, w in zip(TABLE, js["full"], want):
        # the app's documented truncation (config.json patholens.text_truncation) on transformers.js ids
        assert open_clip_truncate(full) == w, f"{text[:40]!r}"
    # short texts: transformers.js's own padding to 77 pads with id 0 as open_clip does (tokenizer_config pad "!")
    for text, padded, w in zip(TABLE, js["padded"], want):
        if w[-1] == 0:
            assert padded == w, f"{text[:40]!r}"
    # and the trap that the config documents: transformers.js's own truncation loses <end_of_text>
    long_rows = [i for i, w in enumerate(want) if w[-1] == 49407]
    assert long_rows and all(js["truncated"][i][-1] != 49407 for i in long_rows)
