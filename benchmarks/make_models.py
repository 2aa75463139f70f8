#!/usr/bin/env python3
"""Write the benchmark TorchScript models (random weights, 10 classes, eval mode, torch.jit.script).

Run with Debian's interpreter (torch 1.13 / torchvision 0.14):

    /usr/bin/python3 benchmarks/make_models.py

Outputs benchmarks/models/resnet18.pt and benchmarks/models/resnet50.pt (git-ignored, not committed).
The weights match benchmarks/gradcam_baseline.py (same seed per architecture, see `build`).
"""
import os

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0


def build(arch):
    """torchvision `arch` with random weights (seeded), 10 classes, eval mode."""
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, arch)(weights=None, num_classes=10)
    return model.eval()


def main():
    out = os.path.join(HERE, "models")
    os.makedirs(out, exist_ok=True)
    for arch in ("resnet18", "resnet50"):
        path = os.path.join(out, arch + ".pt")
        torch.jit.script(build(arch)).save(path)
        print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
