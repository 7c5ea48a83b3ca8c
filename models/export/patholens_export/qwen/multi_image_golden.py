"""PyTorch goldens for "Ask the slide": one Patho-R1 prompt with 2 and 4 numbered regions, on the committed tiny model.

Reads models/tiny/patho-r1 (its safetensors checkpoint; it does not rewrite it) and writes
tests/fixtures/patho-r1-multi-image/golden.json with the prompt text, prompt ids, image grids and greedy tokens
of each case, and the region images as PNG next to it, so a Vitest test feeds the app's runtime the same pixels.
The messages have the shape the app's prompt builder makes (src/inference/patho-r1-prompt.ts, `regions`):
"Region 1: <image>\\nRegion 2: <image>\\n<question>".

Run: .venv/bin/python -m patholens_export.qwen.multi_image_golden   (from models/export)
"""
from __future__ import annotations

import json
import pathlib

from .tiny import GOLDEN_NEW_TOKENS, PATHO_R1_SYSTEM_PROMPT, case_inputs, load_processor, load_torch_model, make_image, torch_reference

REPO = pathlib.Path(__file__).resolve().parents[4]
CHECKPOINT = REPO / "models" / "tiny" / "patho-r1"
OUT_DIR = REPO / "tests" / "fixtures" / "patho-r1-multi-image"

MCQ = "Is there invasive carcinoma on this slide?\nA. Yes, invasive carcinoma\nB. No, benign tissue only"


def region_turn(count: int, question: str) -> dict:
    content: list[dict] = []
    for index in range(count):
        content.append({"type": "text", "text": f"{'' if index == 0 else chr(10)}Region {index + 1}: "})
        content.append({"type": "image"})
    content.append({"type": "text", "text": "\n" + question})
    return {"role": "user", "content": content}


def cases() -> list[dict]:
    """Sizes: some kept as they are by the processor (multiples of 28), some resized, one portrait, one landscape."""
    sys_msg = {"role": "system", "content": [{"type": "text", "text": PATHO_R1_SYSTEM_PROMPT}]}
    return [
        {"name": "two_regions", "images": [(168, 112, 11), (84, 140, 12)], "messages": [sys_msg, region_turn(2, MCQ)]},
        {"name": "four_regions", "images": [(112, 112, 21), (140, 84, 22), (130, 90, 23), (56, 196, 24)],
         "messages": [sys_msg, region_turn(4, MCQ)]},
    ]


def main() -> None:
    processor = load_processor(CHECKPOINT)
    model = load_torch_model(CHECKPOINT)
    golden = {"model": "patho-r1-tiny", "checkpoint": "models/tiny/patho-r1/model.safetensors", "new_tokens": GOLDEN_NEW_TOKENS,
              "min_new_tokens": GOLDEN_NEW_TOKENS, "cases": []}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for case in cases():
        inputs = case_inputs(processor, case)
        ref = torch_reference(model, inputs, GOLDEN_NEW_TOKENS)
        golden["cases"].append({
            "name": case["name"],
            "messages": case["messages"],
            "images": [{"width": w, "height": h, "seed": s} for w, h, s in case["images"]],
            "prompt": processor.apply_chat_template(case["messages"], add_generation_prompt=True, tokenize=False),
            "input_ids": inputs["input_ids"][0].tolist(),
            "image_grid_thw": inputs["image_grid_thw"].tolist(),
            "greedy_new_ids": ref["ids"],
            "greedy_text": processor.tokenizer.decode(ref["ids"]),
        })
        for index, (w, h, s) in enumerate(case["images"]):
            make_image(w, h, s).save(OUT_DIR / f"{case['name']}_{index}.png")
    (OUT_DIR / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT_DIR / 'golden.json'}: " + ", ".join(f"{c['name']} ({len(c['input_ids'])} prompt ids)" for c in golden["cases"]))


if __name__ == "__main__":
    main()
