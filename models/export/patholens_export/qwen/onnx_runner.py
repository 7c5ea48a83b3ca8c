"""Drive the three exported Qwen2.5-VL ONNX graphs the way transformers.js v4 does (used by tests and the tiny tool).

vision_encoder(pixel_values, image_grid_thw) -> image_features, copied row by row over the `<|image_pad|>` rows of
embed_tokens(input_ids); decoder_model_merged with M-RoPE position_ids [3,B,S] from get_rope_index on step 1 and a
zero-length past built from the declared shapes (only `batch_size` filled), then `rope_deltas + past_len` stacked
three times with past_key_values.{i} <- present.{i}.
"""
from __future__ import annotations

import pathlib

import numpy as np
import onnxruntime as ort

ORT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(int64)": np.int64}


def rope_index(input_ids: np.ndarray, image_grid_thw: np.ndarray | None, attention_mask: np.ndarray,
               image_token_id: int, vision_start_token_id: int, merge: int) -> tuple[np.ndarray, np.ndarray]:
    """Qwen2-VL get_rope_index for images (a port of the algorithm transformers.js and transformers share)."""
    b, s = input_ids.shape
    pos = np.ones((3, b, s), dtype=np.int64)
    deltas = np.zeros((b, 1), dtype=np.int64)
    grids = [] if image_grid_thw is None else [tuple(int(v) for v in g) for g in image_grid_thw]
    gi = 0
    for i in range(b):
        keep = attention_mask[i] == 1
        ids = input_ids[i][keep]
        if not grids:
            p = np.cumsum(attention_mask[i]) - 1
            p[attention_mask[i] == 0] = 1
            pos[:, i, :] = p
            deltas[i, 0] = p.max() + 1 - s
            continue
        chunks = []
        st = 0
        n_images = int(sum(1 for j in np.nonzero(ids == vision_start_token_id)[0]
                           if j + 1 < len(ids) and ids[j + 1] == image_token_id))
        for _ in range(n_images):
            ed = int(np.nonzero((ids == image_token_id) & (np.arange(len(ids)) >= st))[0][0])
            t, h, w = grids[gi]
            gi += 1
            lt, lh, lw = t, h // merge, w // merge
            st_idx = int(chunks[-1].max()) + 1 if chunks else 0
            text_len = ed - st
            chunks.append(np.broadcast_to(np.arange(text_len), (3, text_len)) + st_idx)
            ti = np.repeat(np.arange(lt), lh * lw)
            hi = np.tile(np.repeat(np.arange(lh), lw), lt)
            wi = np.tile(np.arange(lw), lt * lh)
            chunks.append(np.stack([ti, hi, wi]) + text_len + st_idx)
            st = ed + lt * lh * lw
        if st < len(ids):
            st_idx = int(chunks[-1].max()) + 1 if chunks else 0
            text_len = len(ids) - st
            chunks.append(np.broadcast_to(np.arange(text_len), (3, text_len)) + st_idx)
        llm = np.concatenate(chunks, axis=1)
        pos[:, i, keep] = llm
        deltas[i, 0] = llm.max() + 1 - s
    return pos, deltas


