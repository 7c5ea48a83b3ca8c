"""What the quality report runs on: built-in pathology prompts and labels, generated H&E-like images, and the
user's own images from --calibration-images DIR."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ExportError

PATHO_R1_SYSTEM_PROMPT = (
    "You are a pathology expert, your task is to answer question step by step. Use the following format:"
    "<think> Your step-by-step reasoning </think><answer> Your final answer </answer>"
)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
# User images are shrunk to this longest side: Qwen2.5-VL's processor would otherwise keep up to 12.8 MP, i.e.
# thousands of vision tokens per image, which makes the report slow without telling more about the dtype.
MAX_USER_IMAGE_SIDE = 448
MAX_USER_IMAGES = 16

# (question, index of the generated image or None for a text-only prompt)
PATHO_R1_PROMPTS: list[tuple[str, int | None]] = [
    ("What is the most likely diagnosis for this H&E stained region?\nA. Normal mucosa\nB. Adenocarcinoma\n"
     "C. Lymphoma\nD. Squamous cell carcinoma", 0),
    ("Describe the nuclear features of the cells in this region.", 1),
    ("Is there evidence of invasion or necrosis in this field? Explain.", 2),
    ("Which immunohistochemical markers help distinguish lymphoma from poorly differentiated carcinoma?", None),
]
USER_IMAGE_QUESTION = "Describe the tissue in this region and give the most likely diagnosis."
# (width, height, seed) of the generated images: not multiples of 28, different aspect ratios.
GENERATED_IMAGES = [(224, 168, 11), (150, 230, 12), (250, 140, 13), (180, 180, 14), (96, 200, 15),
                    (210, 120, 16), (128, 128, 17), (200, 160, 18)]

PATHOCLIP_LABELS = [
    "an H&E image of normal tissue", "an H&E image of adenocarcinoma", "an H&E image of squamous cell carcinoma",
    "an H&E image of lymphoma", "an H&E image of necrosis", "an H&E image of stroma",
    "an H&E image of lymphocytes", "an H&E image of adipose tissue", "an H&E image of mucin",
    "an H&E image of debris",
]


def make_image(width: int, height: int, seed: int):
    """A deterministic H&E-like RGB image (pink stroma, purple nuclei-like blobs, noise) as a PIL image."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.zeros((height, width, 3), np.float32)
    img[..., 0] = 230 - 20 * np.sin(xx / 9.0 + seed)
    img[..., 1] = 170 + 30 * np.cos(yy / 11.0)
    img[..., 2] = 200 + 15 * np.sin((xx + yy) / 13.0)
    for _ in range(12):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(4, 14)
        blob = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        img[blob] = [90, 50, 140]
    img += rng.normal(0, 6, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def generated_images() -> list:
    return [make_image(w, h, s) for w, h, s in GENERATED_IMAGES]


def load_user_images(directory: Path | None, max_side: int | None = MAX_USER_IMAGE_SIDE) -> list:
    """RGB PIL images from DIR (sorted by name, at most MAX_USER_IMAGES), shrunk to `max_side` when given."""
    if directory is None:
        return []
    from PIL import Image, UnidentifiedImageError

    directory = Path(directory)
    if not directory.is_dir():
        raise ExportError(f"The calibration image folder {directory} does not exist; pass a folder of PNG or JPEG images.")
    paths = sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)[:MAX_USER_IMAGES]
    if not paths:
        raise ExportError(f"The calibration image folder {directory} holds no images ({', '.join(IMAGE_EXTENSIONS)}); "
                          "add some region snapshots or leave out --calibration-images.")
    images = []
    for path in paths:
        try:
            with Image.open(path) as im:
                image = im.convert("RGB")
        except (OSError, UnidentifiedImageError) as exc:
            raise ExportError(f"The calibration image {path} cannot be read ({exc}); remove it or replace it.") from exc
        if max_side and max(image.size) > max_side:
            image.thumbnail((max_side, max_side))
        images.append(image)
    return images


def patho_r1_cases(user_images: list) -> list[dict]:
    """Chat messages (Patho-R1's system prompt, one user turn) with their images, built-in first."""
    generated = generated_images()
    cases = []
    for question, image_index in PATHO_R1_PROMPTS:
        cases.append(_case(question, None if image_index is None else generated[image_index], "builtin"))
    cases += [_case(USER_IMAGE_QUESTION, image, "user") for image in user_images]
    return cases


def _case(question: str, image, origin: str) -> dict:
    content = ([{"type": "image"}] if image is not None else []) + [{"type": "text", "text": question}]
    return {"origin": origin, "images": [] if image is None else [image],
            "messages": [{"role": "system", "content": [{"type": "text", "text": PATHO_R1_SYSTEM_PROMPT}]},
                         {"role": "user", "content": content}]}
