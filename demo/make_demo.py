#!/usr/bin/env python3
"""Generate camstream's demo model, demo images and the scene-quality test fixture.

Run with Debian's interpreter (it has torch 1.13 / torchvision 0.14 / numpy 1.24):

    /usr/bin/python3 demo/make_demo.py            # from the repository root

Outputs (all deterministic, seeded):
  demo/model.pt, demo/model.json, demo/labels.txt, demo/images/*.png
  src/test/resources/fixtures/scenes/{inputs,masks,classes}.npy

Scenes are drawn procedurally at 256x256 (RGB, uint8): a cluttered background (low-frequency colour
field, pixel noise, thin random lines, small random blobs) and one or two objects of five shape
classes with random colour, size, rotation and position.  The model sees the scene downsampled to
128x128 with F.interpolate(bilinear, align_corners=False), divided by 255 and ImageNet-normalised.
Object masks are exact (from rendering) and downsampled the same way, thresholded at 0.5.

Model: `features` (5 conv-BN-ReLU blocks, 16x16 map at 128 input) -> `avgpool` (GAP) -> flatten -> `fc`.
A GAP + single linear head, so the original CAM identities hold for layer `features.4`.
Runtime: about 5-6 minutes on 2 (shared) CPU cores; training dominates.
"""
import json
import multiprocessing as mp
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURE_DIR = os.path.join(ROOT, "src", "test", "resources", "fixtures", "scenes")

LABELS = ["circle", "square", "triangle", "cross", "ring"]
NUM_CLASSES = len(LABELS)
RENDER = 256
INPUT = 128
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

# Separate seeds: training data, validation data, quality fixture, demo images, model init.
SEED_TRAIN, SEED_VAL, SEED_FIXTURE, SEED_DEMO, SEED_TORCH = 1, 2, 3, 4, 5

_YY, _XX = np.mgrid[0:RENDER, 0:RENDER].astype(np.float32) + 0.5  # pixel centres


# ----------------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------------
def shape_mask(cls, cx, cy, r, rng):
    """Boolean (RENDER, RENDER) mask of one object of class `cls` centred at (cx, cy), size r."""
    th = rng.uniform(0, 2 * np.pi)
    dx, dy = _XX - cx, _YY - cy
    u = np.cos(th) * dx + np.sin(th) * dy  # rotated coordinates
    v = -np.sin(th) * dx + np.cos(th) * dy
    name = LABELS[cls]
    if name == "circle":
        return dx * dx + dy * dy <= r * r
    if name == "ring":
        rin = r * rng.uniform(0.45, 0.62)
        d2 = dx * dx + dy * dy
        return (d2 <= r * r) & (d2 >= rin * rin)
    if name == "square":
        s = 0.8 * r
        return (np.abs(u) <= s) & (np.abs(v) <= s)
    if name == "triangle":
        # equilateral, circumradius 1.3 r: inside all three edges (apothem = R/2)
        R = 1.3 * r
        m = np.ones_like(u, dtype=bool)
        for k in range(3):
            a = th + k * 2 * np.pi / 3
            m &= (np.cos(a) * dx + np.sin(a) * dy) <= R / 2
        return m
    if name == "cross":
        w = r * rng.uniform(0.27, 0.36)
        return ((np.abs(u) <= r) & (np.abs(v) <= w)) | ((np.abs(u) <= w) & (np.abs(v) <= r))
    raise ValueError(name)


def _box(x0, x1, y0, y1):
    """Slices of the pixel window covering [x0,x1]x[y0,y1] (clipped to the image)."""
    xa, xb = max(0, int(np.floor(x0))), min(RENDER, int(np.ceil(x1)) + 1)
    ya, yb = max(0, int(np.floor(y0))), min(RENDER, int(np.ceil(y1)) + 1)
    return slice(ya, yb), slice(xa, xb)