class OnnxQwen:
    def __init__(self, onnx_dir: pathlib.Path, suffix: str, config: dict):
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        self.sessions = {
            name: ort.InferenceSession(str(pathlib.Path(onnx_dir) / f"{name}{suffix}.onnx"), opts,
                                       providers=["CPUExecutionProvider"])
            for name in ("vision_encoder", "embed_tokens", "decoder_model_merged")
        }
        self.config = config
        dec = self.sessions["decoder_model_merged"]
        self.past_inputs = {i.name: i for i in dec.get_inputs() if i.name.startswith("past_key_values.")}
        self.embed_dtype = ORT_TYPES[dec.get_inputs()[0].type]
        self.has_num_logits = any(i.name == "num_logits_to_keep" for i in dec.get_inputs())

    def vision(self, pixel_values: np.ndarray, image_grid_thw: np.ndarray) -> np.ndarray:
        sess = self.sessions["vision_encoder"]
        dtype = ORT_TYPES[sess.get_inputs()[0].type]
        return sess.run(None, {"pixel_values": pixel_values.astype(dtype),
                               "image_grid_thw": image_grid_thw.astype(np.int64)})[0]

    def embed(self, input_ids: np.ndarray) -> np.ndarray:
        return self.sessions["embed_tokens"].run(None, {"input_ids": input_ids.astype(np.int64)})[0]

    def empty_past(self, batch: int) -> dict[str, np.ndarray]:
        """Zero-length past from the declared shapes: only the dim named batch_size is filled, the rest -> 0."""
        past = {}
        for name, info in self.past_inputs.items():
            shape = [batch if d == "batch_size" else (d if isinstance(d, int) else 0) for d in info.shape]
            past[name] = np.zeros(shape, dtype=ORT_TYPES[info.type])
        return past

    def decoder(self, embeds, attention_mask, position_ids, past, num_logits_to_keep: int = 0):
        """num_logits_to_keep as transformers.js passes it: 0 = logits for every position, n = the last n."""
        sess = self.sessions["decoder_model_merged"]
        feeds = {"inputs_embeds": embeds, "attention_mask": attention_mask.astype(np.int64),
                 "position_ids": position_ids.astype(np.int64), **past}
        if self.has_num_logits:
            feeds["num_logits_to_keep"] = np.array(num_logits_to_keep, dtype=np.int64)
        outs = sess.run(None, feeds)
        names = [o.name for o in sess.get_outputs()]
        res = dict(zip(names, outs))
        present = {n.replace("present.", "past_key_values."): v for n, v in res.items() if n.startswith("present.")}
        return res["logits"], present

    def prompt_embeds(self, input_ids, pixel_values=None, image_grid_thw=None):
        embeds = self.embed(input_ids)
        features = None
        if pixel_values is not None:
            features = self.vision(pixel_values, image_grid_thw)
            mask = input_ids == self.config["image_token_id"]
            if int(mask.sum()) != features.shape[0]:
                raise ValueError(f"{int(mask.sum())} image tokens but {features.shape[0]} image feature rows")
            embeds = embeds.copy()
            embeds[mask] = features.astype(embeds.dtype)  # raw copy, as transformers.js does
        return embeds, features

    def generate(self, input_ids, attention_mask=None, pixel_values=None, image_grid_thw=None,
                 max_new_tokens=32, min_new_tokens=0, eos_token_ids=()):
        """Greedy decoding; EOS ids are suppressed for the first min_new_tokens steps (as HF's min_new_tokens)."""
        input_ids = np.asarray(input_ids, dtype=np.int64)
        b = input_ids.shape[0]
        mask = np.ones_like(input_ids) if attention_mask is None else np.asarray(attention_mask, dtype=np.int64)
        embeds, features = self.prompt_embeds(input_ids, pixel_values, image_grid_thw)
        pos, deltas = rope_index(input_ids, image_grid_thw, mask, self.config["image_token_id"],
                                 self.config["vision_start_token_id"], self.config["vision_config"]["spatial_merge_size"])
        logits, past = self.decoder(embeds, mask, pos, self.empty_past(b))
        first_logits = logits
        tokens = []
        for step in range(max_new_tokens):
            last = logits[:, -1, :].astype(np.float32)
            if step < min_new_tokens:
                for e in eos_token_ids:
                    last[:, e] = -np.inf
            nxt = last.argmax(-1)
            tokens.append(nxt)
            if step == max_new_tokens - 1:
                break
            past_len = next(iter(past.values())).shape[2]
            mask = np.concatenate([mask, np.ones((b, 1), dtype=np.int64)], axis=1)
            p = (deltas + past_len).reshape(1, b, 1)
            p = np.concatenate([p, p, p], axis=0)
            logits, past = self.decoder(self.embed(nxt.reshape(b, 1)), mask, p, past, num_logits_to_keep=1)
        return np.stack(tokens, axis=1), first_logits, features

    def teacher_forced_logits(self, input_ids, continuation, pixel_values=None, image_grid_thw=None) -> np.ndarray:
        """Logits [len(continuation), V] predicting each continuation token after prompt + the tokens before it,
        in one forward pass (the prompt's image tokens only take image features, not any generated ones)."""
        prompt = np.asarray(input_ids, dtype=np.int64)
        tail = np.asarray([list(continuation)[:-1]], dtype=np.int64)
        ids = np.concatenate([prompt, tail], axis=1)
        mask = np.ones_like(ids)
        embeds = np.concatenate([self.prompt_embeds(prompt, pixel_values, image_grid_thw)[0], self.embed(tail)], axis=1)
        pos, _ = rope_index(ids, image_grid_thw, mask, self.config["image_token_id"],
                            self.config["vision_start_token_id"], self.config["vision_config"]["spatial_merge_size"])
        logits, _ = self.decoder(embeds, mask, pos, self.empty_past(1))
        return logits[0, -len(continuation):].astype(np.float32)
