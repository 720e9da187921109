"""all-MiniLM-L6-v2 on ONNX Runtime with int8 weights: the fast CPU path for indexing (queries take the fp32 graph,
search.query_model).

The model is exported from the sentence-transformers checkpoint and quantised once (about 15 s), then cached under
$DAILYPAPERS_HOME/models with the fp32 graph it came from; a file lock makes processes that start together (web
workers, index workers) wait for one export instead of each running their own. Texts are tokenised with the
model's own fast tokenizer, sorted by length and padded per batch only to the longest text in it, which saves most
of the work on short titles and queries. Batches are capped in padded tokens as well as rows, so long abstracts run
16 at a time: same speed, a third of the peak memory.

Measured on a 2-core AVX2 CPU without VNNI (docs/benchmarks-history.md § Search), about 1.65x sentence-transformers
fp32; int8 matrix products are ~2x fp32 there and attention stays fp32. What did not pay off, and why it is not here:
- Shorter truncation than the configured 256 tokens. Most abstracts are longer, and SciFact nDCG@10 drops:
  128 tokens (twice as fast) 0.6222 with fp32, 192 tokens 0.6329 with int8, against 0.6484 (fp32, 256).
- The offline BERT optimiser (fused Attention/EmbedLayerNorm): same speed as ONNX Runtime's own session-level
  fusions (quantised MatMul, GELU, skip-LayerNorm). Also no gain: reduce_range, uint8 weights, quantised attention.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from dailypapers.search.embed import DeviceUnavailable

TOKENS_PER_BATCH = 4096  # padded tokens per run: bounds the attention buffers (rows × width²) without slowing down


def _fingerprint(path: Path) -> str:
    weights = sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))
    stamp = [(w.name, w.stat().st_size) for w in weights]
    return hashlib.blake2b(json.dumps([str(path.resolve()), stamp]).encode(), digest_size=6).hexdigest()


def export_int8(model_dir: Path, target: Path, quantise: bool = True) -> None:
    """Export the transformer to ONNX (fp32) and quantise its weights to int8 (dynamic quantisation).

    The fp32 graph is kept beside the int8 one (`fp32_sibling`): queries are embedded with it (search.query_model),
    and an int8 export quantises an fp32 graph already there instead of tracing again. With quantise=False only the
    fp32 graph is made: ONNX Runtime runs int8 MatMulInteger on the CPU only, so CUDA gets fp32."""
    fp32 = fp32_sibling(target) if quantise else target
    if not fp32.exists():
        _trace_fp32(model_dir, fp32)
    if quantise:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            quantised = Path(tmp) / "model-int8.onnx"
            with _quiet_root_log():
                quantize_dynamic(str(fp32), str(quantised), weight_type=QuantType.QInt8, per_channel=True)
            os.replace(quantised, target)  # atomic: a concurrent process sees the whole file or none


def fp32_sibling(int8_file: Path) -> Path:
    """The fp32 graph an int8 export was quantised from."""
    return int8_file.with_name(int8_file.name.removesuffix("-int8.onnx") + "-fp32.onnx")


def _trace_fp32(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar on the console of `index` or `serve`
    # Eager attention traces to plain ops that honour the padding mask for any batch shape.
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        # Fixed positional inputs and a single output: transformers' forward takes many optional keywords.
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

    model = Encoder().eval()
    sample = torch.ones((2, 8), dtype=torch.long)
    mask = sample.clone()
    mask[1, 5:] = 0  # trace with padding so the mask path is recorded
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        traced = Path(tmp) / "model.onnx"
        names = ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]
        axes = {0: "batch", 1: "tokens"}
        with warnings.catch_warnings():  # tracer notes about the legacy exporter; tests check the exported vectors
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                (sample, mask, torch.zeros_like(sample)),
                str(traced),
                input_names=names[:3],
                output_names=names[3:],
                dynamic_axes=dict.fromkeys(names, axes),
                opset_version=17,
                dynamo=False,
            )
        os.replace(traced, target)  # atomic, as the int8 file


class _QuantiserAdvice(logging.Filter):
    """Drops onnxruntime.quantization's advice, logged on the root logger at every export ("Please consider to run
    pre-processing before quantization"): on the console of a first `dailypapers serve` it read like a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Please consider to run pre-processing")


class _quiet_root_log:
    """The advice filter on the root logger while quantising (a logger's filters see only its own records, so
    warnings of other loggers and threads still come through)."""

    def __enter__(self) -> None:
        self.advice = _QuantiserAdvice()
        logging.root.addFilter(self.advice)

    def __exit__(self, *_: object) -> None:
        logging.root.removeFilter(self.advice)


