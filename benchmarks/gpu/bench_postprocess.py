#!/usr/bin/env python3
"""Post-processing alone on a GPU: camstream's fused kernel vs the same computation as a chain of separate torch ops.

Default shapes: ResNet-50 layer4 at batch 64, activations (64, 2048, 7, 7) -> heatmaps (64, 224, 224).
Two variants, each checked for agreement before it is timed:
  fused       weights given (N, C):  cam_fused                       vs  weighted sum -> relu -> interpolate -> min/max -> normalise
  gradcam     gradients given:       cam_channel_weights + cam_fused vs  g.mean((2,3)) + the chain above
The torch chain's weighted sum is timed both as broadcast-multiply-sum and as one batched GEMM (bmm); the faster
one is the baseline. GPU time per call from CUDA events over --iters back-to-back calls (host launch cost included
when it dominates). Prints one JSON object per configuration, with the device name.

On a GPU machine (torch + CuPy):   python3 benchmarks/gpu/bench_postprocess.py
Smoke test without a GPU:          python3 benchmarks/gpu/bench_postprocess.py --backend emu   (tiny shapes; times mean nothing)
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cuda-kernels"))
import check_kernels as ck  # noqa: E402  (backends and launch helpers shared with the kernel checks)


def torch_chain(a, w, out_hw, use_bmm):
    if use_bmm:
        n, c = w.shape
        cam = torch.bmm(w.to(a.dtype).unsqueeze(1), a.reshape(n, c, -1)).reshape(n, a.shape[2], a.shape[3])
    else:
        cam = (w.to(a.dtype)[:, :, None, None] * a).sum(dim=1)
    cam = torch.relu(cam)
    up = F.interpolate(cam[:, None], size=out_hw, mode="bilinear", align_corners=False)[:, 0]
    lo = up.amin(dim=(1, 2), keepdim=True)
    hi = up.amax(dim=(1, 2), keepdim=True)
    rng = hi - lo
    return torch.where(rng > 0, (up - lo) / torch.where(rng > 0, rng, torch.ones_like(rng)), torch.zeros_like(up))


def timer(backend, fn, iters, warmup):
    for _ in range(warmup):
        fn()
    if backend.device == "cuda":
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(iters):
            fn()
        end.record()
        torch.cuda.synchronize()
        return start.elapsed_time(end) / iters
    t0 = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - t0) * 1000 / iters


class FastLauncher:
    """CuPy launches without the harness's synchronisation, arguments packed once (what the Java wrappers do per call)."""

    def __init__(self, backend, name, grid, block, smem, args):
        self.backend = backend
        if isinstance(backend, ck.CupyBackend):
            import numpy as np
            self.fn = backend.module.get_function(name)
            packed = []
            for kind, v in args:
                packed.append({"ptr": backend._pointer, "i32": np.int32, "i64": np.int64, "f32": np.float32}[kind](v))
            self.call = lambda: self.fn(tuple(grid), (block, 1, 1), tuple(packed), shared_mem=smem)
        else:
            self.call = lambda: backend.launch(name, grid, block, smem, args)


def fused_args(a, W, heat, cams, out_h, out_w):
    n, c, h, w = a.shape
    aN, aC, aP = ck.pixel_strides(a)
    smem = h * w * 4 <= 40960
    return [("ptr", a), ("i64", aN), ("i64", aC), ("i64", aP), ("i32", c), ("i32", h), ("i32", w), ("ptr", W), ("ptr", None),
            ("i32", out_h), ("i32", out_w), ("i32", 1), ("i32", 1 if smem else 0), ("ptr", cams), ("ptr", heat)], (h * w * 4 if smem else 0)


