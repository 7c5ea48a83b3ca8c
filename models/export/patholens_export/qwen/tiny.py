"""Deterministic tiny Patho-R1 (Qwen2.5-VL) checkpoint, its ONNX exports and golden outputs from PyTorch.

`make_tiny_patho_r1(models/tiny)` writes models/tiny/patho-r1/: a seeded transformers Qwen2_5_VLForConditionalGeneration
(safetensors + config, loadable by transformers), a byte-level BPE tokenizer trained here with Qwen2's pre-tokenizer
and all Qwen2.5-VL special tokens, the Qwen2.5-VL chat template, onnx/ (every dtype the exporter writes) and golden.json.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import shutil
import tempfile
import warnings

import numpy as np
import torch

from ..dtypes import ALL_DTYPES
from ..quality.calibration import PATHO_R1_SYSTEM_PROMPT, make_image  # noqa: F401  (tests use tiny.make_image)


# Qwen2's pre-tokenizer regex (tokenizer.json of Qwen2 / Qwen2.5 / Qwen2.5-VL).
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Qwen2.5-VL's added tokens in id order (151643...): (content, special).
QWEN25VL_ADDED_TOKENS = [
    ("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True), ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True), ("<|box_start|>", True), ("<|box_end|>", True), ("<|quad_start|>", True),
    ("<|quad_end|>", True), ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
    ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False), ("</tool_call>", False),
    ("<|fim_prefix|>", False), ("<|fim_middle|>", False), ("<|fim_suffix|>", False), ("<|fim_pad|>", False),
    ("<|repo_name|>", False), ("<|file_sep|>", False),
]
# Qwen2-VL / Qwen2.5-VL chat template.
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: "
    "{% endif %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

CORPUS = [
    PATHO_R1_SYSTEM_PROMPT,
    "<think> The section shows glandular structures lined by columnar epithelium with nuclear atypia. </think>"
    "<answer> B. Adenocarcinoma </answer>",
    "What is the most likely diagnosis for this H&E stained tissue?\nA. Normal mucosa\nB. Adenocarcinoma\n"
    "C. Lymphoma\nD. Squamous cell carcinoma",
    "The biopsy shows sheets of atypical lymphocytes with a high mitotic rate and apoptotic bodies.",
    "Hepatocytes are arranged in plates; portal tracts contain bile ducts, hepatic arteries and portal veins.",
    "Describe the morphology of the nuclei: pleomorphic, hyperchromatic, with prominent nucleoli.",
    "Invasive ductal carcinoma of the breast, Nottingham grade 2, with lymphovascular invasion.",
    "Keratin pearls and intercellular bridges indicate squamous differentiation.",
    "Granulomas with central caseous necrosis are typical of tuberculosis; stain for acid-fast bacilli.",
    "Which feature best distinguishes a benign lesion from a malignant one? Answer with the option letter.",
    "Mitotic figures: 12 per 10 high-power fields (HPF) at 40x magnification; Ki-67 index 35%.",
    "The slide was stained with hematoxylin and eosin; immunohistochemistry for CD20, CD3 and CK7 is advised.",
]

# The main tiny config: window attention (window 112 px = 4x4 merged units) with one full-attention block, GQA
# (4 query heads, 2 KV heads), M-RoPE sections, untied LM head.
TINY_TEXT = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=4096, rms_norm_eps=1e-6,
                 rope_parameters={"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [2, 3, 3]})
TINY_VISION = dict(depth=3, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=14,
                   spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[1],
                   tokens_per_second=2, hidden_act="silu")
# A second, differently shaped config for the tests: 3 text layers, MQA-like 6:1 GQA, head_dim 8, tied embeddings,
# smaller windows (56 px = 2x2 merged units), two full-attention blocks, 3 vision heads.
SECOND_TEXT = dict(hidden_size=48, intermediate_size=80, num_hidden_layers=3, num_attention_heads=6,
                   num_key_value_heads=1, max_position_embeddings=4096, rms_norm_eps=1e-6,
                   rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [1, 1, 2]})
SECOND_VISION = dict(depth=4, hidden_size=24, intermediate_size=40, num_heads=3, out_hidden_size=48, patch_size=14,
                     spatial_merge_size=2, temporal_patch_size=2, window_size=56, fullatt_block_indexes=[0, 3],
                     tokens_per_second=2, hidden_act="silu")

VOCAB_BPE = 700  # trained vocabulary (bytes + merges), before the added tokens
# HF's own 0.02 inside the blocks; embeddings and LM head at 0.25 so that a 64-wide random model still has clear
# argmax margins (std of logits ~2). Larger inner weights make a random net chaotic and its q4 logits meaningless.
INIT_STD = 0.02
EMBED_STD = 0.25
MIN_PIXELS, MAX_PIXELS = 56 * 56, 224 * 224


def build_tokenizer():
    """Tiny byte-level BPE with Qwen2's pre-tokenizer, decoder and all Qwen2.5-VL added tokens (ids at the end)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, \
        trainers

    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_BPE, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(CORPUS * 4, trainer=trainer)
    for content, special in QWEN25VL_ADDED_TOKENS:
        token = AddedToken(content, special=special, normalized=False, lstrip=False, rstrip=False, single_word=False)
        if special:
            tok.add_special_tokens([token])
        else:
            tok.add_tokens([token])
    return tok


