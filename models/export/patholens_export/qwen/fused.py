"""Decoder with ONNX Runtime's fused contrib ops (the kernels ORT Web has on WebGPU).

Each fused op is a torch custom op with a plain PyTorch reference body (what runs in eager mode and what the parity
tests compare with HF) and a translation that emits the com.microsoft op when exported with the dynamo exporter:

* SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization: RMSNorm, fused with the residual add.
* RotaryEmbedding: M-RoPE. Qwen2.5-VL's rotary angles depend on three position rows (t, h, w) split by
  ``mrope_section``, which RotaryEmbedding's single position index cannot express; so the per-token cos/sin are
  computed in-graph (fp32, from position_ids) and passed as the op's cache with position index = token index.
* GroupQueryAttention: causal GQA with the KV cache (BNSH past/present, fixed KV heads and head_dim), do_rotary=0.
  ORT's GQA takes per-row lengths (seqlens_k) rather than a mask and assumes padding on the right, so a
  left-padded batch is not supported by this graph; a single prompt (what the app runs) is exact.
"""
from __future__ import annotations

import onnx
import torch
from onnx.defs import OpSchema
from torch import nn

from . import modules

_FLOATS = ["tensor(float)", "tensor(float16)"]


def _param(name: str, type_str: str, optional: bool = False) -> OpSchema.FormalParameter:
    opt = OpSchema.FormalParameterOption.Optional if optional else OpSchema.FormalParameterOption.Single
    return OpSchema.FormalParameter(name, type_str, param_option=opt)


def _register_schemas() -> None:
    """onnxscript needs an OpSchema to emit a node; ORT's contrib ops are not in the onnx package's registry."""
    A = OpSchema.AttrType
    specs = [
        ("SimplifiedLayerNormalization", "", [("X", "T"), ("scale", "T")],
         [("Y", "T"), ("inv_std_var", "U", True)], [("axis", A.INT), ("epsilon", A.FLOAT), ("stash_type", A.INT)]),
        ("SkipSimplifiedLayerNormalization", "com.microsoft", [("input", "T"), ("skip", "T"), ("gamma", "T")],
         [("output", "T"), ("mean", "U", True), ("inv_std_var", "U", True), ("input_skip_bias_sum", "T", True)],
         [("epsilon", A.FLOAT)]),
        ("RotaryEmbedding", "com.microsoft", [("input", "T"), ("position_ids", "M"), ("cos_cache", "T"),
                                              ("sin_cache", "T")],
         [("output", "T")], [("interleaved", A.INT), ("num_heads", A.INT), ("rotary_embedding_dim", A.INT),
                             ("scale", A.FLOAT), ("is_packed_batching", A.INT)]),
        ("GroupQueryAttention", "com.microsoft",
         [("query", "T"), ("key", "T"), ("value", "T"), ("past_key", "T"), ("past_value", "T"),
          ("seqlens_k", "M32"), ("total_sequence_length", "M32")],
         [("output", "T"), ("present_key", "T"), ("present_value", "T")],
         [("num_heads", A.INT), ("kv_num_heads", A.INT), ("scale", A.FLOAT), ("do_rotary", A.INT),
          ("local_window_size", A.INT)]),
    ]
    for name, domain, ins, outs, attrs in specs:
        try:
            onnx.defs.get_schema(name, 1, domain)
            continue
        except onnx.defs.SchemaError:
            pass
        schema = OpSchema(
            name, domain, 1,
            inputs=[_param(*i) for i in ins],
            outputs=[_param(*o) for o in outs],
            type_constraints=[("T", _FLOATS, ""), ("U", ["tensor(float)"], ""), ("M", ["tensor(int64)"], ""),
                              ("M32", ["tensor(int32)"], "")],
            attributes=[OpSchema.Attribute(n, t, "", required=False) for n, t in attrs],
        )
        onnx.defs.register_schema(schema)


# ---- custom ops: eager reference bodies ------------------------------------------------------------------------

