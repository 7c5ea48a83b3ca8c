"""Makes the realistically shaped random-weight Patho-R1 for `npm run bench -- reasoner --model local/...`:
a Qwen2.5-0.5B-sized decoder (hidden 896, 24 layers, 14 heads, 2 KV heads, vocabulary 151936) with the full
Qwen2.5-VL vision tower (depth 32, hidden 1280, window attention, 4 full-attention blocks), random bf16 weights,
the tiny model's tokenizer (its special-token ids are written into the config so images are placed right), then
exports it with the PathoLens exporter.

    .venv/bin/python bench/python/make_realistic_qwen.py --out models/local/patho-r1-0.5b-random --dtype q4
"""
import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

import torch
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

ROOT = pathlib.Path(__file__).resolve().parents[2]

# head_dim is 64 here (896 / 14), so the M-RoPE sections are Qwen2.5-VL's [16, 24, 24] halved.
TEXT_0_5B = dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                 num_key_value_heads=2, max_position_embeddings=32768, rms_norm_eps=1e-6,
                 rope_parameters={"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [8, 12, 12]},
                 tie_word_embeddings=True)
VISION_FULL = dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, out_hidden_size=896, patch_size=14,
                   spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[7, 15, 23, 31],
                   tokens_per_second=2, hidden_act="silu", in_channels=3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--dtype", default="q4")
    parser.add_argument("--skip-quality-report", action="store_true", help="passed on to the exporter (saves minutes)")
    args = parser.parse_args()
    tiny = ROOT / "models" / "tiny" / "patho-r1"
    tiny_config = json.loads((tiny / "config.json").read_text())
    special = {key: tiny_config[key] for key in ("image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id")}
    eos = json.loads((tiny / "generation_config.json").read_text())["eos_token_id"]
    with tempfile.TemporaryDirectory(prefix="patholens-realistic-") as tmp:
        ckpt = pathlib.Path(tmp) / "ckpt"
        text = dict(TEXT_0_5B, bos_token_id=tiny_config["text_config"]["bos_token_id"], eos_token_id=tiny_config["text_config"]["eos_token_id"])
        config = Qwen2_5_VLConfig(text_config=text, vision_config=VISION_FULL, tie_word_embeddings=True, **special)
        config.architectures = ["Qwen2_5_VLForConditionalGeneration"]
        torch.manual_seed(0)
        torch.set_default_dtype(torch.bfloat16)
        try:
            model = Qwen2_5_VLForConditionalGeneration(config).eval()
        finally:
            torch.set_default_dtype(torch.float32)
        print(f"{sum(p.numel() for p in model.parameters()) / 1e6:.0f} M parameters", flush=True)
        model.save_pretrained(ckpt)
        del model
        for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
            shutil.copyfile(tiny / name, ckpt / name)
        # Qwen2.5-VL's own pixel limits (the tiny model's are tiny), so regions keep their real token counts.
        preprocessor = json.loads((tiny / "preprocessor_config.json").read_text())
        preprocessor.update(min_pixels=3136, max_pixels=12845056, size={"shortest_edge": 3136, "longest_edge": 12845056})
        (ckpt / "preprocessor_config.json").write_text(json.dumps(preprocessor, indent=2))
        (ckpt / "generation_config.json").write_text(json.dumps({"eos_token_id": eos, "do_sample": False, "max_new_tokens": 2048}))
        subprocess.run([sys.executable, "-m", "patholens_export", "patho-r1", "--checkpoint", str(ckpt), "--out", str(pathlib.Path(args.out).resolve()),
                        "--dtype", args.dtype, "--force", *(["--skip-quality-report"] if args.skip_quality_report else [])], cwd=ROOT / "models" / "export", check=True)
        # Keep the PyTorch checkpoint beside the export so the benchmark can run PyTorch on the same weights.
        for item in ckpt.iterdir():
            if item.name.endswith(".safetensors") or item.name in ("model.safetensors.index.json", "chat_template.jinja"):
                shutil.copyfile(item, pathlib.Path(args.out) / item.name)


if __name__ == "__main__":
    main()
