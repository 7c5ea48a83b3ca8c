"""Export-friendly wrappers around transformers' Qwen2.5-VL modules.

The wrappers reuse the Hugging Face submodules (and so their weights) and only replace the parts that do not
trace into a shape-generic graph:

* Vision tower: HF computes the window permutation, the rotary positions and ``cu_seqlens`` from
  ``image_grid_thw`` with Python loops and ``.tolist()``, which a trace bakes into one image size. Here every
  per-patch quantity (image index, frame, row, column, window) is computed from ``image_grid_thw`` with tensor
  ops, and attention over variable-length segments is a block-diagonal additive mask. All vision-block ops except
  attention act per token, and masked attention is permutation-equivariant, so the tokens never need to be
  permuted into window order and back: the output equals HF's ``merged_hidden_states[reverse_indices]`` (up to
  float summation order), for any number of images of any size.
* Decoder: one graph for the prompt step (zero-length past) and every later step, with the KV cache as plain
  ``past_key_values.{i}.key/value`` inputs and ``present.{i}.key/value`` outputs, causal + padding mask built
  in-graph from the int64 ``attention_mask``.
"""
from __future__ import annotations

import torch
from torch import nn
from transformers.models.qwen2_5_vl import modeling_qwen2_5_vl as hf

# Large negative additive bias; finite so that a fully masked (left-padding) row gives a uniform softmax, not NaN.
_NEG = -3.0e4  # fits fp16 too (fp16 min is -65504)


