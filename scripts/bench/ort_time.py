"""Times onnxruntime on MODEL: median latency in ms over --repeat runs after 2 warm-ups.
The input is uniform [0, 1) like `onnx-tune run --random`. Prints one number."""
import argparse
import time

import numpy as np
import onnxruntime as ort

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("--batch", type=int, default=1)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--repeat", type=int, default=10)
a = p.parse_args()
o = ort.SessionOptions()
o.intra_op_num_threads = a.threads
o.inter_op_num_threads = 1
s = ort.InferenceSession(a.model, o, providers=["CPUExecutionProvider"])
i = s.get_inputs()[0]
shape = [a.batch if not isinstance(d, int) else d for d in i.shape]
x = np.random.default_rng(0).random(shape, dtype=np.float32)
for _ in range(2):
    s.run(None, {i.name: x})
times = []
for _ in range(a.repeat):
    t = time.perf_counter()
    s.run(None, {i.name: x})
    times.append((time.perf_counter() - t) * 1e3)
print(f"{np.median(times):.3f}")
