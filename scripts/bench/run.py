"""The benchmark driver behind scripts/bench.sh: runs each section side by side with its peer in
the same run, keeps each section's results as JSON (RESULTS_DIR/<section>.json) and writes
BENCHMARKS.md from all of them plus the hand-written notes in scripts/bench/notes.md.

    python scripts/bench/run.py --bin-dir .build/release [--quick] [--only SECTION[,SECTION]]
                                [--out FILE] [--results DIR] [--report-only]

Run it through scripts/bench.sh, which builds the release binaries and picks the venv.
Progress goes to stderr; nothing but the report is written outside the results folder.
"""
import argparse
import csv
import ctypes
import ctypes.util
import datetime
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "scripts", "bench")
SECTIONS = ["inference", "train", "kernels", "read", "memory", "finetune", "data"]
TITLES = {
    "inference": "Inference vs onnxruntime",
    "train": "Training step vs PyTorch",
    "kernels": "Convolution and GEMM throughput vs `cblas_sgemm`",
    "read": "Reading a model vs Python's `onnx.load`",
    "memory": "Training peak memory vs PyTorch",
    "finetune": "Cached frozen-backbone fine-tune vs PyTorch",
    "data": "Image decoding and preprocessing vs Pillow + NumPy",
}
MODELS = ["resnet18_64", "mobilenetv2_96"]
T0 = time.monotonic()


def log(message):
    print(f"[bench {time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def run(cmd, env=None, cwd=ROOT, check=True):
    """Runs cmd; returns stdout. On failure shows stderr and raises."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, cwd=cwd, env=full_env, text=True, capture_output=True)
    if check and p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        raise RuntimeError(f"command failed ({p.returncode}): {shlex.join(cmd)}")
    return p.stdout


def peak_rss(cmd, env=None):
    """Runs cmd under /usr/bin/time -v; returns (stdout, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = run(["/usr/bin/time", "-v", "-o", t.name] + cmd, env=env)
        kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t.read()).group(1))
    return out, kib * 1024 / 1e6


def median_ms(text):
    """The median of `... median X ms ...` lines of onnx-tune run / benchmark."""
    m = re.search(r"median ([0-9.]+) ms", text)
    if not m:
        raise RuntimeError(f"no median in output: {text[-500:]}")
    return float(m.group(1))


def paired(ours, theirs, rounds):
    """Runs the callables ours() and theirs() in `rounds` alternating pairs (each returns ms) and
    returns the medians of each side and of the pairs' ratios: a slow spell on a shared machine
    then hits both sides of a pair, and one bad pair does not move the result."""
    pairs = []
    for _ in range(rounds):
        a = ours()
        b = theirs()
        pairs.append((a, b))
    median = statistics.median
    return {"ours_ms": median([a for a, _ in pairs]), "peer_ms": median([b for _, b in pairs]),
            "ratio": median([a / b for a, b in pairs]), "rounds_ms": [[round(a, 3), round(b, 3)] for a, b in pairs]}


def rounds_text(r):
    """How a section's rows were paired (older results ran each side once)."""
    n = r.get("rounds", 1)
    if n <= 1:
        return ""
    return (f", in {n} alternating rounds (ours, then the peer's, {n} times); each time is the median "
            "over the rounds and the ratio the median of the rounds' ratios")


def threads_env(n):
    return {"OPENBLAS_NUM_THREADS": str(n), "OMP_NUM_THREADS": str(n)}


# --- machine and versions --------------------------------------------------------------------------


def openblas_facts():
    facts = {}
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        for fn in ("openblas_get_config", "openblas_get_corename"):
            f = getattr(lib, fn)
            f.restype = ctypes.c_char_p
            facts[fn[len("openblas_get_"):]] = f().decode()
        facts["default_threads"] = lib.openblas_get_num_threads()
        break
    return facts