def _line(img, rng):
    x0, y0, x1, y1 = rng.uniform(0, RENDER, 4)
    half = rng.uniform(0.5, 1.5)
    col = rng.uniform(0, 255, 3)
    sy, sx = _box(min(x0, x1) - 2, max(x0, x1) + 2, min(y0, y1) - 2, max(y0, y1) + 2)
    px, py = _XX[sy, sx] - x0, _YY[sy, sx] - y0
    ex, ey = x1 - x0, y1 - y0
    L2 = ex * ex + ey * ey + 1e-6
    t = np.clip((px * ex + py * ey) / L2, 0, 1)
    d2 = (px - t * ex) ** 2 + (py - t * ey) ** 2
    img[sy, sx][d2 <= half * half] = col


def _blob(img, rng):
    cx, cy = rng.uniform(0, RENDER, 2)
    r = rng.uniform(2, 6)
    disc = rng.random() < 0.5
    col = rng.uniform(0, 255, 3)
    sy, sx = _box(cx - r - 1, cx + r + 1, cy - r - 1, cy + r + 1)
    xx, yy = _XX[sy, sx], _YY[sy, sx]
    if disc:
        m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    else:
        m = (np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= r)
    img[sy, sx][m] = col


def _smooth_field(rng, sigma):
    """Low-frequency colour field: a random 5x5 grid per channel, bilinearly upsampled (numpy only)."""
    g = rng.normal(0, sigma, (3, 5, 5)).astype(np.float32)
    pos = np.linspace(0, 4, RENDER, dtype=np.float32)
    i0 = np.minimum(pos.astype(np.int64), 3)
    w = pos - i0
    W = np.zeros((RENDER, 5), np.float32)
    W[np.arange(RENDER), i0] = 1 - w
    W[np.arange(RENDER), i0 + 1] += w
    return np.stack([W @ g[c] @ W.T for c in range(3)], axis=-1)


class NoiseBank:
    """Pixel noise is the renderer's main cost, so each scene takes a random crop (random offset,
    random flips, random channel order) of one larger standard-normal bank instead."""

    def __init__(self, rng):
        self.bank = rng.standard_normal((2 * RENDER, 2 * RENDER, 3), dtype=np.float32)

    def crop(self, rng):
        oy, ox = rng.integers(0, RENDER, 2)
        c = self.bank[oy:oy + RENDER, ox:ox + RENDER][:, :, rng.permutation(3)]
        if rng.random() < 0.5:
            c = c[::-1]
        if rng.random() < 0.5:
            c = c[:, ::-1]
        return c


def background(rng, noise_bank):
    base = rng.uniform(0, 255, 3).astype(np.float32)
    lf = _smooth_field(rng, rng.uniform(10, 35))
    noise = noise_bank.crop(rng) * np.float32(rng.uniform(4, 18))
    img = (base + lf) + noise
    for _ in range(rng.integers(4, 14)):
        _line(img, rng)
    for _ in range(rng.integers(4, 16)):
        _blob(img, rng)
    return img, base


def object_colour(rng, bg_base):
    for _ in range(100):
        c = rng.uniform(0, 255, 3)
        if np.linalg.norm(c - bg_base) > 110:
            return c
    return 255 - bg_base


def render_scene(rng, classes, noise_bank):
    """Render one scene with the given object classes (1 or 2 distinct classes).

    Returns (img uint8 (256,256,3), masks bool (len(classes),256,256)).
    """
    img, base = background(rng, noise_bank)
    n = len(classes)
    rmin, rmax = (20, 44) if n == 1 else (18, 36)
    for _ in range(1000):  # rejection-sample non-overlapping placements
        rs = rng.uniform(rmin, rmax, n)
        cs = [rng.uniform(r * 1.3 + 2, RENDER - r * 1.3 - 2, 2) for r in rs]
        if n == 1 or np.linalg.norm(cs[0] - cs[1]) > 1.3 * (rs[0] + rs[1]) + 6:
            break
    masks = []
    for cls, r, (cx, cy) in zip(classes, rs, cs):
        m = shape_mask(cls, cx, cy, r, rng)
        col = object_colour(rng, base)
        img[m] = col + noise_bank.crop(rng)[m] * np.float32(rng.uniform(2, 10))
        masks.append(m)
    masks = np.stack(masks)
    # objects never overlap (placement above), so masks are disjoint; keep them exact anyway
    if n == 2:
        masks[0] &= ~masks[1]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), masks


