"""PyTorch peer of `onnx-tune finetune --freeze head` without feature caching: torchvision
ResNet-18 (random weights, 64x64), the classifier replaced for the folder's classes, backbone
frozen in eval mode, only `fc` trains with AdamW (lr 1e-3, weight decay 0.01), batch 32,
shuffled each epoch, no validation. Images are decoded once (Pillow, /255, NCHW) before the
epochs. Prints JSON: {"load_s", "epoch_s": [...], "train_s"}.
    python scripts/bench/torch_finetune_time.py DATA_DIR [--epochs 10] [--batch 32] [--threads N]
"""
import argparse
import json
import os
import time

import numpy as np
import torch
from PIL import Image

for name in ("nms", "qnms"):
    try:
        torch.library.define(f"torchvision::{name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    except Exception:
        pass
import torchvision  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

start = time.perf_counter()
classes = sorted(d for d in os.listdir(a.data) if os.path.isdir(os.path.join(a.data, d)))
images, labels = [], []
for c, name in enumerate(classes):
    folder = os.path.join(a.data, name)
    for f in sorted(os.listdir(folder)):
        with Image.open(os.path.join(folder, f)) as im:
            images.append(np.asarray(im.convert("RGB"), dtype=np.float32).transpose(2, 0, 1) / 255)
        labels.append(c)
x = torch.from_numpy(np.stack(images))
y = torch.tensor(labels)
load_s = time.perf_counter() - start

m = torchvision.models.resnet18(num_classes=10)
m.fc = torch.nn.Linear(512, len(classes))
m.eval()
for n, q in m.named_parameters():
    q.requires_grad = n.startswith("fc.")
opt = torch.optim.AdamW(m.fc.parameters(), lr=1e-3, weight_decay=0.01)
epoch_s = []
for _ in range(a.epochs):
    t = time.perf_counter()
    order = torch.randperm(len(y))
    for i in range(0, len(y), a.batch):
        idx = order[i:i + a.batch]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x[idx]), y[idx])
        loss.backward()
        opt.step()
    epoch_s.append(time.perf_counter() - t)
print(json.dumps({"load_s": load_s, "epoch_s": epoch_s, "train_s": sum(epoch_s)}))