class VisionEncoder(nn.Module):
    """pixel_values [N, C*T*P*P] float, image_grid_thw [n, 3] int64 -> image_features [N / merge^2, out_hidden]."""

    def __init__(self, visual: hf.Qwen2_5_VisionTransformerPretrainedModel):
        super().__init__()
        cfg = visual.config
        self.visual = visual
        self.merge = int(cfg.spatial_merge_size)
        # A window covers window_size pixels = this many merged (2x2) units per side.
        self.window_units = int(cfg.window_size) // self.merge // int(cfg.patch_size)
        self.fullatt = {int(i) for i in cfg.fullatt_block_indexes}
        # Most tokens one attention window holds: (window_units * merge)^2 patches.
        self.chunk = (self.window_units * self.merge) ** 2
        self.num_heads = int(cfg.num_heads)
        self.head_dim = int(cfg.hidden_size) // self.num_heads
        # Conv3d with kernel == stride over exactly one patch is a matmul; MatMul exports (and quantizes) better
        # than a 3-D Conv, which ORT Web's WebGPU backend does not cover.
        w = visual.patch_embed.proj.weight
        self.register_buffer("patch_weight_t", w.detach().reshape(w.shape[0], -1).t().contiguous(), persistent=False)

    def segment_keys(self, n_tok: int | torch.Tensor, grid: torch.Tensor, device) -> tuple[torch.Tensor, ...]:
        """Per patch: (row, column, full-attention segment key, window segment key), all int64 [N]."""
        m = self.merge
        t, h, w = grid[:, 0], grid[:, 1], grid[:, 2]
        frame_len = h * w
        img_len = t * frame_len
        img_end = torch.cumsum(img_len, 0)
        img_start = img_end - img_len
        p = torch.arange(n_tok, dtype=torch.int64, device=device)
        img = (p.unsqueeze(1) >= img_end.unsqueeze(0)).to(torch.int64).sum(1)
        # Guard against a grid that does not cover all patches (bad input): never index out of range.
        img = torch.clamp(img, max=grid.shape[0] - 1)
        local = p - img_start[img]
        fl = frame_len[img]
        frame = local // fl
        q = local % fl
        # The image processor lays patches out block-major over merge x merge blocks.
        unit = q // (m * m)
        r = q % (m * m)
        units_w = w[img] // m
        bh = unit // units_w
        bw = unit % units_w
        row = bh * m + r // m
        col = bw * m + r % m
        # Segment keys: full attention is per (image, frame); window attention per (image, frame, window). The
        # window key is a dense window number (< N), so `key * N + index` is a unique sort key for window order.
        full_key = img * (1 << 24) + frame
        ws = self.window_units
        units_h = h // m
        nwin_w = (w // m + ws - 1) // ws
        nwin_frame = ((units_h + ws - 1) // ws) * nwin_w
        nwin_img = t * nwin_frame
        win_start = torch.cumsum(nwin_img, 0) - nwin_img
        win_key = win_start[img] + frame * nwin_frame[img] + (bh // ws) * nwin_w[img] + bw // ws
        return row, col, full_key, win_key

    @staticmethod
    def block_bias(key: torch.Tensor, dtype) -> torch.Tensor:
        same = key.unsqueeze(1) == key.unsqueeze(0)
        zero = torch.zeros((), dtype=dtype, device=key.device)
        neg = torch.full((), _NEG, dtype=dtype, device=key.device)
        return torch.where(same, zero, neg)

    def window_attention(self, q, k, v, win_key, scaling):
        """Attention within windows, tokens already in window order (each window contiguous, at most `chunk`
        tokens). A window then lies within two consecutive chunks of `chunk` tokens, so each query chunk only needs
        the keys of its own and its two neighbouring chunks: memory O(N * 3 * chunk) instead of O(N^2)."""
        n, heads, hd = q.shape
        c = self.chunk
        pad = (c - n % c) % c
        ids = torch.nn.functional.pad(win_key, (0, pad), value=-1)  # padding rows: their own window, discarded
        q, k, v = (torch.nn.functional.pad(t, (0, 0, 0, 0, 0, pad)) for t in (q, k, v))
        nc = (n + pad) // c
        qc = q.reshape(nc, c, heads, hd).transpose(1, 2)  # [C, H, c, hd]

        def neighbours(t, fill):
            # [C, 3c, ...]: chunk i-1, i, i+1 for every chunk i (zero chunks beyond both ends)
            t = t.reshape((nc, c) + tuple(t.shape[1:]))
            edge = [0, 0] * (t.dim() - 1) + [1, 1]
            tp = torch.nn.functional.pad(t, edge, value=fill)
            return torch.cat([tp[:-2], tp[1:-1], tp[2:]], dim=1)

        kn = neighbours(k, 0.0).transpose(1, 2)  # [C, H, 3c, hd]
        vn = neighbours(v, 0.0).transpose(1, 2)
        idn = neighbours(ids, -2)  # [C, 3c]
        same = ids.reshape(nc, c).unsqueeze(2) == idn.unsqueeze(1)  # [C, c, 3c]
        bias = torch.where(same, torch.zeros((), dtype=torch.float32, device=q.device),
                           torch.full((), _NEG, dtype=torch.float32, device=q.device)).unsqueeze(1)
        scores = torch.matmul(qc, kn.transpose(2, 3)) * scaling
        probs = torch.softmax(scores.float() + bias, dim=-1).to(vn.dtype)
        o = torch.matmul(probs, vn).transpose(1, 2).reshape(nc * c, heads * hd)  # [C*c, H*hd]
        return o[:n]

    def forward(self, pixel_values: torch.Tensor, image_grid_thw: torch.Tensor) -> torch.Tensor:
        dtype = self.patch_weight_t.dtype
        x = torch.matmul(pixel_values.to(dtype), self.patch_weight_t)  # [N, D]
        n_tok = pixel_values.shape[0]
        row, col, full_key, win_key = self.segment_keys(n_tok, image_grid_thw.to(torch.int64), x.device)
        cos, sin = self.visual.rotary_pos_emb(x, torch.stack([row, col], dim=-1))
        # Window order (as HF's window_index): sorting by (window, index) keeps each window contiguous and the
        # 2x2 merge units whole and in order; all ops but attention act per token, so this order is undone once,
        # before the merger.
        order = torch.argsort(win_key * n_tok + torch.arange(n_tok, dtype=torch.int64, device=x.device))
        x, cos, sin = x[order], cos[order], sin[order]
        full_key, win_key = full_key[order], win_key[order]
        bias_full = self.block_bias(full_key, torch.float32)
        heads, hd = self.num_heads, self.head_dim
        # A leading batch axis of 1 keeps every Linear a MatMul (2-D inputs export as Gemm, which the 4-bit
        # MatMulNBits quantizer does not take).
        x = x.unsqueeze(0)
        for i, blk in enumerate(self.visual.blocks):
            y = blk.norm1(x)
            qkv = blk.attn.qkv(y).reshape(n_tok, 3, heads, hd)
            q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # [N, H, hd]
            q, k = hf.apply_rotary_pos_emb_vision(q, k, cos, sin)
            if i in self.fullatt:
                q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # [H, N, hd]
                scores = torch.matmul(q, k.transpose(1, 2)) * blk.attn.scaling
                probs = torch.softmax(scores.float() + bias_full, dim=-1).to(v.dtype)
                o = torch.matmul(probs, v).transpose(0, 1).reshape(n_tok, heads * hd)
            else:
                o = self.window_attention(q, k, v, win_key, blk.attn.scaling)
            x = x + blk.attn.proj(o.unsqueeze(0))
            x = x + blk.mlp(blk.norm2(x))
        inverse = torch.argsort(order)
        x = x[:, inverse]
        merger = self.visual.merger
        y = merger.ln_q(x).reshape(1, -1, merger.hidden_size)  # 2x2 neighbours are consecutive rows
        return merger.mlp(y).squeeze(0)


def causal_bias(attention_mask: torch.Tensor, s, past_len, device) -> torch.Tensor:
    """Additive fp32 bias [B, 1, S, past+S]: query i (absolute past+i) sees key j <= past+i where the mask is 1."""
    total = past_len + s
    q_pos = torch.arange(s, device=device) + past_len
    k_pos = torch.arange(total, device=device)
    allowed = (k_pos.unsqueeze(0) <= q_pos.unsqueeze(1)).unsqueeze(0).unsqueeze(0)
    allowed = allowed & (attention_mask[:, :total] != 0).unsqueeze(1).unsqueeze(2)
    return torch.where(
        allowed,
        torch.zeros((), dtype=torch.float32, device=device),
        torch.full((), _NEG, dtype=torch.float32, device=device),
    )


class EmbedTokens(nn.Module):
    """input_ids [B, S] int64 -> inputs_embeds [B, S, hidden]."""

    def __init__(self, embed: nn.Embedding):
        super().__init__()
        self.embed = embed

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embed(input_ids)


class Decoder(nn.Module):
    """inputs_embeds, attention_mask, position_ids [3,B,S], past -> logits, present (merged, zero-length past ok)."""

    def __init__(self, model: hf.Qwen2_5_VLForConditionalGeneration):
        super().__init__()
        tc = model.config.text_config
        self.lm = model.model.language_model
        self.lm_head = model.lm_head
        self.num_heads = int(tc.num_attention_heads)
        self.num_kv = int(tc.num_key_value_heads)
        self.head_dim = int(tc.hidden_size) // self.num_heads
        self.num_layers = int(tc.num_hidden_layers)

    def forward(self, inputs_embeds, attention_mask, position_ids, past_key_values):
        x = inputs_embeds
        b, s = x.shape[0], x.shape[1]
        past_len = past_key_values[0][0].shape[2]
        bias = causal_bias(attention_mask, s, past_len, x.device)  # [B, 1, S, T]
        cos, sin = self.lm.rotary_emb(x, position_ids)
        nh, nkv, hd = self.num_heads, self.num_kv, self.head_dim
        presents = []
        for i, layer in enumerate(self.lm.layers):
            attn = layer.self_attn
            res = x
            y = layer.input_layernorm(x)
            q = attn.q_proj(y).view(b, s, nh, hd).transpose(1, 2)
            k = attn.k_proj(y).view(b, s, nkv, hd).transpose(1, 2)
            v = attn.v_proj(y).view(b, s, nkv, hd).transpose(1, 2)
            q, k = hf.apply_rotary_pos_emb(q, k, cos, sin)
            pk, pv = past_key_values[i]
            k = torch.cat([pk.to(k.dtype), k], dim=2)
            v = torch.cat([pv.to(v.dtype), v], dim=2)
            presents.append((k, v))
            kr = hf.repeat_kv(k, nh // nkv)
            vr = hf.repeat_kv(v, nh // nkv)
            scores = torch.matmul(q, kr.transpose(2, 3)) * attn.scaling
            probs = torch.softmax(scores.float() + bias, dim=-1).to(vr.dtype)
            o = torch.matmul(probs, vr).transpose(1, 2).reshape(b, s, nh * hd)
            x = res + attn.o_proj(o)
            x = x + layer.mlp(layer.post_attention_layernorm(x))
        x = self.lm.norm(x)
        logits = self.lm_head(x)
        return logits, presents
