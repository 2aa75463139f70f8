#!/usr/bin/env python3
"""ResNet-50 at 224x224 on a GPU, per batch size: forward-only vs explain (Grad-CAM at layer4), and the same
explanation computed the way pytorch-grad-cam does it.

  forward          model(x) under no_grad, logits copied to the host
  camstream_proxy  camstream's GPU algorithm in Python: the same kernels (CuPy over cuda-kernels/camstream_kernels.cu),
                   the same autograd cut as the Java engine (parameters frozen; the layer output replaced by a detached
                   leaf that requires grad, so only layer4 -> fc is recorded), one autograd.grad for the top-1 class,
                   cam_channel_weights + cam_fused on the device, cams + heatmaps + logits copied to pinned host memory.
                   It is NOT the Java engine (no JVM on the lent machines); benchmarks/gpu/ExplainBench.java measures that.
  pytorch_grad_cam pytorch-grad-cam's GradCAM if the package is importable, else a faithful replica of its approach:
                   hooks that copy activations and gradients to the host, full backward (parameters require grad,
                   input requires grad), numpy weights and sums, per-image min-max then cv2.resize.

All three use the same model weights (torchvision resnet50, random init: no downloads) and the same input.
camstream runs half + channels_last + cudnn.benchmark (--dtype); pytorch-grad-cam runs as it is usually used
(float32, --baseline-dtype). Times are medians of --iters wall-clock iterations, each ended by a device sync.
Prints one JSON object per batch size, with the device name.

On a GPU machine (torch, torchvision, CuPy):
    python3 benchmarks/gpu/explain_vs_forward.py --batches 1,2,4,8,16,32,64,128,256
Smoke test without a GPU (tiny ResNet-18 at 64x64 on the CPU, kernels on the host emulator; times mean nothing):
    python3 benchmarks/gpu/explain_vs_forward.py --smoke
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cuda-kernels"))
import check_kernels as ck  # noqa: E402


def build(arch, device, dtype, channels_last, frozen):
    torch.manual_seed(0)
    m = getattr(torchvision.models, arch)(num_classes=1000).eval().to(device)
    if dtype == torch.float16:
        m = m.half()
    if channels_last:
        m = m.to(memory_format=torch.channels_last)
    for p in m.parameters():
        p.requires_grad_(not frozen)
    return m


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def median_ms(fn, iters, warmup, device):
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class CamstreamProxy:
    def __init__(self, model, layer, backend, out_hw, device):
        self.model, self.be, self.out_hw, self.device = model, backend, out_hw, device
        self.leaf = None
        layer.register_forward_hook(self._hook)

    def _hook(self, module, inputs, output):
        self.leaf = output.detach().requires_grad_(True)
        return self.leaf

    def __call__(self, x):
        logits = self.model(x)
        top = logits.argmax(dim=1)
        score = logits.gather(1, top[:, None]).sum()
        (g,) = torch.autograd.grad(score, self.leaf)
        a = self.leaf.detach()
        n, c, h, w = a.shape
        W = torch.empty(n, c, dtype=torch.float32, device=a.device)
        if isinstance(self.be, ck.CupyBackend):
            self._weights(a, g, W)
        else:
            ck.launch_weights(self.be, a, g, 1, None, W, 256)
        cams = torch.empty(n, h, w, dtype=torch.float32, device=a.device)
        heat = torch.empty(n, *self.out_hw, dtype=torch.float32, device=a.device)
        self._fused(a, W, cams, heat)
        pin = self.device == "cuda"
        out = [torch.empty(t.shape, dtype=t.dtype, pin_memory=pin) for t in (cams, heat, logits)]
        for dst, src in zip(out, (cams, heat, logits)):
            dst.copy_(src, non_blocking=pin)
        return out

    # direct CuPy launches (no harness synchronisation), the geometry of check_kernels.launch_*
    def _weights(self, a, g, W):
        n, c, h, w = a.shape
        aN, aC, aP = ck.pixel_strides(a)
        gN, gC, gP = ck.pixel_strides(g)
        f = self.be.module.get_function("cam_channel_weights_" + ck.suffix(a.dtype))
        ptr = self.be._pointer
        f(((c + 31) // 32, n, 1), (256, 1, 1), (ptr(a), ptr(g), np.int32(n), np.int32(c), np.int32(h * w),
                                               np.int64(aN), np.int64(aC), np.int64(aP), np.int64(gN), np.int64(gC), np.int64(gP),
                                               np.int32(1), ptr(None), ptr(W)))

    def _fused(self, a, W, cams, heat):
        n, c, h, w = a.shape
        if not isinstance(self.be, ck.CupyBackend):
            ck.launch_fused(self.be, a, W, None, self.out_hw[0], self.out_hw[1], True, h * w * 4 <= 40960, cams, heat, 512)
            return
        aN, aC, aP = ck.pixel_strides(a)
        smem = h * w * 4 <= 40960
        f = self.be.module.get_function("cam_fused_%s_f32" % ck.suffix(a.dtype))
        ptr = self.be._pointer
        f((n, 1, 1), (512, 1, 1), (ptr(a), np.int64(aN), np.int64(aC), np.int64(aP), np.int32(c), np.int32(h), np.int32(w),
                                   ptr(W), ptr(None), np.int32(self.out_hw[0]), np.int32(self.out_hw[1]), np.int32(1),
                                   np.int32(1 if smem else 0), ptr(cams), ptr(heat)),
          shared_mem=h * w * 4 if smem else 0)


class GradCamReplica:
    """pytorch-grad-cam's GradCAM(model, [layer])(x) for top-1 targets, reduced to what it computes."""

    def __init__(self, model, layer, out_hw):
        self.model, self.out_hw = model, out_hw
        self.acts, self.grads = [], []
        layer.register_forward_hook(self._save)
        try:
            import cv2
            self.resize = lambda img: cv2.resize(img, (out_hw[1], out_hw[0]))
            self.resizer = "cv2.resize"
        except ImportError:
            self.resize = lambda img: F.interpolate(torch.from_numpy(img)[None, None], size=out_hw, mode="bilinear",
                                                    align_corners=False)[0, 0].numpy()
            self.resizer = "torch CPU interpolate (cv2 missing)"

    def _save(self, module, inputs, output):
        self.acts.append(output.cpu().detach())

        def keep(grad):
            self.grads.insert(0, grad.cpu().detach())
        output.register_hook(keep)

    def scale(self, cam, size):
        out = []
        for img in cam:
            img = img - np.min(img)
            img = img / (1e-7 + np.max(img))
            out.append(self.resize(img) if size is not None else img)
        return np.float32(out)

    def __call__(self, x):
        self.acts.clear()
        self.grads.clear()
        x = x.detach().requires_grad_(True)
        outputs = self.model(x)
        targets = np.argmax(outputs.cpu().data.numpy(), axis=-1)
        self.model.zero_grad()
        loss = sum(outputs[i, int(t)] for i, t in enumerate(targets))
        loss.backward(retain_graph=True)
        a = self.acts[0].float().numpy()
        g = self.grads[0].float().numpy()
        weights = np.mean(g, axis=(2, 3))
        cam = np.maximum((weights[:, :, None, None] * a).sum(axis=1), 0)
        per_layer = self.scale(cam, self.out_hw)[:, None]
        result = np.mean(np.maximum(per_layer, 0), axis=1)
        return self.scale(result, None)