def weights_args(a, g, W):
    n, c, h, w = a.shape
    aN, aC, aP = ck.pixel_strides(a)
    gN, gC, gP = ck.pixel_strides(g)
    return [("ptr", a), ("ptr", g), ("i32", n), ("i32", c), ("i32", h * w), ("i64", aN), ("i64", aC), ("i64", aP),
            ("i64", gN), ("i64", gC), ("i64", gP), ("i32", 1), ("ptr", None), ("ptr", W)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=("cupy", "emu"), default="cupy")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--channels", type=int, default=2048)
    ap.add_argument("--size", type=int, default=7, help="layer map height = width")
    ap.add_argument("--out", type=int, default=224)
    ap.add_argument("--dtypes", default="half,float")
    ap.add_argument("--layouts", default="nhwc,nchw", help="nhwc = channels_last activations (what a channels_last model produces)")
    ap.add_argument("--block", type=int, default=512, help="threads per block of the fused kernel (Java uses 512)")
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    if args.backend == "emu":
        be = ck.EmuBackend(os.path.join(os.path.dirname(ck.__file__), "emu", "libcamstream_emu.so"))
        args.batch, args.channels, args.size, args.out, args.iters, args.warmup = 2, 64, 7, 32, 2, 1
        args.dtypes = "float"  # CPU torch lacks half kernels for parts of the chain
    else:
        be = ck.CupyBackend()
        torch.backends.cudnn.benchmark = True
    dev = be.device
    torch.manual_seed(0)
    n, c, s, o = args.batch, args.channels, args.size, args.out
    for dname in args.dtypes.split(","):
        dtype = {"half": torch.float16, "float": torch.float32}[dname]
        for layout in args.layouts.split(","):
            a = torch.relu(torch.randn(n, c, s, s, device=dev)).to(dtype)
            g = (torch.randn(n, c, s, s, device=dev) * 1e-3).to(dtype)
            if layout == "nhwc":
                a = a.contiguous(memory_format=torch.channels_last)
                g = g.contiguous(memory_format=torch.channels_last)
            W = (torch.randn(n, c, device=dev) * 0.02 + 0.005).float()
            heat = torch.empty(n, o, o, dtype=dtype, device=dev)
            cams = torch.empty(n, s, s, dtype=torch.float32, device=dev)
            Wk = torch.empty(n, c, dtype=torch.float32, device=dev)
            fargs, smem = fused_args(a, W, heat, cams, o, o)
            fused = FastLauncher(be, "cam_fused_%s_%s" % (ck.suffix(dtype), ck.suffix(dtype)), (n, 1, 1), args.block, smem, fargs)
            wargs = weights_args(a, g, Wk)
            weights = FastLauncher(be, "cam_channel_weights_" + ck.suffix(dtype), ((c + 31) // 32, n, 1), 256, 0, wargs)
            fargs_g, _ = fused_args(a, Wk, heat, cams, o, o)
            fused_g = FastLauncher(be, "cam_fused_%s_%s" % (ck.suffix(dtype), ck.suffix(dtype)), (n, 1, 1), args.block, smem, fargs_g)

            def gradcam_kernels():
                weights.call()
                fused_g.call()

            for variant in ("fused", "gradcam"):
                if variant == "fused":
                    ours, ref_w = fused.call, (lambda: W)
                else:
                    ours, ref_w = gradcam_kernels, (lambda: g.float().mean(dim=(2, 3)) if dtype == torch.float32 else g.mean(dim=(2, 3)).float())
                ours()
                if dev == "cuda":
                    torch.cuda.synchronize()
                got = heat.float().clone()
                results = {}
                for use_bmm in (False, True):
                    ref = torch_chain(a, ref_w(), (o, o), use_bmm).float()
                    diff = (got - ref).abs().max().item()
                    results["bmm" if use_bmm else "mul_sum"] = (timer(be, lambda: torch_chain(a, ref_w(), (o, o), use_bmm), args.iters, args.warmup), diff)
                ours_ms = timer(be, ours, args.iters, args.warmup)
                best = min(results, key=lambda k: results[k][0])
                print(json.dumps({
                    "device": be.name, "backend": args.backend, "torch": torch.__version__,
                    "variant": variant, "batch": n, "channels": c, "layer_hw": [s, s], "out_hw": [o, o],
                    "dtype": dname, "layout": layout, "fused_block": args.block,
                    "camstream_ms": round(ours_ms, 4),
                    "torch_chain_ms": {k: round(v[0], 4) for k, v in results.items()},
                    "speedup_vs_best_chain": round(results[best][0] / ours_ms, 2),
                    "max_abs_diff_heat": max(v[1] for v in results.values()),
                    "note": "smoke test on the host emulator: times are meaningless" if args.backend == "emu" else "",
                }), flush=True)


if __name__ == "__main__":
    main()