def sample_classes(rng, two):
    if two:
        return [int(c) for c in rng.choice(NUM_CLASSES, 2, replace=False)]
    return [int(rng.integers(NUM_CLASSES))]


def downsample(x):
    """(N,C,256,256) float tensor -> (N,C,128,128), the demo's resize (bilinear, align_corners=False)."""
    return F.interpolate(x, size=(INPUT, INPUT), mode="bilinear", align_corners=False)


def preprocess(img_u8_nhwc):
    """uint8 (N,256,256,3) -> model input float32 (N,3,128,128)."""
    x = torch.from_numpy(np.ascontiguousarray(img_u8_nhwc)).permute(0, 3, 1, 2).float()
    x = downsample(x) / 255.0
    return normalise(x)


def normalise(x01):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return ((x01 - mean) / std).float().contiguous()


def _render_chunk(args):
    """Worker: render a chunk of training scenes -> uint8 (n,3,128,128), soft targets, classes.

    numpy only (no torch in workers).  The 2x2 block mean equals F.interpolate(bilinear,
    align_corners=False) for an exact 2x downsample.
    """
    seed_seq, twos = args
    rng = np.random.default_rng(seed_seq)
    bank = NoiseBank(rng)
    imgs, targets, classes = [], [], []
    for two in twos:
        cl = sample_classes(rng, two)
        img, _ = render_scene(rng, cl, bank)
        f = img.astype(np.float32)
        small = (f[0::2, 0::2] + f[1::2, 0::2] + f[0::2, 1::2] + f[1::2, 1::2]) * np.float32(0.25)
        imgs.append(np.clip(np.rint(small), 0, 255).astype(np.uint8).transpose(2, 0, 1))
        t = np.zeros(NUM_CLASSES, np.float32)
        t[cl] = 1.0 / len(cl)
        targets.append(t)
        classes.append(cl + [-1] * (2 - len(cl)))
    return np.stack(imgs), np.stack(targets), np.array(classes, np.int64)


def make_dataset(seed, n_single, n_two, workers=2, chunk=500):
    """Training/validation scenes at model resolution: uint8 NCHW (128x128), soft targets, classes (N,2).

    Rendered in `workers` processes; the result does not depend on the number of workers (each
    chunk has its own seed).
    """
    rng = np.random.default_rng(seed)
    order = np.array([False] * n_single + [True] * n_two)
    rng.shuffle(order)
    seeds = np.random.SeedSequence(seed).spawn((len(order) + chunk - 1) // chunk)
    jobs = [(seeds[k], order[k * chunk:(k + 1) * chunk].tolist()) for k in range(len(seeds))]
    if workers > 1:
        with mp.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_render_chunk, jobs)
    else:
        parts = [_render_chunk(j) for j in jobs]
    imgs, targets, classes = (np.concatenate(p) for p in zip(*parts))
    return torch.from_numpy(imgs), torch.from_numpy(targets), classes


