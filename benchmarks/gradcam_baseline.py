#!/usr/bin/env python3
"""Python baseline: a faithful reproduction of pytorch-grad-cam's GradCAM pipeline.

Run with Debian's interpreter (torch 1.13 / torchvision 0.14 / numpy 1.24), e.g.

    /usr/bin/python3 benchmarks/gradcam_baseline.py --arch resnet18 --batch 8 --size 224 --threads 2

pytorch-grad-cam itself is not installable here, so this mirrors what it does per call
(pytorch_grad_cam.GradCAM(model, target_layers=[model.layer4])(input, targets)):
  * eager torchvision model (random weights, 10 classes, eval); parameters keep requires_grad=True,
    so backward computes parameter gradients too (as pytorch-grad-cam does);
  * ActivationsAndGradients: register_forward_hook on the target layer stores the activation and
    registers `output.register_hook` to store its gradient;
  * model.zero_grad(); loss = sum of the target logits (ClassifierOutputTarget, top-1 when no targets
    are given); loss.backward(retain_graph=True);
  * NumPy post-processing on CPU: weights = mean of grads over (2, 3); weighted sum over channels;
    ReLU (np.maximum); per-image min-max scaling and resize to the input size.  pytorch-grad-cam
    resizes with cv2.resize per image; cv2 is not installed here, so each image is resized with
    torch.nn.functional.interpolate (bilinear, align_corners=False) on a tensor made from the numpy
    array.  (pytorch-grad-cam scales, then resizes, then scales again; we do the same.)
It also measures plain forward throughput (torch.no_grad(), same model, same process) and prints ONE
JSON line.

With --peer-src DIR (a checkout of github.com/jacobgil/pytorch-grad-cam, e.g. made by the session tool `fetch`),
the real pytorch_grad_cam.GradCAM from DIR is timed instead of the reproduction. Its import-time-only dependencies
that Debian lacks (ttach, matplotlib, scipy, scikit-learn: used by other methods, by aug_smooth and by plotting,
never by GradCAM's forward) are replaced by stubs that raise if anything calls them; cv2 (python3-opencv) is real.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import types

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

SEED = 0  # same weights as benchmarks/make_models.py


class ActivationsAndGradients:
    """As in pytorch_grad_cam/activations_and_gradients.py."""

    def __init__(self, model, target_layers):
        self.model = model
        self.gradients = []
        self.activations = []
        self.handles = [layer.register_forward_hook(self.save_activation) for layer in target_layers]
        for layer in target_layers:
            self.handles.append(layer.register_forward_hook(self.save_gradient))

    def save_activation(self, module, input, output):
        self.activations.append(output.cpu().detach())

    def save_gradient(self, module, input, output):
        if not hasattr(output, "requires_grad") or not output.requires_grad:
            return

        def _store_grad(grad):
            self.gradients = [grad.cpu().detach()] + self.gradients

        output.register_hook(_store_grad)

    def __call__(self, x):
        self.gradients = []
        self.activations = []
        return self.model(x)


def scale_cam_image(cam, target_size=None):
    """As pytorch_grad_cam.utils.image.scale_cam_image, with cv2.resize replaced (see docstring)."""
    result = []
    for img in cam:
        img = img - np.min(img)
        img = img / (1e-7 + np.max(img))
        if target_size is not None:
            t = torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32))[None, None]
            img = F.interpolate(t, size=(target_size[1], target_size[0]), mode="bilinear",
                                align_corners=False)[0, 0].numpy()
        result.append(img)
    return np.float32(result)


class GradCAM:
    """The BaseCAM.forward path for GradCAM with a single target layer."""

    def __init__(self, model, target_layers):
        self.model = model.eval()
        self.target_layers = target_layers
        self.ag = ActivationsAndGradients(model, target_layers)

    def __call__(self, input_tensor, targets=None):
        # compute_input_gradient=False (the default): the input does not require grad
        outputs = self.ag(input_tensor)
        if targets is None:
            targets = np.argmax(outputs.cpu().data.numpy(), axis=-1)
        self.model.zero_grad()
        loss = sum(outputs[i, t] for i, t in enumerate(targets))
        loss.backward(retain_graph=True)
        target_size = (input_tensor.size(-1), input_tensor.size(-2))  # (width, height)
        per_layer = []
        for a, g in zip(self.ag.activations, self.ag.gradients):
            a, g = a.numpy(), g.numpy()
            weights = np.mean(g, axis=(2, 3))
            cam = (weights[:, :, None, None] * a).sum(axis=1)
            cam = np.maximum(cam, 0)
            per_layer.append(scale_cam_image(cam, target_size)[:, None, :])
        cam = np.concatenate(per_layer, axis=1)
        cam = np.maximum(cam, 0)
        return scale_cam_image(np.mean(cam, axis=1))


def real_gradcam(src):
    """pytorch_grad_cam.GradCAM from the checkout at src, without its package __init__ (which imports every method)."""
    class Unusable:
        """What a stub hands out: BaseCAM builds ttach's transforms eagerly; using one raises."""

        def __init__(self, name, *a, **k):
            object.__setattr__(self, "_name", name)

        def __getattr__(self, attr):
            raise RuntimeError("%s is a stub in this benchmark (not installed); GradCAM's forward must not use it" % self._name)

        def __call__(self, *a, **k):
            self.__getattr__("__call__")

    def stub(name, *attrs):
        m = types.ModuleType(name)
        for attr in attrs:
            setattr(m, attr, lambda *a, _n=name + "." + attr, **k: Unusable(_n))
        sys.modules.setdefault(name, m)
        return m
    for name, attrs in (("ttach", ("Compose", "HorizontalFlip", "Multiply")), ("matplotlib", ()), ("matplotlib.pyplot", ()),
                        ("matplotlib.lines", ("Line2D",)), ("scipy", ()), ("scipy.ndimage", ("zoom",)), ("sklearn", ()),
                        ("sklearn.decomposition", ("KernelPCA",))):
        try:
            __import__(name)
        except ImportError:
            stub(name, *attrs)
    sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]
    for pkg, sub in (("pytorch_grad_cam", ""), ("pytorch_grad_cam.utils", "utils")):
        m = types.ModuleType(pkg)
        m.__path__ = [os.path.join(src, "pytorch_grad_cam", sub)]
        sys.modules[pkg] = m
    from pytorch_grad_cam.grad_cam import GradCAM as Real
    return Real


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", default="resnet18", choices=["resnet18", "resnet50"])
    p.add_argument("--layer", default="layer4")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--peer-src", help="a pytorch-grad-cam checkout: time its real GradCAM instead of the reproduction")
    p.add_argument("--peer-commit", default="", help="the checkout's commit, for the JSON line (default: git rev-parse in --peer-src)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, a.arch)(weights=None, num_classes=10).eval().to(a.device)
    layer = model.get_submodule(a.layer)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(a.batch, 3, a.size, a.size, generator=gen).to(a.device)

    impl = "pytorch-grad-cam-style"
    if a.peer_src:
        Real = real_gradcam(os.path.abspath(a.peer_src))
        commit = a.peer_commit or subprocess.run(["git", "-C", a.peer_src, "rev-parse", "--short", "HEAD"], capture_output=True,
                                                 text=True).stdout.strip() or "(commit unknown)"
        real = Real(model=model, target_layers=[layer])
        cam = lambda t: real(input_tensor=t, targets=None)  # noqa: E731 (top-1, as the reproduction)
        impl = "pytorch-grad-cam " + commit
    else:
        cam = GradCAM(model, [layer])
    for _ in range(a.warmup):
        cam(x)
    sync(a.device)
    t0 = time.perf_counter()
    for _ in range(a.iters):
        heat = cam(x)
    sync(a.device)
    explain = a.batch * a.iters / (time.perf_counter() - t0)
    assert heat.shape == (a.batch, a.size, a.size)

    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
        sync(a.device)
        t0 = time.perf_counter()
        for _ in range(a.iters):
            model(x)
        sync(a.device)
        forward = a.batch * a.iters / (time.perf_counter() - t0)

    print(json.dumps({"impl": impl, "explain_images_per_s": round(explain, 3),
                      "forward_images_per_s": round(forward, 3), "device": a.device,
                      "threads": a.threads, "batch": a.batch, "size": a.size, "arch": a.arch}))


if __name__ == "__main__":
    main()