def ensure_exported(model_dir: Path, target: Path, quantise: bool, niceness: int = 0) -> None:
    """Export unless `target` exists; under a file lock beside it, so concurrent processes export only once.

    The export runs in a child process: torch and transformers, needed only for it, never stay in the memory of a
    web worker, and its tracing does not hold this process's GIL while the worker serves pages. A server's
    background export (search.query_model) runs it at a niceness of 10, behind page requests."""
    from filelock import FileLock

    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.with_suffix(".lock"))):
        if target.exists():  # another process exported it while this one waited
            return
        src = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
        command = [sys.executable, "-m", "dailypapers.search.embed_onnx", str(model_dir), str(target)]
        command += [*([] if quantise else ["--fp32"]), *(["--nice", str(niceness)] if niceness else [])]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode or not target.exists():
            lines = [line for line in done.stderr.splitlines() if line.strip()] or [f"exit code {done.returncode}"]
            raise RuntimeError(f"exporting {model_dir.name} to ONNX failed: {lines[-1][:300]}")


def exported_file(model_dir: Path, cache_dir: Path, device: str = "cpu", precision: str = "") -> Path:
    """Where the exported model is cached: int8 for the CPU, fp32 for CUDA, unless `precision` says which."""
    kind = precision or ("int8" if device == "cpu" else "fp32")
    return cache_dir / f"{model_dir.name}-{_fingerprint(model_dir)}-{kind}.onnx"


class OnnxEmbedder:
    """The search.embed.Embedder protocol on ONNX Runtime; encode is thread-safe."""

    def __init__(
        self,
        path: str,
        name: str,
        cache_dir: Path,
        max_length: int | None = None,
        device: str = "cpu",
        precision: str = "",
        threads: int = 0,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        providers = ["CPUExecutionProvider"]
        if device == "cuda":
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise DeviceUnavailable(
                    "DAILYPAPERS_EMBEDDING_DEVICE=cuda but ONNX Runtime has no CUDA provider here (install "
                    "onnxruntime-gpu and the NVIDIA driver, or set DAILYPAPERS_EMBEDDING_DEVICE=cpu)"
                )
            providers.insert(0, "CUDAExecutionProvider")
        model_dir = Path(path)
        config_file = model_dir / "sentence_bert_config.json"
        configured = json.loads(config_file.read_text()).get("max_seq_length", 256) if config_file.exists() else 256
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_length or int(configured))
        onnx_file = exported_file(model_dir, cache_dir, device, precision)
        ensure_exported(model_dir, onnx_file, quantise=onnx_file.name.endswith("-int8.onnx"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or usable_cpus()
        options.inter_op_num_threads = 1  # the graph is one chain: parallelism is inside each operator
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.set_denormal_as_zero", "1")  # a few % faster; no effect on vectors
        # Idle worker threads sleep instead of spinning: a search runs the full-text query beside the query embedding.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_file), options, providers=providers)
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.name = name
        self.dimensions = int(self.session.get_outputs()[0].shape[-1] or 384)
        self._lock = threading.Lock()  # the tokenizer's truncation state is shared; encode is cheap to serialise

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        for rows, ids, mask in padded_batches([enc.ids for enc in encodings], batch_size, np.int64):
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def usable_cpus() -> int:
    """CPUs this process may run on (taskset, container cpusets): more threads than that only contend."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def padded_batches(
    token_ids: list[list[int]], batch_size: int, mask_dtype: type
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(rows, ids, mask) per length-sorted batch: ids padded with 0 to the batch's longest text, mask 1 on tokens."""
    lengths = np.array([len(t) for t in token_ids])
    for rows in length_sorted_batches(lengths, batch_size):
        ids = np.zeros((len(rows), int(lengths[rows].max())), dtype=np.int64)
        mask: np.ndarray = np.zeros(ids.shape, dtype=mask_dtype)
        for r, i in enumerate(rows):
            ids[r, : lengths[i]] = token_ids[i]
            mask[r, : lengths[i]] = 1
        yield rows, ids, mask


def length_sorted_batches(lengths: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Row indices by ascending length, at most batch_size rows and TOKENS_PER_BATCH padded tokens per batch."""
    order = np.argsort(lengths, kind="stable")
    start = 0
    while start < len(order):
        end = min(start + max(batch_size, 1), len(order))
        while end - start > 1 and (end - start) * lengths[order[end - 1]] > TOKENS_PER_BATCH:
            end -= 1
        yield order[start:end]
        start = end


if __name__ == "__main__":  # the child process of ensure_exported
    import argparse

    parser = argparse.ArgumentParser(description="Export a sentence-transformers model to ONNX (int8 by default).")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--fp32", action="store_true", help="keep fp32 weights (for CUDA)")
    parser.add_argument("--nice", type=int, default=0, help="lower this process's priority by that much first")
    arguments = parser.parse_args()
    if arguments.nice:
        os.nice(arguments.nice)
    export_int8(arguments.model_dir, arguments.target, quantise=not arguments.fp32)