@torch.library.custom_op("patholens::rms_norm", mutates_args=())
def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    dtype = x.dtype
    h = x.to(torch.float32)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(dtype)


@rms_norm.register_fake
def _(x, weight, eps):
    return torch.empty_like(x)


@torch.library.custom_op("patholens::skip_rms_norm", mutates_args=())
def skip_rms_norm(x: torch.Tensor, skip: torch.Tensor, weight: torch.Tensor,
                  eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    total = skip + x
    return rms_norm(total, weight, eps), total.clone()


@skip_rms_norm.register_fake
def _(x, skip, weight, eps):
    return torch.empty_like(x), torch.empty_like(x)


@torch.library.custom_op("patholens::rotary", mutates_args=())
def rotary(x: torch.Tensor, cos_half: torch.Tensor, sin_half: torch.Tensor, num_heads: int) -> torch.Tensor:
    """x [B,S,H*hd] rotated with HF's rotate_half convention; cos/sin [B,S,hd/2] (the first half of HF's cos)."""
    b, s, _ = x.shape
    xh = x.view(b, s, num_heads, -1)
    cos = torch.cat([cos_half, cos_half], -1).unsqueeze(2)
    sin = torch.cat([sin_half, sin_half], -1).unsqueeze(2)
    return (xh * cos + modules.hf.rotate_half(xh) * sin).reshape(b, s, -1)


@rotary.register_fake
def _(x, cos_half, sin_half, num_heads):
    return torch.empty_like(x)


@torch.library.custom_op("patholens::gqa", mutates_args=())
def gqa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, past_k: torch.Tensor, past_v: torch.Tensor,
        attention_mask: torch.Tensor, num_heads: int, kv_heads: int,
        scale: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    b, s, _ = q.shape
    hd = q.shape[-1] // num_heads
    qh = q.view(b, s, num_heads, hd).transpose(1, 2)
    kh = torch.cat([past_k, k.view(b, s, kv_heads, hd).transpose(1, 2)], dim=2)
    vh = torch.cat([past_v, v.view(b, s, kv_heads, hd).transpose(1, 2)], dim=2)
    past_len = past_k.shape[2]
    bias = modules.causal_bias(attention_mask, s, past_len, q.device)
    kr = modules.hf.repeat_kv(kh, num_heads // kv_heads)
    vr = modules.hf.repeat_kv(vh, num_heads // kv_heads)
    probs = torch.softmax(torch.matmul(qh, kr.transpose(2, 3)).float() * scale + bias, dim=-1).to(vr.dtype)
    out = torch.matmul(probs, vr).transpose(1, 2).reshape(b, s, num_heads * hd)
    return out, kh, vh


@gqa.register_fake
def _(q, k, v, past_k, past_v, attention_mask, num_heads, kv_heads, scale):
    b, s, _ = q.shape
    total = past_k.shape[2] + s
    shape = (b, kv_heads, total, past_k.shape[3])
    return torch.empty_like(q), past_k.new_empty(shape), past_v.new_empty(shape)


# ---- ONNX translations -----------------------------------------------------------------------------------------

def translation_table() -> dict:
    # Import onnxscript (and with it onnx.reference, which indexes all schemas by bare name once, at import) before
    # registering ORT's RotaryEmbedding, whose name ONNX's own opset-23 RotaryEmbedding also uses.
    import onnx.reference  # noqa: F401
    from onnxscript import opset18 as op
    from onnxscript import values

    _register_schemas()

    msft = values.Opset("com.microsoft", 1)
    ort_onnx = values.Opset("", 18)

    def rms_norm_onnx(x, weight, eps: float):
        return ort_onnx.SimplifiedLayerNormalization(x, weight, axis=-1, epsilon=eps, stash_type=1)[0]

    def skip_rms_norm_onnx(x, skip, weight, eps: float):
        out = msft.SkipSimplifiedLayerNormalization(x, skip, weight, epsilon=eps)
        return out[0], out[3]

    def rotary_onnx(x, cos_half, sin_half, num_heads: int):
        # Per-token cos/sin as the cache, addressed by position index = flat token index.
        half = op.Shape(cos_half, start=2, end=3)
        cos = op.Reshape(cos_half, op.Concat(op.Constant(value_ints=[-1]), half, axis=0))
        sin = op.Reshape(sin_half, op.Concat(op.Constant(value_ints=[-1]), half, axis=0))
        bs = op.Shape(x, start=0, end=2)
        n = op.ReduceProd(bs, keepdims=0)
        pos = op.Reshape(op.Range(op.Constant(value_int=0), n, op.Constant(value_int=1)), bs)
        return msft.RotaryEmbedding(x, pos, cos, sin, interleaved=0, num_heads=num_heads, rotary_embedding_dim=0,
                                    scale=1.0, is_packed_batching=0)

    def gqa_onnx(q, k, v, past_k, past_v, attention_mask, num_heads: int, kv_heads: int, scale: float):
        seqlens = op.Cast(op.Sub(op.ReduceSum(attention_mask, op.Constant(value_ints=[1]), keepdims=0),
                                 op.Constant(value_int=1)), to=onnx.TensorProto.INT32)
        total = op.Cast(op.Squeeze(op.Shape(attention_mask, start=1, end=2), op.Constant(value_ints=[0])),
                        to=onnx.TensorProto.INT32)
        out = msft.GroupQueryAttention(q, k, v, past_k, past_v, seqlens, total, num_heads=num_heads,
                                       kv_num_heads=kv_heads, scale=scale, do_rotary=0, local_window_size=-1)
        return out[0], out[1], out[2]

    return {
        torch.ops.patholens.rms_norm.default: rms_norm_onnx,
        torch.ops.patholens.skip_rms_norm.default: skip_rms_norm_onnx,
        torch.ops.patholens.rotary.default: rotary_onnx,
        torch.ops.patholens.gqa.default: gqa_onnx,
    }


class FusedDecoder(nn.Module):
    """Same inputs/outputs and weights as modules.Decoder, written with the fused ops."""

    def __init__(self, model):
        super().__init__()
        tc = model.config.text_config
        self.lm = model.model.language_model
        self.lm_head = model.lm_head
        self.num_heads = int(tc.num_attention_heads)
        self.num_kv = int(tc.num_key_value_heads)
        self.head_dim = int(tc.hidden_size) // self.num_heads
        self.scale = float(self.head_dim ** -0.5)

    @staticmethod
    def _eps(norm) -> float:
        return float(norm.variance_epsilon)

    def forward(self, inputs_embeds, attention_mask, position_ids, past_key_values):
        x = inputs_embeds
        cos, sin = self.lm.rotary_emb(x, position_ids)  # [B,S,hd], fp32 math
        half = self.head_dim // 2
        cos_h, sin_h = cos[..., :half].to(x.dtype), sin[..., :half].to(x.dtype)
        layers = self.lm.layers
        presents = []
        residual = x
        y = rms_norm(x, layers[0].input_layernorm.weight, self._eps(layers[0].input_layernorm))
        for i, layer in enumerate(layers):
            attn = layer.self_attn
            q = rotary(attn.q_proj(y), cos_h, sin_h, self.num_heads)
            k = rotary(attn.k_proj(y), cos_h, sin_h, self.num_kv)
            v = attn.v_proj(y)
            pk, pv = past_key_values[i]
            o, pk, pv = gqa(q, k, v, pk, pv, attention_mask, self.num_heads, self.num_kv, self.scale)
            presents.append((pk, pv))
            post = layer.post_attention_layernorm
            y, residual = skip_rms_norm(attn.o_proj(o), residual, post.weight, self._eps(post))
            m = layer.mlp(y)
            nxt = layers[i + 1].input_layernorm if i + 1 < len(layers) else self.lm.norm
            y, residual = skip_rms_norm(m, residual, nxt.weight, self._eps(nxt))
        return self.lm_head(y), presents
