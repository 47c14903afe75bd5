"""The numpy sentence encoder (advisor/reading/encoder.py) against the PyTorch reference.

`tests/fixtures/minilm_reference.json` holds the token ids and embeddings that Hugging Face
transformers with PyTorch computes for seven texts with the same weights
(`tests/fixtures/make_minilm_reference.py`): plain, accented, emoji and markup, one letter, and
texts of 194 and 322 tokens (cut at 256). `make install` unpacks the weights these tests read.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from advisor.reading import encoder as encoder_module
from advisor.reading.encoder import MAX_TOKENS, WEIGHTS_SHA256, Encoder, default_encoder

REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures" / "minilm_reference.json").read_text())
TEXTS = [item["text"] for item in REFERENCE["items"]]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    loaded = default_encoder()
    assert loaded is not None, "run `make install`: it unpacks the encoder to models/encoder/"
    return loaded


def test_the_reference_was_made_with_the_same_weights():
    assert REFERENCE["model_sha256"] == WEIGHTS_SHA256


def test_tokens_match_the_reference_tokenizer_including_accents_emoji_markup_and_the_cut_at_256(encoder):
    for item in REFERENCE["items"]:
        assert encoder.tokenizer.encode(item["text"]).ids == item["ids"], item["text"][:40]
    assert len(REFERENCE["items"][-1]["ids"]) == MAX_TOKENS  # the longest text was cut


def test_embeddings_match_pytorch_in_one_padded_batch(encoder):
    encoder.memo.clear()
    vectors = encoder.encode(TEXTS)
    expected = np.array([item["embedding"] for item in REFERENCE["items"]])
    assert vectors.shape == (len(TEXTS), 384)
    assert np.abs(vectors - expected).max() < 1e-5


def test_each_text_alone_gives_the_same_vector_as_in_a_batch(encoder):
    encoder.memo.clear()
    batch = encoder.encode(TEXTS)
    encoder.memo.clear()
    alone = np.vstack([encoder.encode([text]) for text in TEXTS])
    assert np.abs(batch - alone).max() < 1e-5
    assert np.allclose(np.linalg.norm(alone, axis=1), 1.0, atol=1e-5)


def test_meaning_not_words_brings_two_requests_close(encoder):
    audit, assessment, payroll = encoder.encode(
        [
            "help plan a cybersecurity audit",
            "an independent assessment of how well our IT security controls protect us",
            "process the weekly payroll for our hourly staff",
        ]
    )
    assert float(audit @ assessment) > float(audit @ payroll) + 0.2


def test_repeated_texts_and_an_empty_list(encoder):
    vectors = encoder.encode(["payroll", "payroll", ""])
    assert np.array_equal(vectors[0], vectors[1])
    assert np.isfinite(vectors).all()
    assert encoder.encode([]).shape == (0, 384)


def test_the_memo_is_bounded(encoder, monkeypatch):
    monkeypatch.setattr(encoder_module, "MEMO", 3)
    encoder.memo.clear()
    first = encoder.encode(["a", "b", "c"])
    encoder.encode(["d", "e"])
    assert len(encoder.memo) <= 3
    assert np.array_equal(encoder.encode(["a", "b", "c"]), first)


def test_weights_that_are_not_the_model_are_refused(tmp_path, encoder):
    for name in ("config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((encoder_module.encoder_dir() / name).read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ValueError, match="not all-MiniLM-L6-v2"):
        Encoder.load(tmp_path)


def test_without_its_files_there_is_no_encoder_and_no_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("ENCODER_DIR", str(tmp_path))
    default_encoder.cache_clear()
    try:
        assert default_encoder() is None
    finally:
        monkeypatch.delenv("ENCODER_DIR")
        default_encoder.cache_clear()
    assert default_encoder() is not None
