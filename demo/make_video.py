#!/usr/bin/env python3
"""Generate demo/video.mp4: the demo model's scenes in motion, for `camstream stream`.

Run with Debian's interpreter from the repository root (needs torch, numpy, cv2 (python3-opencv) and demo/model.pt):

    /usr/bin/python3 demo/make_video.py

Eight one-second shots at 25 fps, 256x256: a cluttered background (drawn by make_demo.py) with one or two objects
sliding across it. Each shot is kept only if, at its start, middle and end, the demo model's top classes are its objects
and it is confident of them, so the overlay video shows the heatmap following the right object. H.264 in MP4 via OpenCV's FFmpeg backend.
"""
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_demo as demo  # noqa: E402  (rendering and preprocessing shared with the demo model)

FPS = 25
SHOT_FRAMES = 25
SHOTS = [["circle"], ["square"], ["triangle"], ["cross"], ["ring"], ["circle", "cross"], ["triangle", "ring"], ["square", "circle"]]
SEED = 11


def render_frame(bg, objects, t):
    """bg: float (256,256,3); objects: list of (cls, start, end, r, colour, texture, rot_seed); t in [0, 1]."""
    img = bg.copy()
    for cls, p0, p1, r, col, texture, rot_seed in objects:
        cx, cy = (1 - t) * p0 + t * p1
        mask = demo.shape_mask(cls, cx, cy, r, np.random.default_rng(rot_seed))
        # the demo scenes' object noise, fixed per object so that it does not flicker from frame to frame
        img[mask] = col + texture[mask]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_shot(rng, names, bank):
    classes = [demo.LABELS.index(n) for n in names]
    bg, base = demo.background(rng, bank)
    objects = []
    for k, cls in enumerate(classes):
        r = rng.uniform(22, 34)
        lane = 256 * (k + 1) / (len(classes) + 1)
        # one object moves left to right, the other right to left, in separate lanes
        p0 = np.array([r + 8, lane]) if k % 2 == 0 else np.array([256 - r - 8, lane])
        p1 = np.array([256 - r - 8, lane]) if k % 2 == 0 else np.array([r + 8, lane])
        texture = np.ascontiguousarray(bank.crop(rng)) * np.float32(rng.uniform(2, 10))
        objects.append((cls, p0, p1, r, demo.object_colour(rng, base), texture, int(rng.integers(1 << 30))))
    return bg, objects, classes


def confident(model, img, classes):
    """The model's top classes are the objects', each with probability at least 0.6 (one object) or 0.25 (two)."""
    with torch.no_grad():
        p = model(demo.preprocess(img[None])).softmax(1)[0]
    top = set(p.topk(len(classes)).indices.tolist())
    return top == set(classes) and all(p[c] >= (0.6 if len(classes) == 1 else 0.25) for c in classes)


def main():
    torch.set_num_threads(2)
    model = torch.jit.load(os.path.join(HERE, "model.pt")).eval()
    rng = np.random.default_rng(SEED)
    bank = demo.NoiseBank(rng)
    out_path = os.path.join(HERE, "video.mp4")
    writer = cv2.VideoWriter(out_path, cv2.VideoWriter_fourcc(*"avc1"), FPS, (demo.RENDER, demo.RENDER))
    if not writer.isOpened():
        sys.exit("OpenCV cannot write H.264 MP4 here (python3-opencv with FFmpeg is needed)")
    for names in SHOTS:
        for attempt in range(200):
            bg, objects, classes = make_shot(rng, names, bank)
            if all(confident(model, render_frame(bg, objects, t), classes) for t in (0.1, 0.5, 0.9)):
                break
        else:
            sys.exit("no confidently classified shot of " + " + ".join(names) + " in 200 attempts")
        for f in range(SHOT_FRAMES):
            frame = render_frame(bg, objects, f / (SHOT_FRAMES - 1))
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        print("shot:", " + ".join(names), f"(attempt {attempt + 1})")
    writer.release()
    print(f"wrote {out_path}: {len(SHOTS) * SHOT_FRAMES} frames, {os.path.getsize(out_path) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
