"""Embedding throughput (papers/s) and peak memory: our ONNX int8 path against plain sentence-transformers.

    python bench/embed_throughput.py [--docs 512] [--cache DIR]    # prefix `taskset -c 1` for a 1-core comparison

Baseline, measured in the same run on the same SciFact documents (title + abstract, as indexed):
sentence-transformers on torch fp32, batch 64, in its own process. Ours: search.embed_onnx (ONNX Runtime, int8
per-channel weights, length-sorted batches capped at 4,096 padded tokens, dynamic padding), also in its own process,
so each peak RSS is its own. Both use every CPU the process may run on. The ONNX model is exported into --cache on
first use; the time to get it ready (export included when the cache was empty) is printed.
Also prints how close the vectors are (cosine of int8 to fp32). Quality (SciFact nDCG@10 with each backend) comes
from bench/search_quality.py on stores indexed with DAILYPAPERS_EMBEDDING_BACKEND=onnx and =torch.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _run(backend: str, texts: list[str], cache: Path, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from dailypapers.search.embed import default_model_path

    loading = time.perf_counter()
    if backend == "torch":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(default_model_path(), device="cpu")
        model.encode(texts[:8])
        ready = time.perf_counter() - loading
        started = time.perf_counter()
        vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    else:
        from dailypapers.search.embed_onnx import OnnxEmbedder

        embedder = OnnxEmbedder(default_model_path(), "bench", cache)
        embedder.encode(texts[:8])
        ready = time.perf_counter() - loading
        started = time.perf_counter()
        vectors = embedder.encode(texts, batch_size=64)
    seconds = time.perf_counter() - started
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, ready, np.asarray(vectors)))


def measure(backend: str, texts: list[str], cache: Path) -> tuple[float, int, float, np.ndarray]:
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    proc = ctx.Process(target=_run, args=(backend, texts, cache, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    from dailypapers.search.embed import paper_text
    from scifact_data import corpus

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=512)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dp-bench-models"), help="where the ONNX model is kept")
    args = parser.parse_args()
    docs = corpus()[: args.docs]
    texts = [paper_text(d.get("title") or "", d["text"]) for d in docs]
    load = os.getloadavg()
    base_s, base_mb, base_ready, base_v = measure("torch", texts, args.cache)
    ours_s, ours_mb, ours_ready, ours_v = measure("onnx", texts, args.cache)
    cos = (base_v * ours_v).sum(axis=1)
    cpus = len(os.sched_getaffinity(0))
    print(f"{len(texts)} SciFact documents (title + abstract, ≤256 tokens), {cpus} CPU(s)")
    print(f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    for label, seconds, mb, ready in (
        ("baseline torch fp32 b64 ", base_s, base_mb, base_ready),
        ("onnx int8 sorted/dynamic", ours_s, ours_mb, ours_ready),
    ):
        print(f"  {label}  {len(texts) / seconds:7.1f} papers/s  peak RSS {mb} MB  ready in {ready:.1f} s")
    print(f"  speed-up {base_s / ours_s:.2f}x; cosine int8 vs fp32: mean {cos.mean():.4f}, min {cos.min():.4f}")


if __name__ == "__main__":
    main()
