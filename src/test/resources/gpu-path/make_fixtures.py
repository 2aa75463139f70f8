#!/usr/bin/env python3
"""Generates the fixtures of the GPU-path tests (run with Debian's python3-torch 1.13, CPU):

    /usr/bin/python3 src/test/resources/gpu-path/make_fixtures.py

tiny_cnn.pt      a scripted 3 -> 8 -> 16 channel CNN with 10 classes; layer "features.3" outputs (N, 16, 8, 8)
input.npy        (2, 3, 32, 32) float32 input
<method>_cams.npy / <method>_heat.npy   the top-1 maps of each method, computed here the way pytorch-grad-cam does
                 (forward hook on the layer, autograd.grad of the selected logits, numpy weights), upsampled with
                 F.interpolate(bilinear, align_corners=False) and min-max normalised after upsampling
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class TinyCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=4, padding=1), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def cam_weights(method, a, g):
    if method == "gradcam":
        return g.mean(axis=(2, 3))
    if method == "gradcam++":
        g2, g3 = g ** 2, g ** 3
        s = a.sum(axis=(2, 3))
        aij = g2 / (2 * g2 + s[:, :, None, None] * g3 + 1e-6)
        aij = np.where(g != 0, aij, 0)
        return (np.maximum(g, 0) * aij).sum(axis=(2, 3))
    return np.full(a.shape[:2], 1.0 / a.shape[1])  # activations


def main():
    torch.manual_seed(7)
    model = TinyCnn().eval()
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(HERE, "tiny_cnn.pt"))
    x = torch.randn(2, 3, 32, 32)
    np.save(os.path.join(HERE, "input.npy"), x.numpy().astype(np.float32))

    store = {}
    model.features[3].register_forward_hook(lambda m, i, o: store.__setitem__("a", o))
    logits = model(x)
    top = logits.argmax(dim=1)
    score = logits.gather(1, top[:, None]).sum()
    (g,) = torch.autograd.grad(score, store["a"])
    a = store["a"].detach().double().numpy()
    g = g.double().numpy()
    for method in ("gradcam", "gradcam++", "activations"):
        w = cam_weights(method, a, g)
        cam = np.maximum((w[:, :, None, None] * a).sum(axis=1), 0)
        up = F.interpolate(torch.from_numpy(cam)[:, None], size=(32, 32), mode="bilinear", align_corners=False)[:, 0].numpy()
        lo = up.min(axis=(1, 2), keepdims=True)
        hi = up.max(axis=(1, 2), keepdims=True)
        heat = np.where(hi > lo, (up - lo) / np.where(hi > lo, hi - lo, 1), 0)
        np.save(os.path.join(HERE, method.replace("+", "p") + "_cams.npy"), cam.astype(np.float32))
        np.save(os.path.join(HERE, method.replace("+", "p") + "_heat.npy"), heat.astype(np.float32))
    print("top-1 classes", top.tolist(), "layer shape", tuple(store["a"].shape))


if __name__ == "__main__":
    main()
