#!/usr/bin/env python3
"""Checks every kernel of camstream_kernels.cu against torch reference implementations; exits 1 on any mismatch.

On a GPU machine (CUDA, CuPy, PyTorch; no JVM needed):
    python3 cuda-kernels/check_kernels.py                  # --backend cupy: NVRTC through cupy.RawModule
Without a GPU, the same cases run on the host emulator (cuda-kernels/emu, a CPU stand-in for the CUDA execution
model: it checks indexing, barriers, reductions and arithmetic, NOT the GPU):
    python3 cuda-kernels/check_kernels.py --backend emu    # builds emu/libcamstream_emu.so with g++ if needed

References are float64 torch computations of the semantics in README.md (torch's interpolate bilinear with
align_corners=False is the resampling reference). Tolerances: 1e-4 where everything is float32, 1e-2 where a half
value is involved (relative to max(1, |reference|max) for unnormalised maps).
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "camstream_kernels.cu")


# --------------------------------------------------------------------------------------------------------------------
# Backends: launch(name, grid, block, smem, args) with args a list of (kind, value), kind in ptr/i32/i64;
# a ptr value is a torch tensor on backend.device, or None for a null pointer.
# --------------------------------------------------------------------------------------------------------------------
class CupyBackend:
    device = "cuda"

    def __init__(self):
        import cupy  # noqa: F401  (imported here so --backend emu needs no CuPy)
        self.cupy = cupy
        with open(SOURCE) as f:
            self.module = cupy.RawModule(code=f.read(), options=("--std=c++17",))
        self.name = torch.cuda.get_device_name(0)
        self.raw_pointers = self._probe_raw_pointers()

    def _probe_raw_pointers(self):
        """Kernel pointer parameters given as np.uint64 addresses (like the Java wrappers); else via DLPack."""
        probe = self.cupy.RawModule(code='extern "C" __global__ void cs_probe(const float* p, float* out) '
                                         '{ out[0] = p ? p[0] + 1.f : -1.f; }').get_function("cs_probe")
        x = torch.tensor([41.0], device="cuda")
        y = torch.zeros(1, device="cuda")
        try:
            probe((1,), (1,), (np.uint64(x.data_ptr()), np.uint64(y.data_ptr())))
            torch.cuda.synchronize()
            ok = y.item() == 42.0
            probe((1,), (1,), (np.uint64(0), np.uint64(y.data_ptr())))
            torch.cuda.synchronize()
            ok = ok and y.item() == -1.0
        except Exception as e:  # noqa: BLE001
            print("raw pointer arguments rejected by CuPy (%s); passing tensors through DLPack" % e)
            ok = False
        if not ok:
            print("warning: np.uint64 pointer arguments did not work; null pointers cannot be passed, cases needing them fail")
        return ok

    def _pointer(self, t):
        if self.raw_pointers:
            return np.uint64(0 if t is None else t.data_ptr())
        if t is None:
            raise RuntimeError("null pointer argument needs raw pointers, which this CuPy refused")
        return self.cupy.from_dlpack(t.detach())

    def launch(self, name, grid, block, smem, args):
        packed = []
        for kind, v in args:
            if kind == "ptr":
                packed.append(self._pointer(v))
            elif kind == "i32":
                packed.append(np.int32(v))
            elif kind == "i64":
                packed.append(np.int64(v))
            else:
                raise ValueError(kind)
        torch.cuda.synchronize()
        self.module.get_function(name)(tuple(grid), (block, 1, 1), tuple(packed), shared_mem=smem)
        self.cupy.cuda.Device().synchronize()


class EmuBackend:
    device = "cpu"

    def __init__(self, lib_path):
        if not os.path.exists(lib_path) or os.path.getmtime(lib_path) < max(
                os.path.getmtime(SOURCE), os.path.getmtime(os.path.join(HERE, "emu", "cuda_emu.h")),
                os.path.getmtime(os.path.join(HERE, "emu", "emu_kernels.cpp"))):
            subprocess.check_call(["g++", "-std=c++20", "-O2", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-fPIC",
                                   "-shared", "-pthread", os.path.join(HERE, "emu", "emu_kernels.cpp"), "-o", lib_path])
        self.lib = ctypes.CDLL(lib_path)
        self.lib.cs_emu_launch_kernel.restype = ctypes.c_int
        self.lib.cs_emu_launch_kernel.argtypes = [ctypes.c_char_p] + [ctypes.c_uint] * 6 + [ctypes.c_ulong,
                                                                                            ctypes.POINTER(ctypes.c_void_p)]
        self.lib.cs_emu_last_error.restype = ctypes.c_char_p
        self.name = "host emulator (no GPU)"

    def launch(self, name, grid, block, smem, args):
        holders = []
        for kind, v in args:
            if kind == "ptr":
                holders.append(ctypes.c_void_p(None if v is None else v.data_ptr()))
            elif kind == "i32":
                holders.append(ctypes.c_int32(v))
            elif kind == "i64":
                holders.append(ctypes.c_int64(v))
            else:
                raise ValueError(kind)
        arr = (ctypes.c_void_p * len(holders))(*[ctypes.cast(ctypes.pointer(h), ctypes.c_void_p) for h in holders])
        g = list(grid) + [1] * (3 - len(grid))
        rc = self.lib.cs_emu_launch_kernel(name.encode(), g[0], g[1], g[2], block, 1, 1, smem, arr)
        if rc != 0:
            raise RuntimeError("emulator: " + self.lib.cs_emu_last_error().decode())


# --------------------------------------------------------------------------------------------------------------------
# Launch helpers: the same geometry as the Java wrappers (io.camstream.postprocess.cuda.CamKernels).
# --------------------------------------------------------------------------------------------------------------------
def suffix(dtype):
    return {torch.float32: "f32", torch.float16: "f16"}[dtype]


def pixel_strides(t):
    """(sN, sC, sP) of an (N, C, h, w) tensor whose pixels are addressable as one flat index."""
    n, c, h, w = t.shape
    s = t.stride()
    assert s[2] == w * s[3] or h == 1, "pixels not flat-addressable"
    return s[0], s[1], s[3]


def launch_weights(be, a, g, kind, out_row, W, block):
    n, c, h, w = a.shape
    aN, aC, aP = pixel_strides(a)
    gN, gC, gP = pixel_strides(g) if g is not None else (0, 0, 0)
    be.launch("cam_channel_weights_" + suffix(a.dtype), ((c + 31) // 32, n, 1), block, 0, [
        ("ptr", a), ("ptr", g), ("i32", n), ("i32", c), ("i32", h * w),
        ("i64", aN), ("i64", aC), ("i64", aP), ("i64", gN), ("i64", gC), ("i64", gP),
        ("i32", kind), ("ptr", out_row), ("ptr", W)])


def launch_fused(be, a, W, map_input, out_h, out_w, relu, cam_in_smem, cams, heat, block):
    n, c, h, w = a.shape
    m = W.shape[0]
    aN, aC, aP = pixel_strides(a)
    be.launch("cam_fused_%s_%s" % (suffix(a.dtype), suffix(heat.dtype)), (m, 1, 1), block, h * w * 4 if cam_in_smem else 0, [
        ("ptr", a), ("i64", aN), ("i64", aC), ("i64", aP), ("i32", c), ("i32", h), ("i32", w),
        ("ptr", W), ("ptr", map_input), ("i32", out_h), ("i32", out_w), ("i32", 1 if relu else 0),
        ("i32", 1 if cam_in_smem else 0), ("ptr", cams), ("ptr", heat)])


# --------------------------------------------------------------------------------------------------------------------
# References (float64), the semantics of the Java CPU path.
# --------------------------------------------------------------------------------------------------------------------
def ref_weights(a, g, kind):
    a = a.double()
    n, c = a.shape[:2]
    if kind == 0:
        return torch.full((n, c), float(np.float32(1.0) / np.float32(c)), dtype=torch.float64)
    g = g.double()
    if kind == 1:
        return g.mean(dim=(2, 3))
    s = a.sum(dim=(2, 3))[:, :, None, None]
    g2 = g * g
    aij = g2 / (2 * g2 + s * g2 * g + 1e-6)
    aij = torch.where(g != 0, aij, torch.zeros_like(aij))
    return (torch.clamp(g, min=0) * aij).sum(dim=(2, 3))


def ref_fused(a, W, map_input, out_h, out_w, relu):
    a = a.double()
    if map_input is not None:
        a = a[map_input.long().cpu()]
    wb = W.double()[:, :, None, None]
    prod = wb * a
    prod = torch.where(wb != 0, prod, torch.zeros_like(prod))  # zero-weight channels are skipped (NaN * 0 stays out)
    cam = prod.sum(dim=1)
    if relu:
        cam = torch.nan_to_num(torch.clamp(cam, min=0), nan=0.0)
    up = F.interpolate(cam[:, None], size=(out_h, out_w), mode="bilinear", align_corners=False)[:, 0]
    lo = up.amin(dim=(1, 2), keepdim=True)
    hi = up.amax(dim=(1, 2), keepdim=True)
    rng = hi - lo
    heat = torch.where(rng > 0, (up - lo) / torch.where(rng > 0, rng, torch.ones_like(rng)), torch.zeros_like(up))
    return cam, heat


# --------------------------------------------------------------------------------------------------------------------
class Report:
    def __init__(self):
        self.rows = []
        self.failed = 0

    def check(self, what, got, ref, tol, scale=1.0):
        got = got.double().cpu()
        ref = ref.double().cpu()
        err = (got - ref).abs().max().item() if got.numel() else 0.0
        bound = tol * scale
        ok = bool(err <= bound) and not (torch.isnan(got).any().item() and not torch.isnan(ref).any().item())
        self.rows.append({"case": what, "max_abs_err": err, "bound": bound, "ok": ok})
        if not ok:
            self.failed += 1
        print(("ok   " if ok else "FAIL ") + "%-80s max|err| %.3g (bound %.3g)" % (what, err, bound), flush=True)


def scale_of(ref):
    """Tolerances of unnormalised values are relative to the case's largest magnitude."""
    m = ref.double().abs().max().item() if ref.numel() else 0.0
    return m if m > 0 else 1.0