# ----------------------------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------------------------
def conv_block(cin, cout, k, stride=1, dilation=1, pool=False):
    """conv-BN-ReLU (+ 2x2 max-pool).  Max-pooling made the shapes learnable much faster than
    strided convs alone in this cluttered setting."""
    layers = [nn.Conv2d(cin, cout, k, stride, dilation * (k // 2), dilation=dilation, bias=False),
              nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class ShapeNet(nn.Module):
    """features (5 blocks) -> avgpool (GAP) -> flatten -> fc.  16x16 map at 128x128 input."""

    def __init__(self, num_classes: int = NUM_CLASSES):
        super().__init__()
        self.features = nn.Sequential(
            conv_block(3, 16, 5, stride=2),                  # features.0 -> 64x64
            conv_block(16, 32, 3, pool=True),                # features.1 -> 32x32
            conv_block(32, 64, 3, pool=True),                # features.2 -> 16x16
            conv_block(64, 64, 3, dilation=2),               # features.3 -> 16x16
            conv_block(64, 96, 3, dilation=2),               # features.4 -> 16x16 (CAM layer)
        )
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(96, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def to_input(batch_u8):
    return normalise(batch_u8.float() / 255.0)


def evaluate(model, data_u8, classes):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(to_input(data_u8[i:i + 256])) for i in range(0, len(data_u8), 256)])
    single = classes[:, 1] < 0
    pred = logits.argmax(1).numpy()
    acc = float((pred[single] == classes[single, 0]).mean()) if single.any() else float("nan")
    top2 = logits.topk(2, 1).indices.numpy()
    two = ~single
    hit = [set(t) == set(c) for t, c in zip(top2[two], classes[two])]
    top2_rate = float(np.mean(hit)) if two.any() else float("nan")
    return acc, top2_rate


def train(model, data_u8, targets, val, epochs, batch=32, lr=3e-3):
    gen = torch.Generator().manual_seed(SEED_TORCH)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * (len(data_u8) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    lossf = nn.CrossEntropyLoss()  # probability targets (torch >= 1.10)
    model.to(memory_format=torch.channels_last)  # a little faster on CPU
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(data_u8), generator=gen)
        tot = 0.0
        for s in range(len(data_u8) // batch):
            idx = perm[s * batch:(s + 1) * batch]
            x = to_input(data_u8[idx])
            # cheap augmentation: random dihedral transform (the shape classes are invariant to it)
            flip_w, flip_h, transpose = (torch.rand(3, generator=gen) < 0.5).tolist()
            if flip_w:
                x = x.flip(3)
            if flip_h:
                x = x.flip(2)
            if transpose:
                x = x.transpose(2, 3)
            loss = lossf(model(x.contiguous(memory_format=torch.channels_last)), targets[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
        acc, top2 = evaluate(model, *val)
        print(f"epoch {ep + 1}/{epochs}: loss {tot / (s + 1):.4f}  val single-object acc {acc:.4f}  "
              f"two-object top-2 match {top2:.4f}  ({time.time() - t0:.0f}s)", flush=True)
    model.to(memory_format=torch.contiguous_format)
    model.eval()
    return acc, top2


# ----------------------------------------------------------------------------------------------
# output helpers
# ----------------------------------------------------------------------------------------------
def write_png(path, img_u8):
    """Minimal RGB8 PNG writer (zlib only), deterministic bytes."""
    h, w, _ = img_u8.shape
    raw = b"".join(b"\x00" + img_u8[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def save_npy(path, arr):
    arr = np.ascontiguousarray(arr)
    assert arr.dtype in (np.dtype("<f4"), np.dtype("<i8"), np.dtype("|u1")), arr.dtype
    np.lib.format.write_array(open(path, "wb"), arr, version=(1, 0), allow_pickle=False)


def make_fixture(model):
    rng = np.random.default_rng(SEED_FIXTURE)
    bank = NoiseBank(rng)
    n_single, n_two = 40, 20
    imgs, masks, classes = [], [], []
    for i in range(n_single + n_two):
        two = i >= n_single
        cl = [int(i % NUM_CLASSES)] if not two else sample_classes(rng, True)  # balanced singles
        img, m = render_scene(rng, cl, bank)
        full = np.zeros((NUM_CLASSES, RENDER, RENDER), np.float32)
        for c, mk in zip(cl, m):
            full[c] = mk
        mk128 = downsample(torch.from_numpy(full)[None])[0] >= 0.5
        imgs.append(img)
        masks.append(mk128.numpy().astype(np.uint8))
        classes.append(cl + [-1] * (2 - len(cl)))
    inputs = preprocess(np.stack(imgs)).numpy().astype("<f4")
    masks = np.stack(masks).astype(np.uint8)
    classes = np.array(classes, dtype="<i8")
    os.makedirs(FIXTURE_DIR, exist_ok=True)
    save_npy(os.path.join(FIXTURE_DIR, "inputs.npy"), inputs)
    save_npy(os.path.join(FIXTURE_DIR, "masks.npy"), masks)
    save_npy(os.path.join(FIXTURE_DIR, "classes.npy"), classes)
    # report: fixture accuracy and how off-centre the objects are
    with torch.no_grad():
        logits = model(torch.from_numpy(inputs))
    pred = logits.argmax(1).numpy()
    acc = (pred[:n_single] == classes[:n_single, 0]).mean()
    top2 = logits.topk(2, 1).indices.numpy()[n_single:]
    hit = np.mean([set(t) == set(c) for t, c in zip(top2, classes[n_single:])])
    ys, xs = np.mgrid[0:INPUT, 0:INPUT]
    centre_hits, dists = 0, []
    for i in range(len(masks)):
        for c in classes[i]:
            if c < 0:
                continue
            m = masks[i, c].astype(bool)
            centre_hits += int(m[INPUT // 2, INPUT // 2])
            dists.append(np.hypot(ys[m].mean() - INPUT / 2, xs[m].mean() - INPUT / 2))
    n_obj = int((classes >= 0).sum())
    print(f"fixture: {len(inputs)} scenes, single-object acc {acc:.3f}, two-object top-2 match {hit:.3f}; "
          f"centre pixel inside the object for {centre_hits}/{n_obj} objects, "
          f"mean object-centroid distance from image centre {np.mean(dists):.1f}px (of {INPUT})")


DEMO_SCENES = [
    ["circle"], ["triangle"], ["cross"],
    ["circle", "triangle"], ["square", "ring"], ["cross", "circle"], ["triangle", "square"],
]


def make_demo_images(model):
    rng = np.random.default_rng(SEED_DEMO)
    bank = NoiseBank(rng)
    out = os.path.join(HERE, "images")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".png"):
            os.remove(os.path.join(out, f))
    for names in DEMO_SCENES:
        cl = [LABELS.index(n) for n in names]
        for _ in range(50):  # keep a scene the model gets right, so the demo is meaningful
            img, _ = render_scene(rng, cl, bank)
            with torch.no_grad():
                logits = model(preprocess(img[None]))
            top = logits.topk(len(cl), 1).indices[0].tolist()
            if set(top) == set(cl):
                break
        name = "_and_".join(names) + ".png"
        write_png(os.path.join(out, name), img)
        probs = logits.softmax(1)[0]
        print(f"demo/images/{name}: top-{len(cl)} = "
              + ", ".join(f"{LABELS[t]} {probs[t]:.2f}" for t in top))


def main():
    torch.set_num_threads(min(2, torch.get_num_threads()))
    torch.manual_seed(SEED_TORCH)
    t0 = time.time()
    data, targets, _ = make_dataset(SEED_TRAIN, 6000, 4000)
    val_data, _, val_classes = make_dataset(SEED_VAL, 1000, 500)
    print(f"rendered {len(data)} training and {len(val_data)} validation scenes in {time.time() - t0:.0f}s",
          flush=True)

    model = ShapeNet()
    print(f"params: {sum(p.numel() for p in model.parameters())}")
    acc, top2 = train(model, data, targets, (val_data, val_classes), epochs=6)
    print(f"FINAL validation: single-object accuracy {acc:.4f}, two-object scenes with top-2 == present "
          f"classes {top2:.4f}")
    if acc < 0.95 or top2 < 0.8:
        print("WARNING: quality below target (single >= 0.95, two-object top-2 >= 0.8)", file=sys.stderr)

    scripted = torch.jit.script(model.eval())
    scripted.save(os.path.join(HERE, "model.pt"))
    with open(os.path.join(HERE, "labels.txt"), "w") as f:
        f.write("\n".join(LABELS) + "\n")
    with open(os.path.join(HERE, "model.json"), "w") as f:
        json.dump({"model": "model.pt", "labels": "labels.txt", "input_size": INPUT, "mean": MEAN, "std": STD,
                   "layer": "features.4"}, f, indent=2)
        f.write("\n")
    # sanity: the scripted model matches eager
    with torch.no_grad():
        x = to_input(val_data[:8])
        assert torch.allclose(scripted(x), model(x), atol=1e-5)

    make_demo_images(model)
    make_fixture(model)
    print(f"total {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
