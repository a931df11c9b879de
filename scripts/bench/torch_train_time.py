"""Times PyTorch training steps (forward, cross-entropy, backward, AdamW) on the benchmark
models, like `onnx-tune benchmark`: a seeded random batch with random labels, median ms of
--repeat steps after one warm-up. --frozen trains only the classifier, with the backbone in
eval mode (BatchNorm on running statistics); otherwise everything trains in train mode.
Prints one number."""
import argparse
import statistics
import time

import torch

for name in ("nms", "qnms"):
    try:
        torch.library.define(f"torchvision::{name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    except Exception:
        pass
import torchvision  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("model", choices=["resnet18_64", "mobilenetv2_96"])
p.add_argument("--batch", type=int, default=32)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--repeat", type=int, default=10)
p.add_argument("--frozen", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
if a.model == "resnet18_64":
    m, size, head = torchvision.models.resnet18(num_classes=10), 64, "fc"
else:
    m, size, head = torchvision.models.mobilenet_v2(num_classes=10), 96, "classifier"
x = torch.rand(a.batch, 3, size, size)
y = torch.randint(0, 10, (a.batch,))
if a.frozen:
    m.eval()
    for n, q in m.named_parameters():
        q.requires_grad = n.startswith(head)
    params = [q for q in m.parameters() if q.requires_grad]
else:
    m.train()
    params = list(m.parameters())
opt = torch.optim.AdamW(params, lr=1e-3)


def step():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(m(x), y)
    loss.backward()
    opt.step()


step()
times = []
for _ in range(a.repeat):
    t = time.perf_counter()
    step()
    times.append((time.perf_counter() - t) * 1e3)
print(f"{statistics.median(times):.3f}")