def nhwc(t):
    return t.contiguous(memory_format=torch.channels_last)


def run(be, quick, seed):
    dev = be.device
    rep = Report()
    gen = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float64)

    # ---- channel weights ----
    shapes = [(3, 70, 7, 7), (2, 33, 1, 1), (2, 40, 14, 9)] if quick else [(3, 70, 7, 7), (2, 33, 1, 1), (4, 2048, 7, 7), (2, 256, 28, 28)]
    blocks = [64, 96] if quick else [256, 96, 1024]
    for (n, c, h, w) in shapes:
        a64 = torch.relu(randn(n, c, h, w)) + 0.01
        g64 = randn(n, c, h, w) * 1e-2
        g64[:, :, 0, 0] = 0.0  # exact zeros take the alpha = 0 branch
        for dtype in (torch.float32, torch.float16):
            for layout in ("nchw", "nhwc"):
                a = a64.to(dtype)
                g = g64.to(dtype)
                if layout == "nhwc":
                    a, g = nhwc(a), nhwc(g)
                tol = 1e-4 if dtype == torch.float32 else 1e-2
                for kind in (0, 1, 2):
                    for block in blocks:
                        W = torch.full((n, c), -7.0, dtype=torch.float32, device=dev)
                        launch_weights(be, a.to(dev), g.to(dev), kind, None, W, block)
                        ref = ref_weights(a, g, kind)
                        rep.check("weights kind=%d %s %s %s block=%d" % (kind, (n, c, h, w), layout, suffix(dtype), block),
                                  W, ref, tol, scale_of(ref))
                # out_row: scatter rows, -1 skips an input
                if n >= 2:
                    out_row = torch.tensor([2 * i + 1 if i != 1 else -1 for i in range(n)], dtype=torch.int32)
                    W = torch.full((2 * n, c), -7.0, dtype=torch.float32, device=dev)
                    launch_weights(be, a.to(dev), g.to(dev), 1, out_row.to(dev), W, blocks[0])
                    ref = torch.full((2 * n, c), -7.0, dtype=torch.float64)
                    r = ref_weights(a, g, 1)
                    for i in range(n):
                        if out_row[i] >= 0:
                            ref[out_row[i]] = r[i]
                    rep.check("weights out_row %s %s %s" % ((n, c, h, w), layout, suffix(dtype)), W, ref, tol, scale_of(ref))

    # ---- fused post-processing ----
    cases = [  # (n, c, h, w, out_h, out_w, block)
        (2, 40, 7, 7, 30, 20, 128),    # P < block: 2 interleaved channel groups, upsampling
        (1, 37, 4, 5, 11, 6, 256),     # P << block: 12 channel groups
        (2, 24, 7, 9, 13, 33, 96),     # non-square, block not a power of two
        (1, 16, 20, 20, 9, 7, 128),    # P > block (groups == 1), downsampling
        (2, 8, 1, 1, 4, 4, 32),        # 1x1 map, all weights negative: ReLU makes it exactly 0 -> all zeros
    ] if quick else [
        (64, 2048, 7, 7, 224, 224, 512),
        (3, 37, 4, 5, 11, 6, 256),
        (8, 1024, 14, 14, 224, 224, 256),
        (4, 512, 28, 28, 224, 224, 1024),
        (2, 24, 7, 9, 13, 33, 96),
        (1, 16, 120, 120, 240, 240, 256),  # 14400 pixels: cam in global memory
        (2, 8, 1, 1, 4, 4, 32),
    ]
    for (n, c, h, w, oh, ow, block) in cases:
        a64 = torch.relu(randn(n, c, h, w))
        k = 2  # targets per input
        m = n * k
        W64 = randn(m, c) * 0.1 + 0.02
        W64[0, : c // 2] = 0.0  # zero weights are skipped
        if m > 1:
            W64[1] = -torch.abs(W64[1])  # all-negative map: ReLU makes it flat -> zeros
        if h * w == 1:
            W64 = -torch.abs(W64)
        # A constant non-zero map is NOT normalised to zeros, by the CPU path or by the kernel: w0*v + w1*v differs
        # from v by an ulp for some weights, and min-max normalisation blows that up. Only exact zeros are flat.
        check_heat = lambda relu_on: h * w > 1 or relu_on
        map_input = torch.arange(m, dtype=torch.int32) // k
        for (din, dout) in ((torch.float32, torch.float32), (torch.float16, torch.float32),
                            (torch.float32, torch.float16), (torch.float16, torch.float16)):
            for layout in ("nchw", "nhwc"):
                for relu in (True, False):
                    for smem in ((True, False) if h * w * 4 <= 40960 else (False,)):
                        a = a64.to(din)
                        if layout == "nhwc":
                            a = nhwc(a)
                        Wt = W64.float()
                        cams = torch.full((m, h, w), float("nan"), dtype=torch.float32, device=dev)
                        heat = torch.full((m, oh, ow), float("nan"), dtype=dout, device=dev)
                        launch_fused(be, a.to(dev), Wt.to(dev), map_input.to(dev), oh, ow, relu, smem, cams, heat, block)
                        rc, rh = ref_fused(a, Wt, map_input, oh, ow, relu)
                        tol = 1e-4 if (din, dout) == (torch.float32, torch.float32) else 1e-2
                        what = "fused %s->%s %s %s %s relu=%d smem=%d" % ((n, c, h, w), (oh, ow), layout, suffix(din), suffix(dout), relu, smem)
                        rep.check(what + " cams", cams, rc, tol, scale_of(rc))
                        if check_heat(relu):
                            rep.check(what + " heat", heat, rh, tol)
                        if quick:
                            break  # one smem setting per combination keeps the emulator fast
                if quick and layout == "nchw" and din != dout:
                    break

    # ---- NaN in the activations: ReLU maps NaN to 0 (CPU path: Relu.apply) ----
    a = torch.relu(randn(1, 8, 5, 6)).float()
    a[0, 3, 2, 4] = float("nan")
    Wt = (randn(1, 8) * 0.1 + 0.05).float()
    Wt[0, 3] = 0.5
    a[0, 5, 1, 1] = float("nan")  # in a channel with zero weight: skipped, no effect
    Wt[0, 5] = 0.0
    rc, rh = ref_fused(a, Wt, None, 12, 12, True)
    for layout, block in (("nchw", 64), ("nchw", 32), ("nhwc", 64)):  # 2 channel groups / 1 group / warp per pixel
        cams = torch.full((1, 5, 6), 7.0, dtype=torch.float32, device=dev)
        heat = torch.full((1, 12, 12), 7.0, dtype=torch.float32, device=dev)
        launch_fused(be, (nhwc(a) if layout == "nhwc" else a).to(dev), Wt.to(dev), None, 12, 12, True, True, cams, heat, block)
        rep.check("fused NaN activation, relu, %s f32 f32 block=%d cams" % (layout, block), cams, rc, 1e-4, scale_of(rc))
        rep.check("fused NaN activation, relu, %s f32 f32 block=%d heat" % (layout, block), heat, rh, 1e-4)

    return rep


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=("cupy", "emu"), default="cupy")
    ap.add_argument("--emu-lib", default=os.path.join(HERE, "emu", "libcamstream_emu.so"))
    ap.add_argument("--quick", action="store_true", help="small cases only (default with --backend emu)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--json", help="write the per-case results here")
    args = ap.parse_args()
    be = CupyBackend() if args.backend == "cupy" else EmuBackend(args.emu_lib)
    quick = args.quick or args.backend == "emu"
    rep = run(be, quick, args.seed)
    summary = {"device": be.name, "backend": args.backend, "cases": len(rep.rows), "failed": rep.failed,
               "torch": torch.__version__}
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "cases": rep.rows}, f, indent=1)
    sys.exit(1 if rep.failed else 0)


if __name__ == "__main__":
    main()
