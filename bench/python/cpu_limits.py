"""This computer's physical limits for `npm run bench -- cpu-limits`: memory bandwidth (what a decode step is bound
by: it reads every weight once per token) and matrix-multiply throughput (what prefill and the vision tower are
bound by), measured natively with the given thread count. Prints one JSON object.

    .venv/bin/python bench/python/cpu_limits.py --threads 2
"""
import argparse
import json
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper


def best_seconds(run, repeats: int) -> float:
    run()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def matmul_integer_session(m: int, k: int, n: int, threads: int):
    """One MatMulInteger (uint8 activations x int8 weights, as the exporter's q8 graphs use) with constant weights."""
    weights = np.random.default_rng(0).integers(-127, 127, size=(k, n), dtype=np.int8)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w", "a_zero"], ["y"])],
        "matmul_integer",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])],
        [helper.make_tensor("w", TensorProto.INT8, [k, n], weights.tobytes(), raw=True), helper.make_tensor("a_zero", TensorProto.UINT8, [], [128])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    activations = np.random.default_rng(1).integers(0, 255, size=(m, k), dtype=np.uint8)
    return lambda: session.run(None, {"a": activations})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = {"threads": args.threads}

    gib = 1 << 30
    source = torch.ones(gib // 4, dtype=torch.float32)
    seconds = best_seconds(lambda: source.sum(), args.repeats)
    result["read_gb_per_s"] = gib / seconds / 1e9
    half = torch.empty(gib // 8, dtype=torch.float32)
    seconds = best_seconds(lambda: half.copy_(source[: gib // 8]), args.repeats)
    result["copy_gb_per_s"] = 2 * (gib // 2) / seconds / 1e9  # read + write
    del source, half

    size = 2048
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    seconds = best_seconds(lambda: torch.mm(a, b), args.repeats)
    result["fp32_gemm_gflop_per_s"] = 2 * size**3 / seconds / 1e9

    # The vision tower's MLP shape (768 patches, hidden 1280 -> 3420) and a decode step's (1 token, 896 -> 4864).
    m, k, n = 768, 1280, 3420
    seconds = best_seconds(matmul_integer_session(m, k, n, args.threads), args.repeats)
    result["int8_gemm_gop_per_s"] = 2 * m * k * n / seconds / 1e9
    k, n = 896, 4864
    run = matmul_integer_session(1, k, n * 8, args.threads)  # 8 such matrices side by side: 35 MB, past the caches
    seconds = best_seconds(run, args.repeats * 4)
    result["int8_gemv_weight_gb_per_s"] = k * n * 8 / seconds / 1e9
    result["onnxruntime"] = ort.__version__
    result["onnx"] = onnx.__version__
    result["torch"] = torch.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    main()
