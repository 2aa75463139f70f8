#!/usr/bin/env bash
# Per-image explain time of every method on ResNet-18 (random weights, 10 classes) at 224x224, CPU.
# Usage: benchmarks/methods.sh [THREADS]   (writes benchmarks/results/methods.jsonl; results/ is git-ignored)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-$(nproc)}"
model="$root/benchmarks/models/resnet18.pt"
[ -f "$model" ] || /usr/bin/python3 "$root/benchmarks/make_models.py"
mkdir -p "$root/benchmarks/results"
out="$root/benchmarks/results/methods.jsonl"
: > "$out"
run() { "$root/bin/camstream" bench --model "$model" --size 224 --layer layer4 --threads "$threads" "$@" | tee -a "$out"; }
# gradient and activation methods: batch 8, a few iterations after warm-up
for m in gradcam gradcam++ xgradcam layercam hirescam eigencam cam activations guided-backprop guided-gradcam; do
  run --method "$m" --batch 8 --iters 3 --warmup 1
done
# methods with many forwards per image: one image, one measured iteration
run --method scorecam --batch 1 --iters 1 --warmup 0 --batch-size 32
run --method occlusion --batch 1 --iters 1 --warmup 0 --batch-size 32 --patch 16 --stride 8
# options, on Grad-CAM
run --method gradcam --batch 8 --iters 3 --warmup 1 --aug-smooth
run --method gradcam --batch 8 --iters 3 --warmup 1 --eigen-smooth
run --method gradcam --batch 8 --iters 3 --warmup 1 --layer layer3,layer4
