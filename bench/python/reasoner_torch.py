"""PyTorch reference for `npm run bench -- reasoner`: greedy generate() on the CPU for the same prompts.

Reads a JSON job on stdin ({"checkpoint", "cases": [{"messages", "image_png"|null, "new_tokens"}], "threads"}),
prints one JSON line: per case time to first token, decode tokens/s and peak RSS.
"""
import json
import resource
import sys
import time

import torch
from PIL import Image
from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration
from transformers.generation.streamers import BaseStreamer


class TokenTimer(BaseStreamer):
    def __init__(self):
        self.times = []
        self.prompt_seen = False

    def put(self, value):
        if not self.prompt_seen:  # generate() first passes the prompt ids
            self.prompt_seen = True
            return
        self.times.append(time.perf_counter())

    def end(self):
        pass


def main() -> None:
    job = json.load(sys.stdin)
    torch.set_num_threads(int(job.get("threads", 1)))
    processor = AutoProcessor.from_pretrained(job["checkpoint"])
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(job["checkpoint"], torch_dtype=torch.float32).eval()
    results = []
    for case in job["cases"]:
        text = processor.apply_chat_template(case["messages"], add_generation_prompt=True)
        images = [Image.open(case["image_png"]).convert("RGB")] if case.get("image_png") else None
        inputs = processor(text=[text], images=images, return_tensors="pt")
        n = int(case["new_tokens"])
        samples = []
        with torch.inference_mode():
            model.generate(**inputs, max_new_tokens=2, min_new_tokens=2, do_sample=False)  # warm-up
            for _ in range(int(job.get("repeats", 3))):
                timer = TokenTimer()
                start = time.perf_counter()
                model.generate(**inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False, streamer=timer)
                decode = timer.times[-1] - timer.times[0]
                samples.append(((timer.times[0] - start) * 1000, (len(timer.times) - 1) / decode if decode > 0 else None, len(timer.times)))
        ttfts = sorted(sample[0] for sample in samples)
        speeds = sorted(sample[1] for sample in samples if sample[1] is not None)
        results.append({
            "ttft_ms": ttfts[len(ttfts) // 2],
            "tokens_per_s": speeds[len(speeds) // 2] if speeds else None,
            "new_tokens": samples[0][2],
        })
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cases": results, "peak_rss_mib": peak_mib, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
