#!/usr/bin/env python3
"""ResNet-18 for the server benchmarks: torchvision's architecture, random weights (seed 0), 10 classes, scripted.

    /usr/bin/python3 benchmarks/server/make_resnet18.py      # writes benchmarks/models/resnet18.pt (git-ignored)

Random weights cost exactly what trained ones do; nothing here depends on what the model predicts.
"""
import os

import torch
import torchvision

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "resnet18.pt")
os.makedirs(os.path.dirname(out), exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=10).eval()
torch.jit.script(model).save(out)
print("wrote", os.path.normpath(out))
