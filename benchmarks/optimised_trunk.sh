#!/usr/bin/env bash
# Issue 10: explain with the inference-optimised trunk against the plain and the optimised forward, against the
# pytorch-grad-cam-style baseline, and Score-CAM/occlusion per image with and without the optimisation.
# Usage: [PEER_SRC=DIR] benchmarks/optimised_trunk.sh [THREADS] [ROUNDS]
#   (appends to benchmarks/results/optimised_trunk.jsonl; results/ is git-ignored)
#   PEER_SRC: a pytorch-grad-cam checkout; its real GradCAM is then timed too, after the reproduction
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"
rounds="${2:-2}"
[ -f "$root/benchmarks/models/resnet50.pt" ] || /usr/bin/python3 "$root/benchmarks/make_models.py"
mkdir -p "$root/benchmarks/results"
out="$root/benchmarks/results/optimised_trunk.jsonl"
load() { cut -d' ' -f1 /proc/loadavg; }
bench() { echo "{\"load_before\": $(load), \"args\": \"$*\"}" >> "$out"; "$root/bin/camstream" bench --size 224 "$@" | tee -a "$out"; }
baseline() { echo "{\"load_before\": $(load), \"args\": \"baseline $*\"}" >> "$out"; /usr/bin/python3 "$root/benchmarks/gradcam_baseline.py" --size 224 --threads "$threads" "$@" | tee -a "$out"; }
for r in $(seq "$rounds"); do
  for arch in resnet18 resnet50; do
    bench --threads "$threads" --model "$root/benchmarks/models/$arch.pt" --layer layer4 --method gradcam --batch 8 --iters 6 --warmup 2
    baseline --arch "$arch" --layer layer4 --batch 8 --iters 6 --warmup 2
    if [ -n "${PEER_SRC:-}" ]; then baseline --arch "$arch" --layer layer4 --batch 8 --iters 6 --warmup 2 --peer-src "$PEER_SRC" ${PEER_COMMIT:+--peer-commit "$PEER_COMMIT"}; fi
  done
done
# many forwards per image: one image, one measured iteration after one warm-up, today's path (--no-optimize) and the
# optimised one alternating; one libtorch thread (two spin-wait on each other when the machine is loaded)
for r in $(seq "$rounds"); do
  for opt in --no-optimize ""; do
    bench --threads 1 --model "$root/benchmarks/models/resnet18.pt" --layer layer4 --method scorecam --batch 1 --iters 1 --warmup 1 --batch-size 32 $opt
  done
  for opt in --no-optimize ""; do
    bench --threads 1 --model "$root/benchmarks/models/resnet18.pt" --method occlusion --batch 1 --iters 1 --warmup 1 --batch-size 32 --patch 32 --stride 16 $opt
  done
done