def machine_facts():
    cpu = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            cpu.setdefault(k.strip(), v.strip())
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    os_name = ""
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    versions = {}
    for mod in ("onnxruntime", "torch", "torchvision", "onnx", "numpy", "PIL"):
        try:
            if mod == "torchvision":
                import torch
                for name in ("nms", "qnms"):
                    try:
                        torch.library.define(
                            f"torchvision::{name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
                    except Exception:
                        pass
            versions[mod] = __import__(mod).__version__
        except Exception as e:  # reported, not fatal: a section that needs it fails on its own
            versions[mod] = f"unavailable ({type(e).__name__})"
    swift = run(["swift", "--version"], check=False).splitlines()
    commit = run(["git", "rev-parse", "--short", "HEAD"], check=False).strip()
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"], check=False).strip()
    return {
        "cpu": cpu.get("model name", "?"),
        "nproc": int(run(["nproc"]).strip()),
        "flags_avx2": "avx2" in cpu.get("flags", "").split(),
        "flags_avx512f": "avx512f" in cpu.get("flags", "").split(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": os_name,
        "kernel": os.uname().release,
        "swift": swift[0] if swift else "?",
        "openblas": openblas_facts(),
        "python": sys.version.split()[0],
        "versions": versions,
        "commit": commit + ("+dirty" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": os.getloadavg()[0],
    }


# --- sections --------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.bin = lambda name: os.path.join(args.bin_dir, name)
        self.python = sys.executable
        self.cache = os.environ.get("ONNX_TUNE_CACHE", os.path.join(ROOT, "cache"))
        self.bench_dir = os.path.join(self.cache, "bench")
        self.big_batch = 8 if self.quick else 32

    def models(self):
        paths = {m: os.path.join(self.bench_dir, m + ".onnx") for m in MODELS}
        if not all(os.path.exists(p) for p in paths.values()):
            log("making the benchmark models (scripts/bench/make_bench_models.py)")
            run([self.python, os.path.join(HERE, "make_bench_models.py"), self.bench_dir])
        return paths

    def inference(self):
        paths = self.models()
        repeat = 3 if self.quick else 10
        rounds = 1 if self.quick else 3
        rows = []
        for model in MODELS:
            for batch in (1, self.big_batch):
                for threads in (1, 2):
                    log(f"inference {model} batch {batch} threads {threads}")
                    ours = lambda: median_ms(run(
                        [self.bin("onnx-tune"), "run", paths[model], "--random", "--batch", str(batch),
                         "--repeat", str(repeat), "--warmup", "2", "--threads", str(threads), "--top-k", "0"],
                        env=threads_env(threads)))
                    theirs = lambda: float(run(
                        [self.python, os.path.join(HERE, "ort_time.py"), paths[model], "--batch", str(batch),
                         "--threads", str(threads), "--repeat", str(repeat)], env=threads_env(threads)))
                    rows.append({"model": model, "batch": batch, "threads": threads, **paired(ours, theirs, rounds)})
        return {"repeat": repeat, "rounds": rounds, "rows": rows}

    def _train_commands(self, path, model, mode, threads, repeat, batch):
        ours = [self.bin("onnx-tune"), "benchmark", path, "--batch", str(batch),
                "--freeze", "head" if mode == "frozen" else "none", "--repeat", str(repeat), "--threads", str(threads)]
        theirs = [self.python, os.path.join(HERE, "torch_train_time.py"), model, "--batch", str(batch),
                  "--threads", str(threads), "--repeat", str(repeat)] + (["--frozen"] if mode == "frozen" else [])
        return ours, theirs

    def train(self):
        paths = self.models()
        repeat = 2 if self.quick else 5
        rounds = 1 if self.quick else 3
        rows = []
        for model in MODELS:
            for mode in ("frozen", "full"):
                for threads in (1, 2):
                    log(f"train {model} {mode} threads {threads}")
                    ours_cmd, torch_cmd = self._train_commands(paths[model], model, mode, threads, repeat, self.big_batch)
                    ours = lambda: median_ms(run(ours_cmd, env=threads_env(threads)))
                    theirs = lambda: float(run(torch_cmd, env=threads_env(threads)))
                    rows.append({"model": model, "mode": mode, "threads": threads, **paired(ours, theirs, rounds)})
        return {"repeat": repeat, "rounds": rounds, "batch": self.big_batch, "rows": rows}

    def memory(self):
        paths = self.models()
        repeat = 1 if self.quick else 2
        runs = 1 if self.quick else 3
        log("memory baselines")
        _, ours_base = peak_rss([self.bin("onnx-tune"), "--help"])
        _, torch_base = peak_rss([self.python, "-c", (
            "import torch\nfor n in ('nms', 'qnms'):\n  try: torch.library.define(f'torchvision::{n}', "
            "'(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')\n  except Exception: pass\n"
            "import torchvision")])
        rows = []
        for model in MODELS:
            for mode in ("frozen", "full"):
                log(f"memory {model} {mode}")
                ours_cmd, torch_cmd = self._train_commands(paths[model], model, mode, 1, repeat, self.big_batch)
                # The median of alternating runs: our peak moves by up to ~10% from run to run
                # (Swift seeds its hashing per process, which reorders allocations).
                ours_runs, theirs_runs = [], []
                for _ in range(runs):
                    ours_runs.append(peak_rss(ours_cmd, env=threads_env(1))[1])
                    theirs_runs.append(peak_rss(torch_cmd, env=threads_env(1))[1])
                ours, theirs = statistics.median(ours_runs), statistics.median(theirs_runs)
                rows.append({"model": model, "mode": mode, "ours_mb": ours, "peer_mb": theirs,
                             "ours_runs": ours_runs, "peer_runs": theirs_runs,
                             "ratio": ours / theirs,
                             "ratio_net": (ours - ours_base) / max(1e-9, theirs - torch_base)})
        return {"repeat": repeat, "runs": runs, "batch": self.big_batch, "ours_base_mb": ours_base,
                "torch_base_mb": torch_base, "rows": rows}

    def kernels(self):
        paths = self.models()
        repeat = 2 if self.quick else 10
        passes = 1 if self.quick else 2
        rows = []
        for model in MODELS:
            for threads in (1, 2):
                log(f"kernels {model} threads {threads}")
                cmd = [self.bin("tune-kernel-bench"), paths[model], "--batch", str(self.big_batch),
                       "--threads", str(threads), "--repeat", str(repeat), "--json",
                       "--min-time", "0.02" if self.quick else "0.2"]
                if model == "resnet18_64":
                    cmd.append("--backward")
                # Each op's best time over `passes` processes, ours and sgemm's alike: on this
                # shared machine a second core can be taken away for seconds, which no number of
                # repeats inside one process gets past.
                best = {}
                for _ in range(passes):
                    for line in run(cmd, env=threads_env(threads)).splitlines():
                        if not line.strip():
                            continue
                        r = json.loads(line)
                        r["threads"] = threads
                        key = (r["node"], r["pass"])
                        if key not in best:
                            best[key] = r
                            continue
                        b = best[key]
                        for f in ("ours", "sgemm"):
                            if float(r[f + "_ms"]) < float(b[f + "_ms"]):
                                b[f + "_ms"], b[f + "_gflops"] = r[f + "_ms"], r[f + "_gflops"]
                        b["ratio"] = f"{float(b['sgemm_ms']) / float(b['ours_ms']):.2f}"
                rows.extend(best.values())
        return {"repeat": repeat, "passes": passes, "batch": self.big_batch, "rows": rows}

    def read(self):
        runs = 3 if self.quick else 10
        log("read (scripts/bench-read.sh)")
        out = run(["bash", os.path.join(ROOT, "scripts", "bench-read.sh")],
                  env={"SKIP_BUILD": "1", "BIN": self.bin("onnx-tune"), "PYTHON": self.python,
                       "RUNS": str(runs), "ONNX_TUNE_CACHE": self.cache})
        table = [line for line in out.splitlines() if line.startswith("|")]
        heading = next((line for line in out.splitlines() if line.startswith("## ")), "")
        heading = heading.lstrip("# ").strip().replace("Reader benchmark: ", "").replace(self.bench_dir + "/", "")
        return {"runs": runs, "heading": heading, "table": table}

    def finetune(self):
        paths = self.models()
        count, epochs = (128, 3) if self.quick else (512, 10)
        thread_counts = (2,) if self.quick else (1, 2)
        data = os.path.join(self.bench_dir, f"finetune-{count}")
        run([self.python, os.path.join(HERE, "make_finetune_data.py"), data, "--count", str(count)])
        train_dir = os.path.join(data, "train")
        helptext = run([self.bin("onnx-tune"), "finetune", "--help"], check=False)
        has_cache_flag = "--cache-features" in helptext
        rows, messages = [], []
        if not has_cache_flag:
            messages.append("`onnx-tune finetune` has no `--cache-features` flag in this build: the cached row is "
                            "skipped and the uncached row runs without the flag.")
            log("finetune: --cache-features is not supported by this build; skipping the cached row")
        for threads in thread_counts:
            for cache in ("auto", "off"):
                if cache == "auto" and not has_cache_flag:
                    rows.append({"who": "onnx-tune", "cache": cache, "threads": threads, "skipped": True})
                    continue
                log(f"finetune onnx-tune --cache-features {cache}, threads {threads}, {epochs} epochs")
                with tempfile.TemporaryDirectory() as tmp:
                    out = os.path.join(tmp, "tuned.onnx")
                    cmd = [self.bin("onnx-tune"), "finetune", paths["resnet18_64"], "--data", train_dir,
                           "--out", out, "--freeze", "head", "--epochs", str(epochs), "--batch-size", "32",
                           "--val-split", "0", "--patience", "0", "--seed", "0", "--threads", str(threads)]
                    if has_cache_flag:
                        cmd += ["--cache-features", cache]
                    start = time.perf_counter()
                    stdout = run(cmd, env=threads_env(threads))
                    wall = time.perf_counter() - start
                    with open(out + ".history.csv") as f:
                        epoch_s = [float(r["seconds"]) for r in csv.DictReader(f)]
                # "feature cache: memory (512 samples of [512, 1, 1] floats ...; computed in 1.23 s)"
                # or "feature cache: off (reason)".
                used = re.search(r"feature cache: (\w+) \(.*computed in ([0-9.]+) s\)", stdout)
                refused = re.search(r"feature cache: off \((.*)\)", stdout)
                rows.append({"who": "onnx-tune", "cache": cache, "threads": threads, "epoch_s": epoch_s,
                             "train_s": sum(epoch_s), "total_s": wall,
                             "storage": used.group(1) if used else "off",
                             "cache_s": float(used.group(2)) if used else None,
                             "off_reason": refused.group(1) if refused else None})
                if cache == "auto" and not used:
                    log(f"finetune: --cache-features auto did not cache: {refused.group(1) if refused else '?'}")
            log(f"finetune PyTorch, threads {threads}, {epochs} epochs")
            r = json.loads(run([self.python, os.path.join(HERE, "torch_finetune_time.py"), train_dir,
                                "--epochs", str(epochs), "--batch", "32", "--threads", str(threads)],
                               env=threads_env(threads)))
            rows.append({"who": "PyTorch", "cache": "off", "threads": threads, "epoch_s": r["epoch_s"],
                         "train_s": r["train_s"], "total_s": r["train_s"] + r["load_s"]})
        return {"images": count, "epochs": epochs, "messages": messages, "rows": rows}

    def data(self):
        count, repeats, rounds = (16, 1, 1) if self.quick else (64, 3, 3)
        log("data (scripts/bench-data.sh)")
        out = run(["bash", os.path.join(ROOT, "scripts", "bench-data.sh"), str(count), str(repeats)],
                  env={"PYTHON": self.python, "ROUNDS": str(rounds)})
        rows = []
        pattern = re.compile(r"^(\S+): (\d+) images, TuneData ([0-9.]+) img/s, Pillow\+NumPy ([0-9.]+) img/s, "
                             r"ratio ([0-9.]+)x")
        for line in out.splitlines():
            m = pattern.match(line)
            if m:
                rows.append({"set": m.group(1), "images": int(m.group(2)), "ours": float(m.group(3)),
                             "peer": float(m.group(4)), "ratio": float(m.group(5))})
        return {"count": count, "repeats": repeats, "rounds": rounds, "rows": rows}


# --- report ----------------------------------------------------------------------------------------


def yes(ok):
    return "yes" if ok else "**no**"


def fmt_targets(ratio, targets):
    """targets: [(label, limit, 'le'|'ge')] → (target cell, met cell)."""
    cells = [(f"{'≤' if kind == 'le' else '≥'} {limit:.1f}",
              yes(ratio <= limit if kind == "le" else ratio >= limit)) for _, limit, kind in targets]
    return " · ".join(c[0] for c in cells), " · ".join(c[1] for c in cells)


def report(results, notes, facts, quick):
    """BENCHMARKS.md text from the sections' results (dict section → result)."""
    out = []
    w = out.append
    summary = []  # (target, rows, met, worst)
    w("# Benchmarks\n")
    w("<!-- Generated by scripts/bench.sh (scripts/bench/run.py); edit scripts/bench/notes.md for the prose. -->\n")
    if quick:
        w("> **Quick mode** (`scripts/bench.sh --quick`): few repeats and batch 8 instead of 32 — for "
          "development only, not for quoting.\n")
    w(notes.get("intro", "").strip() + "\n")
    m = facts
    ob = m["openblas"]
    v = m["versions"]
    w("## Machine and versions\n")
    w(f"- {m['cpu']}, `nproc` {m['nproc']} (AVX2 {yes(m['flags_avx2'])}, AVX-512 {yes(m['flags_avx512f'])}), "
      f"{m['memory_gib']} GiB, {m['os']}, Linux {m['kernel']}")
    w(f"- {m['swift']}")
    w(f"- OpenBLAS: `{ob.get('config', '?')}`, core `{ob.get('corename', '?')}` (`onnx-tune` runs it with "
      f"`{ob.get('ours', '?')}`), "
      f"default threads {ob.get('default_threads', '?')}; every row sets its thread count explicitly "
      "(ours: `--threads N` + `OPENBLAS_NUM_THREADS=N`; onnxruntime: `intra_op_num_threads = N`, "
      "`inter_op_num_threads = 1`; PyTorch: `torch.set_num_threads(N)` + `OMP_NUM_THREADS=N`)")
    w(f"- Python {m['python']}: onnxruntime {v.get('onnxruntime')}, torch {v.get('torch')}, "
      f"torchvision {v.get('torchvision')}, onnx {v.get('onnx')}, numpy {v.get('numpy')}, Pillow {v.get('PIL')}")
    w(f"- onnx-tune commit {m['commit']}; run {m['date']}, load average {m['load_before']:.2f} at the start"
      f"{', %.2f at the end' % m['load_after'] if 'load_after' in m else ''}\n")

    body = []
    b = body.append
    for section in SECTIONS:
        if section not in results:
            continue
        r = results[section]
        b(f"## {TITLES[section]}\n")
        stamp = r.get("_meta", {})
        if stamp and stamp.get("date") != facts["date"]:
            b(f"_From an earlier run: {stamp.get('date')}, commit {stamp.get('commit')}._\n")
        if section == "inference":
            b(f"Median of {r['repeat']} runs after warm-up, random input (`onnx-tune run --random`; "
              f"scripts/bench/ort_time.py){rounds_text(r)}. Ratio = ours / onnxruntime (below 1: we are faster). "
              "Targets on the large-batch rows: ≤ 1.2 (issue 8) · ≤ 2.0 (issue 3).\n")
            b("| model | batch | threads | onnx-tune ms | onnxruntime ms | ratio | target | met? |")
            b("|---|---:|---:|---:|---:|---:|---|---|")
            big = [x for x in r["rows"] if x["batch"] > 1]
            for x in r["rows"]:
                t, ok = fmt_targets(x["ratio"], [("8", 1.2, "le"), ("3", 2.0, "le")]) if x["batch"] > 1 else ("—", "")
                b(f"| {x['model']} | {x['batch']} | {x['threads']} | {x['ours_ms']:.2f} | {x['peer_ms']:.2f} | "
                  f"{x['ratio']:.2f} | {t} | {ok} |")
            b("")
            if big:
                worst = max(x["ratio"] for x in big)
                summary.append((f"inference, batch {big[0]['batch']}, ≤ 1.2x onnxruntime", len(big),
                                sum(x["ratio"] <= 1.2 for x in big), f"{worst:.2f}"))
                summary.append((f"inference, batch {big[0]['batch']}, ≤ 2.0x onnxruntime (issue 3)", len(big),
                                sum(x["ratio"] <= 2.0 for x in big), f"{worst:.2f}"))
        elif section == "train":
            b(f"One step at batch {r['batch']} (forward, softmax cross-entropy, backward, AdamW), median of "
              f"{r['repeat']} after a warm-up step: `onnx-tune benchmark` vs scripts/bench/torch_train_time.py"
              f"{rounds_text(r)}. "
              "`frozen` = `--freeze head` (backbone in inference mode; PyTorch: eval mode, only the classifier "
              "requires gradients), `full` = everything trains. Ratio = ours / PyTorch. "
              "Targets: ≤ 1.2 (issue 8) · ≤ 2.0 (issue 5).\n")
            b("| model | trainable | threads | onnx-tune ms | PyTorch ms | ratio | target | met? |")
            b("|---|---|---:|---:|---:|---:|---|---|")
            for x in r["rows"]:
                t, ok = fmt_targets(x["ratio"], [("8", 1.2, "le"), ("5", 2.0, "le")])
                b(f"| {x['model']} | {x['mode']} | {x['threads']} | {x['ours_ms']:.1f} | {x['peer_ms']:.1f} | "
                  f"{x['ratio']:.2f} | {t} | {ok} |")
            b("")
            rows = r["rows"]
            if rows:
                worst = max(x["ratio"] for x in rows)
                summary.append((f"training step, batch {r['batch']}, ≤ 1.2x PyTorch", len(rows),
                                sum(x["ratio"] <= 1.2 for x in rows), f"{worst:.2f}"))
                summary.append((f"training step, batch {r['batch']}, ≤ 2.0x PyTorch (issue 5)", len(rows),
                                sum(x["ratio"] <= 2.0 for x in rows), f"{worst:.2f}"))
        elif section == "kernels":
            b(f"`tune-kernel-bench MODEL --batch {r['batch']} --threads N`: each Conv/Gemm node's own `forward` "
              "(built from the node through the op registry, as the executor does, on random inputs of the "
              "inferred shapes) vs `cblas_sgemm` on the node's whole GEMM shape (M = C_out/group, "
              "N = batch·H_out·W_out, K = C_in/group·kH·kW, one call per group), same thread count, taking turns; "
              f"best of at least {r['repeat']} runs in each of {r.get('passes', 1)} processes (ours and sgemm each "
              "their own best). GFLOP/s counts 2·M·N·K·group for both; ratio = ours / sgemm (1.0 = the BLAS "
              "limit). Target: every ResNet-18 convolution ≥ 0.70 at 1 and 2 threads; depthwise convolutions "
              "(MobileNetV2) and the Gemm head have none.\n")
            for model in MODELS:
                fwd = [x for x in r["rows"] if x["model"] == model and x["pass"] == "forward"]
                if not fwd:
                    continue
                b(f"**{model}**, forward, batch {r['batch']}:\n")
                b("| node | input → output | M | N | K | group | 1 thread: ours / sgemm GFLOP/s | ratio | "
                  "2 threads: ours / sgemm GFLOP/s | ratio | target | met? |")
                b("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
                by_node = {}
                for x in fwd:
                    by_node.setdefault(x["node"], {})[x["threads"]] = x
                met = total = 0
                worst = None
                for node, per in by_node.items():
                    x = next(iter(per.values()))
                    depthwise = x["op"] == "Conv" and int(x["group"]) > 1
                    targeted = x["op"] == "Conv" and not depthwise
                    cells = []
                    ratios = []
                    for th in (1, 2):
                        y = per.get(th)
                        if y:
                            cells += [f"{float(y['ours_gflops']):.1f} / {float(y['sgemm_gflops']):.1f}",
                                      f"{float(y['ratio']):.2f}"]
                            ratios.append(float(y["ratio"]))
                        else:
                            cells += ["", ""]
                    if targeted:
                        ok = all(q >= 0.7 for q in ratios)
                        t, okc = "≥ 0.70", yes(ok)
                        if model == "resnet18_64":
                            total += 1
                            met += ok
                            worst = min([worst] + ratios if worst is not None else ratios)
                    else:
                        t, okc = "—", ("depthwise" if depthwise else "")
                    short = node.replace("/Conv", "").replace("/Gemm", "").lstrip("/")
                    b(f"| {short} | {x['input']} → {x['output']} | {x['M']} | {x['N']} | {x['K']} | {x['group']} | "
                      + " | ".join(cells) + f" | {t} | {okc} |")
                b("")
                if model == "resnet18_64" and total:
                    summary.append((f"ResNet-18 convolutions ≥ 0.70 of sgemm (1 and 2 threads, batch {r['batch']})",
                                    total, met, f"{worst:.2f}"))
            back = [x for x in r["rows"] if x["pass"] == "backward"]
            if back:
                b(f"**resnet18_64**, Conv gradient (dX and dW through the op's `backward`; 2x the forward's "
                  "FLOPs, compared with sgemm's forward rate), no target:\n")
                b("| node | threads | ours ms | ours GFLOP/s | sgemm GFLOP/s | ratio |")
                b("|---|---:|---:|---:|---:|---:|")
                for x in back:
                    short = x["node"].replace("/Conv", "").lstrip("/")
                    b(f"| {short} | {x['threads']} | {float(x['ours_ms']):.2f} | {float(x['ours_gflops']):.1f} | "
                      f"{float(x['sgemm_gflops']):.1f} | {float(x['ratio']):.2f} |")
                b("")
        elif section == "read":
            b(f"scripts/bench-read.sh, warm page cache: {r['heading']}. "
              "No target (issue 2 asked for the ratio and the memory against the weights' size).\n")
            body.extend(r["table"])
            b("")
        elif section == "memory":
            b(f"Peak RSS (`/usr/bin/time -v`, Maximum resident set size) of the whole process running "
              f"{r['repeat']} training steps plus a warm-up at batch {r['batch']}, 1 thread, median of "
              f"{r.get('runs', 1)} alternating runs: `onnx-tune benchmark` vs "
              f"scripts/bench/torch_train_time.py. Baselines: `onnx-tune --help` {r['ours_base_mb']:.1f} MB; "
              f"`import torch, torchvision` {r['torch_base_mb']:.1f} MB. \"net\" subtracts each side's baseline. "
              "Target: ours ≤ PyTorch's (ratio ≤ 1.0), shown for the whole-process and the net ratio.\n")
            b("| model | trainable | onnx-tune MB | PyTorch MB | ratio | net ratio | target | met? |")
            b("|---|---|---:|---:|---:|---:|---|---|")
            for x in r["rows"]:
                ok = f"{yes(x['ratio'] <= 1.0)} · {yes(x['ratio_net'] <= 1.0)}"
                b(f"| {x['model']} | {x['mode']} | {x['ours_mb']:.1f} | {x['peer_mb']:.1f} | {x['ratio']:.2f} | "
                  f"{x['ratio_net']:.2f} | ≤ 1.0 · net ≤ 1.0 | {ok} |")
            b("")
            rows = r["rows"]
            if rows:
                summary.append((f"training peak memory ≤ PyTorch's (whole process, batch {r['batch']})", len(rows),
                                sum(x["ratio"] <= 1.0 for x in rows), f"{max(x['ratio'] for x in rows):.2f}"))
                summary.append((f"training peak memory ≤ PyTorch's (net of `import`, batch {r['batch']})",
                                len(rows), sum(x["ratio_net"] <= 1.0 for x in rows),
                                f"{max(x['ratio_net'] for x in rows):.2f}"))
        elif section == "finetune":
            b(f"ResNet-18 at 64x64 with a frozen backbone, {r['epochs']} epochs over {r['images']} synthetic "
              "64x64 PNGs in 8 classes (scripts/bench/make_finetune_data.py), batch 32, AdamW, no validation. "
              "Ours: `onnx-tune finetune MODEL --data DIR --freeze head --val-split 0 --patience 0 "
              "--cache-features auto|off`, timed as the whole command (read, decode, cache, train, export and "
              "its check); per-epoch times from its history (the feature caching runs before epoch 1 and is "
              "shown on its own). PyTorch: scripts/bench/torch_finetune_time.py, "
              "backbone in eval mode, only `fc` trains, no caching; its total = decoding + epochs (import and "
              "model construction excluded). Speed-up in total = PyTorch total / ours total; per epoch = the "
              "ratio of the median epoch after the first. Target: cached ≥ 10x in total.\n")
            for msg in r.get("messages", []):
                b(f"> {msg}\n")
            b("| threads | run | features cached | caching s | epoch 1 s | later epochs s (median) | epochs s | "
              "total s | speed-up per epoch | speed-up in total | target | met? |")
            b("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
            peers = {x["threads"]: x for x in r["rows"] if x["who"] == "PyTorch"}
            for x in r["rows"]:
                label = "PyTorch, no cache" if x["who"] == "PyTorch" else f"onnx-tune `--cache-features {x['cache']}`"
                if x.get("skipped"):
                    b(f"| {x['threads']} | {label} | skipped: the flag is not in this build | | | | | | | | ≥ 10 | |")
                    summary.append((f"cached {r['epochs']}-epoch frozen fine-tune ≥ 10x faster than PyTorch "
                                    f"({x['threads']} threads)", 1, 0, "skipped"))
                    continue
                e = x["epoch_s"]
                typical = statistics.median(e[1:]) if len(e) > 1 else e[0]
                peer = peers.get(x["threads"])
                speed = epoch_speed = None
                if peer and x["who"] != "PyTorch":
                    speed = peer["total_s"] / x["total_s"]
                    pe = peer["epoch_s"]
                    epoch_speed = (statistics.median(pe[1:]) if len(pe) > 1 else pe[0]) / typical
                if x["who"] == "PyTorch":
                    cached, caching = "no", ""
                elif x.get("storage", "off") != "off":
                    cached, caching = x["storage"], f"{x['cache_s']:.2f}"
                else:
                    cached, caching = "no" + (f" ({x['off_reason']})" if x.get("off_reason") else ""), ""
                t = ok = ""
                if speed is not None and x["cache"] == "auto":
                    t, ok = "≥ 10", yes(speed >= 10)
                    summary.append((f"cached {r['epochs']}-epoch frozen fine-tune ≥ 10x faster than PyTorch "
                                    f"({x['threads']} threads)", 1, int(speed >= 10), f"{speed:.1f}x"))
                b(f"| {x['threads']} | {label} | {cached} | {caching} | {e[0]:.2f} | {typical:.2f} | "
                  f"{x['train_s']:.2f} | {x['total_s']:.2f} | "
                  f"{'%.1fx' % epoch_speed if epoch_speed is not None else ''} | "
                  f"{'%.1fx' % speed if speed is not None else ''} | {t} | {ok} |")
            b("")
        elif section == "data":
            b(f"scripts/bench-data.sh {r['count']} {r['repeats']} (ROUNDS={r['rounds']}): decode, resize "
              "(shorter side 256, antialiased bilinear), center-crop 224, ImageNet normalization, NCHW, single "
              "thread on both sides; best round of each. Ratio = ours img/s / Pillow's (above 1: we are faster). "
              "No target.\n")
            b("| images | TuneData img/s | Pillow + NumPy img/s | ratio |")
            b("|---|---:|---:|---:|")
            for x in r["rows"]:
                b(f"| {x['set']} ({x['images']}) | {x['ours']:.1f} | {x['peer']:.1f} | {x['ratio']:.2f}x |")
            b("")
        note = notes.get(section, "").strip()
        if note:
            b(note + "\n")

    if summary:
        w("## Targets at a glance\n")
        w("| target | rows | met | worst ratio |")
        w("|---|---:|---:|---:|")
        for target, n, met, worst in summary:
            w(f"| {target} | {n} | {met}/{n} | {worst} |")
        w("")
    out.extend(body)
    tail = notes.get("end", "").strip()
    if tail:
        out.append(tail + "\n")
    return "\n".join(out).rstrip() + "\n"


def read_notes():
    """scripts/bench/notes.md split at `<!-- section: NAME -->` markers."""
    path = os.path.join(HERE, "notes.md")
    notes, current = {}, None
    if not os.path.exists(path):
        return notes
    with open(path) as f:
        for line in f:
            m = re.match(r"<!-- section: (\w+) -->", line.strip())
            if m:
                current = m.group(1)
                notes[current] = ""
            elif current:
                notes[current] += line
    return notes


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin-dir", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", action="append", default=[], help="a section (repeatable or comma-separated): "
                   + ", ".join(SECTIONS))
    p.add_argument("--out", help="the report (default BENCHMARKS.md; with --quick, RESULTS/BENCHMARKS.md)")
    p.add_argument("--results", help="results folder (default cache/bench/results[-quick])")
    p.add_argument("--report-only", action="store_true", help="rewrite the report from saved results")
    args = p.parse_args()
    only = [s for o in args.only for s in o.split(",") if s]
    for s in only:
        if s not in SECTIONS:
            p.error(f"unknown section {s!r}; sections: {', '.join(SECTIONS)}")
    sections = only or SECTIONS
    bench = Bench(args)
    results_dir = args.results or os.path.join(bench.bench_dir, "results-quick" if args.quick else "results")
    os.makedirs(results_dir, exist_ok=True)
    out_path = args.out or (os.path.join(results_dir, "BENCHMARKS.md") if args.quick else os.path.join(ROOT, "BENCHMARKS.md"))

    facts = machine_facts()
    # The kernels onnx-tune itself runs OpenBLAS with (it may switch them at start-up, see README):
    # OPENBLAS_VERBOSE=2 makes OpenBLAS print each choice; the last one is in force.
    verbose = subprocess.run([os.path.join(args.bin_dir, "onnx-tune"), "run", "--help"], capture_output=True, text=True,
                             env=dict(os.environ, OPENBLAS_VERBOSE="2"))
    cores = re.findall(r"Core: (\S+)", verbose.stdout + verbose.stderr)
    facts["openblas"]["ours"] = cores[-1] if cores else "?"
    log(f"{facts['cpu']}, {facts['nproc']} cores, load {facts['load_before']:.2f}; "
        f"{'quick' if args.quick else 'full'} run of: {', '.join(sections)}")
    failed = []
    if not args.report_only:
        for section in sections:
            start = time.monotonic()
            try:
                result = getattr(bench, section)()
            except Exception as e:  # one failing section must not lose the others
                log(f"{section} FAILED: {e}")
                failed.append(section)
                continue
            result["_meta"] = {"date": facts["date"], "commit": facts["commit"], "quick": args.quick,
                               "seconds": time.monotonic() - start}
            with open(os.path.join(results_dir, section + ".json"), "w") as f:
                json.dump(result, f, indent=1)
            log(f"{section} done in {time.monotonic() - start:.0f} s")
    facts["load_after"] = os.getloadavg()[0]
    results = {}
    for section in SECTIONS:
        path = os.path.join(results_dir, section + ".json")
        if os.path.exists(path):
            with open(path) as f:
                results[section] = json.load(f)
    text = report(results, read_notes(), facts, args.quick)
    with open(out_path, "w") as f:
        f.write(text)
    log(f"wrote {out_path} ({len(results)} sections){'; FAILED: ' + ', '.join(failed) if failed else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