def library_gradcam(model, layer):
    try:
        from pytorch_grad_cam import GradCAM
    except ImportError:
        return None
    cam = GradCAM(model=model, target_layers=[layer])
    return lambda x: cam(input_tensor=x, targets=None)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", default="1,2,4,8,16,32,64,128,256")
    ap.add_argument("--dtype", choices=("half", "float"), default="half")
    ap.add_argument("--no-channels-last", action="store_true")
    ap.add_argument("--baseline-dtype", choices=("half", "float"), default="float")
    ap.add_argument("--baseline-max-batch", type=int, default=256)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="CPU + host emulator, ResNet-18 at 64x64, batches 1,2")
    args = ap.parse_args()

    if args.smoke:
        device, arch, size, batches = "cpu", "resnet18", 64, [1, 2]
        args.dtype = args.baseline_dtype = "float"
        args.iters, args.warmup = 2, 1
        be = ck.EmuBackend(os.path.join(os.path.dirname(ck.__file__), "emu", "libcamstream_emu.so"))
    else:
        device, arch, size, batches = "cuda", "resnet50", 224, [int(b) for b in args.batches.split(",")]
        be = ck.CupyBackend()
        torch.backends.cudnn.benchmark = True
    dt = {"half": torch.float16, "float": torch.float32}
    channels_last = not args.no_channels_last

    model = build(arch, device, dt[args.dtype], channels_last, frozen=True)
    proxy_model = build(arch, device, dt[args.dtype], channels_last, frozen=True)
    proxy = CamstreamProxy(proxy_model, proxy_model.layer4, be, (size, size), device)
    baseline = None
    baseline_kind = None
    if not args.no_baseline:
        base_model = build(arch, device, dt[args.baseline_dtype], False, frozen=False)
        baseline = library_gradcam(base_model, base_model.layer4)
        baseline_kind = "pytorch_grad_cam.GradCAM"
        if baseline is None:
            rep = GradCamReplica(base_model, base_model.layer4, (size, size))
            baseline, baseline_kind = rep, "replica of pytorch-grad-cam's GradCAM (" + rep.resizer + ")"

    for b in batches:
        torch.manual_seed(b)
        x32 = torch.randn(b, 3, size, size, device=device)
        x = x32.to(dt[args.dtype])
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)

        def forward():
            with torch.no_grad():
                return model(x).float().cpu()

        fwd = median_ms(forward, args.iters, args.warmup, device)
        exp = median_ms(lambda: proxy(x), args.iters, args.warmup, device)
        row = {"device": be.name, "torch": torch.__version__, "model": arch, "input": [b, 3, size, size],
               "dtype": args.dtype, "channels_last": channels_last, "batch": b,
               "forward_ms": round(fwd, 3), "camstream_proxy_explain_ms": round(exp, 3),
               "explain_over_forward_throughput": round(fwd / exp, 3), "images_per_s_explain": round(b * 1000 / exp, 1)}
        if baseline is not None and b <= args.baseline_max_batch:
            xb = x32.to(dt[args.baseline_dtype])
            base = median_ms(lambda: baseline(xb), max(3, args.iters // 4), 2, device)
            row.update({"baseline": baseline_kind, "baseline_dtype": args.baseline_dtype, "baseline_ms": round(base, 3),
                        "camstream_proxy_speedup_vs_baseline": round(base / exp, 2)})
        if args.smoke:
            row["note"] = "smoke test on the CPU and the host emulator: times are meaningless"
        print(json.dumps(row), flush=True)
        if device == "cuda":
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
