"""When a dtype is "below quality": stated once, used by the report and documented in the README.

Patho-R1: the minimum over the prompts of the first-step logit cosine (the distribution the first answer token is
drawn from) and the teacher-forced top-1 agreement (how often the dtype picks PyTorch's next token when both read
the same text, so one early flip does not count 64 times). fp16 and 8-bit weights stay near 1.0 on both; a dtype
under either threshold changes the answer often enough that a pathologist would notice.
PathoCLIP: embedding cosine (images and label prompts) and how often the best-matching label changes.
Greedy-token agreement is reported but not judged: after one flip on a near tie the rest of a random-weight
model's continuation differs even when the dtype is good.
"""
from __future__ import annotations

from typing import Any

PATHO_R1_THRESHOLDS = {"first_step_logit_cosine_min": 0.98, "teacher_forced_top1_agreement_min": 0.90}
PATHOCLIP_THRESHOLDS = {"embedding_cosine_min": 0.98, "best_label_change_rate_max": 0.10}


def judge_patho_r1(metrics: dict[str, Any]) -> list[str]:
    """Reasons (sentences) why a Patho-R1 dtype is below quality; empty when it is not."""
    t = PATHO_R1_THRESHOLDS
    reasons = []
    cosine = metrics["first_step_logit_cosine"]["min"]
    if cosine < t["first_step_logit_cosine_min"]:
        reasons.append(f"first-step logit cosine {cosine:.4f} < {t['first_step_logit_cosine_min']}")
    top1 = metrics["teacher_forced_top1_agreement"]
    if top1 < t["teacher_forced_top1_agreement_min"]:
        reasons.append(f"teacher-forced top-1 agreement {top1:.3f} < {t['teacher_forced_top1_agreement_min']}")
    return reasons


def judge_pathoclip(metrics: dict[str, Any]) -> list[str]:
    """Reasons why a PathoCLIP dtype is below quality; empty when it is not."""
    t = PATHOCLIP_THRESHOLDS
    reasons = []
    for key, what in (("image_embedding_cosine", "image"), ("text_embedding_cosine", "text")):
        value = metrics[key]["min"]
        if value < t["embedding_cosine_min"]:
            reasons.append(f"{what} embedding cosine {value:.4f} < {t['embedding_cosine_min']}")
    rate = metrics["best_label_change_rate"]
    if rate > t["best_label_change_rate_max"]:
        reasons.append(f"best label changed on {rate:.0%} of images > {t['best_label_change_rate_max']:.0%}")
    return reasons
