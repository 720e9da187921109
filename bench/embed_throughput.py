"""Embedding throughput (papers/s) and peak memory: our ONNX int8 path against plain sentence-transformers.

    python bench/embed_throughput.py [--docs 512]

Baseline, measured in the same run on the same SciFact documents (title + abstract, as indexed):
sentence-transformers on torch fp32, batch 64, in its own process. Ours: search.embed_onnx (ONNX Runtime, int8
per-channel weights, length-sorted batches, dynamic padding), also in its own process, so each peak RSS is its own.
Also prints how close the vectors are (cosine of int8 to fp32). Quality (SciFact nDCG@10 with each backend) comes
from bench/search_quality.py on stores indexed with DAILYPAPERS_EMBEDDING_BACKEND=onnx and =torch.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _run(backend: str, texts: list[str], queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from dailypapers.search.embed import default_model_path

    if backend == "torch":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(default_model_path(), device="cpu")
        model.encode(texts[:8])
        started = time.perf_counter()
        vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    else:
        from dailypapers.search.embed_onnx import OnnxEmbedder

        embedder = OnnxEmbedder(default_model_path(), "bench", Path("/tmp/dp-bench-models"))
        embedder.encode(texts[:8])
        started = time.perf_counter()
        vectors = embedder.encode(texts, batch_size=64)
    seconds = time.perf_counter() - started
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, np.asarray(vectors)))


def measure(backend: str, texts: list[str]) -> tuple[float, int, np.ndarray]:
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    proc = ctx.Process(target=_run, args=(backend, texts, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    from dailypapers.search.embed import paper_text
    from scifact_data import corpus

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=512)
    args = parser.parse_args()
    docs = corpus()[: args.docs]
    texts = [paper_text(d.get("title") or "", d["text"]) for d in docs]
    base_s, base_mb, base_v = measure("torch", texts)
    ours_s, ours_mb, ours_v = measure("onnx", texts)
    cos = (base_v * ours_v).sum(axis=1)
    print(f"{len(texts)} SciFact documents (title + abstract, ≤256 tokens)")
    print(f"  baseline torch fp32 b64   {len(texts) / base_s:7.1f} papers/s  peak RSS {base_mb} MB")
    print(f"  onnx int8 sorted/dynamic  {len(texts) / ours_s:7.1f} papers/s  peak RSS {ours_mb} MB")
    print(f"  speed-up {base_s / ours_s:.2f}x; cosine int8 vs fp32: mean {cos.mean():.4f}, min {cos.min():.4f}")


if __name__ == "__main__":
    main()
