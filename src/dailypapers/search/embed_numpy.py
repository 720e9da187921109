"""The BERT encoder of all-MiniLM-L6-v2 in numpy, read straight from the model's safetensors weights: what embeds
queries on a data dir whose ONNX export does not exist yet (search.embed.query_embedder), so a first start answers
hybrid searches at once instead of after the export.

It loads in a fraction of a second with no new memory beyond the 90 MB of weights; torch + transformers (or
sentence-transformers) cost 7–9 s of CPU and ~300 MB in every web worker before the first query. fp32 and the same
arithmetic as the reference (post-norm BERT, exact-erf GELU, mean pooling, unit length), so its vectors agree with
torch's to float rounding and with the int8 ONNX model's to cosine ≥ 0.99 (tests/test_search_embed_handover.py).
Only BERT checkpoints with absolute positions qualify (`supports`); any other model waits for the export as before.
One query takes a few ms on one thread; BLAS runs single-threaded here because OpenBLAS's threads on matrices
this small cost 10-50x the CPU on a busy machine (a 6-word query: 16 ms vs 190 ms of CPU at load 15). Not meant for
indexing (no int8).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from scipy.special import erf
from threadpoolctl import ThreadpoolController

from dailypapers.search.embed_onnx import padded_batches


def supports(model_dir: Path) -> bool:
    """Whether this encoder can run the checkpoint: a BERT with GELU, absolute positions and safetensors weights."""
    try:
        config = json.loads((model_dir / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (model_dir / "model.safetensors").is_file()
        and (model_dir / "tokenizer.json").is_file()
    )


class NumpyBertEmbedder:
    """The search.embed.Embedder protocol in numpy; encode is thread-safe (the weights are read-only)."""

    def __init__(self, path: str, name: str, max_length: int | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(path)
        config = json.loads((model_dir / "config.json").read_text())
        sbert = model_dir / "sentence_bert_config.json"
        configured = json.loads(sbert.read_text()).get("max_seq_length", 256) if sbert.exists() else 256
        weights = load_file(str(model_dir / "model.safetensors"))
        self.w = {key.removeprefix("bert."): value.astype(np.float32) for key, value in weights.items()}
        for key in [k for k in self.w if k.endswith(".weight") and self.w[k].ndim == 2 and "embeddings" not in k]:
            self.w[key] = np.ascontiguousarray(self.w[key].T)  # x @ W.T as x @ W, transposed once here
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_length or int(configured))
        self.name = name
        self.dimensions = int(config["hidden_size"])
        self._lock = threading.Lock()  # the tokenizer's truncation state is shared
        self._blas = ThreadpoolController()  # after scipy.special loaded its own BLAS (if it has one)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        for rows, ids, mask in padded_batches([enc.ids for enc in encodings], batch_size, np.float32):
            with self._blas.limit(limits=1, user_api="blas"):
                hidden = self._forward(ids, mask)
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        rows, width = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:width]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min  # padding gets no attention
        size = x.shape[-1] // self.heads
        for n in range(self.layers):
            p = f"encoder.layer.{n}."

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(rows, width, self.heads, size).transpose(0, 2, 1, 3)

            q, k, v = (split(self._linear(x, f"{p}attention.self.{part}")) for part in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            context = ((scores / scores.sum(axis=-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(x.shape)
            x = self._norm(x + self._linear(context, f"{p}attention.output.dense"), f"{p}attention.output.LayerNorm")
            inner = _gelu(self._linear(x, f"{p}intermediate.dense"))
            x = self._norm(x + self._linear(inner, f"{p}output.dense"), f"{p}output.LayerNorm")
        return x

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        centred = x - x.mean(axis=-1, keepdims=True)
        scaled = centred / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + self.eps)
        return scaled * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))
