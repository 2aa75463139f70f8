"""ResNet-18 with random weights and 10 classes, scripted, for the benchmarks (no weights can be downloaded here).

    /usr/bin/python3 benchmarks/make_resnet18.py      # writes benchmarks/models/resnet18.pt (git-ignored)
"""
import os

import torch
import torchvision

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet18(num_classes=10).eval()
torch.jit.script(model).save(os.path.join(out, "resnet18.pt"))
print("wrote", os.path.join(out, "resnet18.pt"))