def tiny_config(text: dict, vision: dict, vocab_size: int, token_ids: dict[str, int], tie: bool,
                init_std: float = INIT_STD):
    from transformers import Qwen2_5_VLConfig

    cfg = Qwen2_5_VLConfig(
        text_config=dict(text, vocab_size=vocab_size, bos_token_id=token_ids["<|endoftext|>"],
                         eos_token_id=token_ids["<|im_end|>"], pad_token_id=token_ids["<|endoftext|>"],
                         initializer_range=init_std, tie_word_embeddings=tie),
        vision_config=dict(vision, initializer_range=init_std),
        image_token_id=token_ids["<|image_pad|>"], video_token_id=token_ids["<|video_pad|>"],
        vision_start_token_id=token_ids["<|vision_start|>"], vision_end_token_id=token_ids["<|vision_end|>"],
        tie_word_embeddings=tie, initializer_range=init_std,
    )
    cfg.architectures = ["Qwen2_5_VLForConditionalGeneration"]
    return cfg


def make_checkpoint(ckpt: pathlib.Path, text: dict, vision: dict, seed: int, tie: bool,
                    init_std: float = INIT_STD) -> None:
    """A seeded HF checkpoint dir (safetensors, config, tokenizer, chat template, preprocessor, generation config)."""
    from transformers import Qwen2_5_VLForConditionalGeneration

    ckpt.mkdir(parents=True, exist_ok=True)
    tok = build_tokenizer()
    ids = {c: tok.token_to_id(c) for c, _ in QWEN25VL_ADDED_TOKENS}
    vocab = tok.get_vocab_size()
    cfg = tiny_config(text, vision, vocab, ids, tie, init_std)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Qwen2_5_VLForConditionalGeneration(cfg).eval()
        with torch.no_grad():
            model.model.language_model.embed_tokens.weight.normal_(0.0, EMBED_STD)
            if not tie:
                model.lm_head.weight.normal_(0.0, EMBED_STD)
        model.save_pretrained(ckpt)
    tok.save(str(ckpt / "tokenizer.json"))
    added = {str(ids[c]): {"content": c, "lstrip": False, "normalized": False, "rstrip": False,
                           "single_word": False, "special": s} for c, s in QWEN25VL_ADDED_TOKENS}
    tok_cfg = {
        "add_bos_token": False, "add_prefix_space": False, "added_tokens_decoder": added,
        "additional_special_tokens": [c for c, s in QWEN25VL_ADDED_TOKENS if s and c not in
                                      ("<|endoftext|>", "<|im_end|>")],
        "bos_token": None, "chat_template": CHAT_TEMPLATE, "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>", "errors": "replace", "model_max_length": 4096, "pad_token": "<|endoftext|>",
        "split_special_tokens": False, "tokenizer_class": "Qwen2Tokenizer", "unk_token": None,
    }
    (ckpt / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2) + "\n", encoding="utf-8")
    # transformers' processor reads its template from here (as in the real Qwen2.5-VL repos).
    (ckpt / "chat_template.jinja").write_text(CHAT_TEMPLATE, encoding="utf-8")
    pre = {
        "do_convert_rgb": True, "do_normalize": True, "do_rescale": True, "do_resize": True,
        "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
        "image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen2_5_VLProcessor",
        "min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS,
        "size": {"shortest_edge": MIN_PIXELS, "longest_edge": MAX_PIXELS},
        "merge_size": 2, "patch_size": 14, "temporal_patch_size": 2, "resample": 3,
        "rescale_factor": 0.00392156862745098,
    }
    (ckpt / "preprocessor_config.json").write_text(json.dumps(pre, indent=2) + "\n", encoding="utf-8")
    gen = {"bos_token_id": ids["<|endoftext|>"], "eos_token_id": [ids["<|im_end|>"], ids["<|endoftext|>"]],
           "pad_token_id": ids["<|endoftext|>"], "do_sample": False, "max_new_tokens": 2048}
    (ckpt / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n", encoding="utf-8")


def golden_cases() -> list[dict]:
    """Fixed prompts: single-turn with an image, multi-turn with an image, two images in one turn, no image, and
    a single turn with an image the processor does not resize."""
    mcq = "What is the most likely diagnosis?\nA. Normal mucosa\nB. Adenocarcinoma\nC. Lymphoma\nD. Carcinoma"
    sys_msg = {"role": "system", "content": [{"type": "text", "text": PATHO_R1_SYSTEM_PROMPT}]}
    return [
        {"name": "single_turn_image", "images": [(150, 110, 1)],
         "messages": [sys_msg, {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": mcq}]}]},
        {"name": "multi_turn_image", "images": [(97, 203, 2)],
         "messages": [sys_msg,
                      {"role": "user", "content": [{"type": "image"},
                                                   {"type": "text", "text": "Describe the nuclei."}]},
                      {"role": "assistant", "content": [{"type": "text", "text":
                                                         "<think> Pleomorphic nuclei. </think><answer> Atypia </answer>"}]},
                      {"role": "user", "content": [{"type": "text", "text": mcq}]}]},
        {"name": "two_images", "images": [(130, 90, 3), (60, 185, 4)],
         "messages": [sys_msg, {"role": "user", "content": [{"type": "image"}, {"type": "image"},
                                                            {"type": "text", "text": "Compare the two regions."}]}]},
        {"name": "no_image",
         "images": [],
         "messages": [sys_msg, {"role": "user", "content": [{"type": "text", "text": mcq}]}]},
        # A size the processor keeps as it is (multiples of 28 within min/max pixels): browsers resize with their
        # own canvas filter, not PIL's bicubic, so only an unresized image can match PyTorch exactly in a browser.
        {"name": "single_turn_image_unresized", "images": [(168, 112, 5)],
         "messages": [sys_msg, {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": mcq}]}]},
    ]


def load_processor(ckpt: pathlib.Path):
    from transformers import AutoProcessor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AutoProcessor.from_pretrained(ckpt)


def load_torch_model(ckpt: pathlib.Path):
    from transformers import Qwen2_5_VLForConditionalGeneration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Qwen2_5_VLForConditionalGeneration.from_pretrained(ckpt, dtype=torch.float32,
                                                                  attn_implementation="eager").eval()


def case_inputs(processor, case: dict) -> dict:
    text = processor.apply_chat_template(case["messages"], add_generation_prompt=True, tokenize=False)
    images = [make_image(w, h, s) for w, h, s in case["images"]] or None
    return processor(text=[text], images=images, return_tensors="pt")


def torch_reference(model, inputs, new_tokens: int) -> dict:
    """Greedy ids (min_new_tokens so that EOS never stops it early), first-step logits and vision features."""
    with torch.no_grad():
        gen = model.generate(**inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                             num_beams=1)
        model.model.rope_deltas = None
        first = model(**inputs, use_cache=False).logits[0]
        feats = None
        if "pixel_values" in inputs:
            feats = model.model.visual(inputs["pixel_values"], grid_thw=inputs["image_grid_thw"]).pooler_output
    return {"ids": gen[0, inputs["input_ids"].shape[1]:].tolist(), "first_logits": first, "features": feats}


def _digest(t: torch.Tensor) -> dict:
    a = t.detach().to(torch.float32).numpy()
    return {"shape": list(a.shape), "sum": float(a.sum()), "abs_sum": float(np.abs(a).sum()),
            "sha256_f32_1e-4": hashlib.sha256(np.round(a, 4).astype(np.float32).tobytes()).hexdigest()}


GOLDEN_NEW_TOKENS = 40


def make_golden(ckpt: pathlib.Path) -> dict:
    processor = load_processor(ckpt)
    model = load_torch_model(ckpt)
    cfg = json.loads((ckpt / "config.json").read_text())
    eos = json.loads((ckpt / "generation_config.json").read_text())["eos_token_id"]
    golden = {"model": "patho-r1-tiny", "new_tokens": GOLDEN_NEW_TOKENS, "min_new_tokens": GOLDEN_NEW_TOKENS,
              "eos_token_id": eos, "image_token_id": cfg["image_token_id"],
              "system_prompt": PATHO_R1_SYSTEM_PROMPT, "cases": []}
    for case in golden_cases():
        inputs = case_inputs(processor, case)
        ref = torch_reference(model, inputs, GOLDEN_NEW_TOKENS)
        entry = {
            "name": case["name"],
            "messages": case["messages"],
            "images": [{"width": w, "height": h, "seed": s} for w, h, s in case["images"]],
            "prompt": processor.apply_chat_template(case["messages"], add_generation_prompt=True, tokenize=False),
            "input_ids": inputs["input_ids"][0].tolist(),
            "greedy_new_ids": ref["ids"],
            "greedy_text": processor.tokenizer.decode(ref["ids"]),
            "first_step_logits_last_position": [round(float(v), 6) for v in ref["first_logits"][-1]],
            "first_step_logits_digest": _digest(ref["first_logits"]),
        }
        if "pixel_values" in inputs:
            entry["pixel_values_shape"] = list(inputs["pixel_values"].shape)
            entry["pixel_values_digest"] = _digest(inputs["pixel_values"])
            entry["image_grid_thw"] = inputs["image_grid_thw"].tolist()
            entry["vision_features"] = [[round(float(v), 6) for v in row] for row in ref["features"]]
        golden["cases"].append(entry)
    return golden


def make_tiny_patho_r1(out_dir: pathlib.Path) -> None:
    """Write out_dir/patho-r1/: tiny checkpoint, tokenizer, ONNX (every dtype) and golden.json."""
    from .export import export_patho_r1

    target = pathlib.Path(out_dir) / "patho-r1"
    with tempfile.TemporaryDirectory(prefix="patholens-tiny-") as tmp:
        tmp = pathlib.Path(tmp)
        ckpt = tmp / "ckpt"
        make_checkpoint(ckpt, TINY_TEXT, TINY_VISION, seed=0, tie=False)
        exported = tmp / "exported"
        exported.mkdir()
        export_patho_r1(ckpt, exported, list(ALL_DTYPES))
        # One folder is both the HF checkpoint and the transformers.js model dir: the exported config.json is the
        # checkpoint's config plus transformers.js fields, which transformers ignores.
        stage = tmp / "patho-r1"
        shutil.copytree(ckpt, stage)
        for item in exported.iterdir():
            dst = stage / item.name
            if item.is_dir():
                shutil.copytree(item, dst)
            else:
                shutil.copyfile(item, dst)
        golden = make_golden(stage)
        (stage / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
        # The golden images as PNG (lossless), so JS tests feed the app's runtime the very same pixels.
        (stage / "golden").mkdir()
        for case in golden["cases"]:
            for index, image in enumerate(case["images"]):
                make_image(image["width"], image["height"], image["seed"]).save(stage / "golden" / f"{case['name']}_{index}.png")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, target)
