#!/usr/bin/env python3
"""Image decoding + preprocessing benchmark, Pillow + NumPy side (and image generation).

    bench-data.py generate <folder> [count]   writes count 640x480 JPEGs, count/4 500x375 PNGs
                                              and count/4 2000x1500 JPEGs
    bench-data.py run <folder> [repeats]      times Pillow + NumPy doing tune-data-bench's work

Work per image (same as Sources/TuneDataBench): decode, RGB, resize the shorter side to 256
with BILINEAR (antialiased), center crop 224x224, /255, ImageNet mean/std, NCHW float32.
The "-draft" set lets libjpeg decode at 1/2, 1/4 or 1/8 scale first (Image.draft to at least
512x512 on both sides; TuneData's fastJPEGDownscaling picks the same scale).
Pinned: Pillow==13.0.0, numpy==2.4.6. Single thread on both sides; best of `repeats`.
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def photo(rng, w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    fx, fy, ph = rng.uniform(0.005, 0.05, 3)
    base = np.stack([
        127 + 100 * np.sin(x * fx + ph * 7),
        127 + 100 * np.cos(y * fy + ph * 3),
        127 + 60 * np.sin((x + y) * (fx + fy) / 2),
    ], axis=-1)
    noise = rng.normal(0, 12, (h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def generate(folder, count):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        img = photo(rng, 640, 480)
        Image.fromarray(img).save(os.path.join(folder, f"img{i:04d}.jpg"), quality=90)
        if i % 4 == 0:
            Image.fromarray(img[:375, :500]).save(os.path.join(folder, f"img{i:04d}.png"))
            big = photo(rng, 2000, 1500)
            Image.fromarray(big).save(os.path.join(folder, f"large{i:04d}.jpg"), quality=90)


def preprocess(path, draft=False):
    with Image.open(path) as im:
        if draft:  # what fastJPEGDownscaling does: keep at least twice the resize target
            im.draft("RGB", (512, 512))
        im = im.convert("RGB")
        w, h = im.size
        if w <= h:
            size = (256, int(256 * h / w))
        else:
            size = (int(256 * w / h), 256)
        im = im.resize(size, Image.Resampling.BILINEAR)
        left = int(round((size[0] - 224) / 2.0))
        top = int(round((size[1] - 224) / 2.0))
        im = im.crop((left, top, left + 224, top + 224))
        a = np.asarray(im, dtype=np.float32) / 255.0
    a = (a - MEAN) / STD
    return np.ascontiguousarray(a.transpose(2, 0, 1))


def run(folder, repeats):
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith((".jpg", ".png")))
    base = os.path.basename
    sets = (
        ("jpeg-640x480", [f for f in files if base(f).startswith("img") and f.endswith(".jpg")], False),
        ("png-500x375", [f for f in files if base(f).startswith("img") and f.endswith(".png")], False),
        ("jpeg-2000x1500", [f for f in files if base(f).startswith("large")], False),
        ("jpeg-2000x1500-draft", [f for f in files if base(f).startswith("large")], True),
    )
    jpegs = sets[0][1]
    if jpegs:
        best = float("inf")
        checksum = 0.0
        for _ in range(repeats):
            start = time.perf_counter()
            for p in jpegs:
                with Image.open(p) as im:
                    im.load()
                    checksum += im.getpixel((1000 // 3 % im.size[0], 1000 // 3 // im.size[0]))[1000 % 3]
            best = min(best, time.perf_counter() - start)
        decode_only = {"impl": "pillow+numpy", "set": "jpeg-640x480-decode-only", "images": len(jpegs),
                       "seconds": best, "images_per_second": len(jpegs) / best, "checksum": checksum / repeats}
    for name, paths, draft in sets:
        if not paths:
            continue
        best = float("inf")
        checksum = 0.0
        for _ in range(repeats):
            start = time.perf_counter()
            for p in paths:
                checksum += float(preprocess(p, draft).reshape(-1)[1000])
            best = min(best, time.perf_counter() - start)
        print(json.dumps({"impl": "pillow+numpy", "set": name, "images": len(paths), "seconds": best,
                          "images_per_second": len(paths) / best, "checksum": checksum / repeats}))
    if jpegs:
        print(json.dumps(decode_only))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 64)
    elif len(sys.argv) >= 3 and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    else:
        print(__doc__)
        sys.exit(2)
