#!/usr/bin/env python3
"""Writes torchvision's ResNet-50 (random weights: nothing is downloaded) as TorchScript for ExplainBench.java.

    python3 benchmarks/gpu/make_resnet50.py /tmp/resnet50.pt [resnet50|resnet18|...]
"""
import sys

import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "resnet50.pt"
arch = sys.argv[2] if len(sys.argv) > 2 else "resnet50"
torch.manual_seed(0)
model = getattr(torchvision.models, arch)(num_classes=1000).eval()
torch.jit.script(model).save(out)
print("wrote", out)
