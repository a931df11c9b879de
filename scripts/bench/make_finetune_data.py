"""Synthetic image folder for the cached fine-tune benchmark: COUNT 64x64 RGB PNGs in CLASSES
class folders (a class-dependent colour gradient plus noise), seeded. Skips an existing folder
with a matching stamp. Needs numpy and Pillow.
    python scripts/bench/make_finetune_data.py OUT_DIR [--count 512] [--classes 8] [--size 64]
"""
import argparse
import json
import os
import shutil

import numpy as np
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--count", type=int, default=512)
p.add_argument("--classes", type=int, default=8)
p.add_argument("--size", type=int, default=64)
a = p.parse_args()
stamp = {"count": a.count, "classes": a.classes, "size": a.size, "seed": 0}
stamp_path = os.path.join(a.out, "stamp.json")
if os.path.exists(stamp_path):
    with open(stamp_path) as f:
        if json.load(f) == stamp:
            raise SystemExit(0)
shutil.rmtree(a.out, ignore_errors=True)
rng = np.random.default_rng(0)
y, x = np.mgrid[0:a.size, 0:a.size].astype(np.float32) / a.size
for i in range(a.count):
    c = i % a.classes
    folder = os.path.join(a.out, "train", f"class{c:02d}")
    os.makedirs(folder, exist_ok=True)
    angle = 2 * np.pi * c / a.classes
    base = np.stack([
        128 + 100 * np.sin(6 * (x * np.cos(angle) + y * np.sin(angle)) + k) for k in range(3)
    ], axis=-1)
    img = np.clip(base + rng.normal(0, 30, base.shape), 0, 255).astype(np.uint8)
    Image.fromarray(img).save(os.path.join(folder, f"img{i:05d}.png"))
with open(stamp_path, "w") as f:
    json.dump(stamp, f)
print(f"wrote {a.count} images in {a.classes} classes to {a.out}/train")
