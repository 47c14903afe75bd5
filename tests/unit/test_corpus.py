"""The labelled corpus of real requests is well formed, and the split is fixed."""

from __future__ import annotations

from collections import Counter

import pytest

from advisor import taxonomy
from advisor.reading.corpus import labelled_items, load, load_synthetic, normalised, part_of
from advisor.reading.text import normalise

ENTRIES = load()
FIELDS = {"id", "source", "source_kind", "industry", "text", "label", "items", "facts", "reason"}


def test_the_corpus_has_at_least_150_entries_with_unique_ids():
    assert len(ENTRIES) >= 150
    assert len({e["id"] for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_every_entry_is_complete_and_its_label_agrees_with_its_items(entry):
    assert set(entry) >= FIELDS, FIELDS - set(entry)
    assert entry["source"] and entry["text"].strip() and entry["reason"]
    assert "bpo" not in entry["text"].lower().split() and "kpo" not in entry["text"].lower().split()
    models = {item["model"] for item in entry["items"]}
    assert all(item["task"] in taxonomy.TASKS for item in entry["items"])
    assert all(taxonomy.TASKS[item["task"]].model == item["model"] for item in entry["items"])
    expected = "hybrid" if models == {"bpo", "kpo"} else models.pop()
    assert entry["label"] == expected


# The held-out ids among A001-A010 and B001-B010 when the corpus was split (2026-11-30).
HELD_OUT_AT_SPLIT = ["A001", "A002", "A003", "A004", "A005", "A007", "A009", "A010", "B001", "B003", "B006"]


def test_the_split_never_moves_an_entry_and_holds_out_about_half():
    first = [f"A{n:03d}" for n in range(1, 11)] + [f"B{n:03d}" for n in range(1, 11)]
    assert [i for i in first if part_of(i) == "heldout"] == HELD_OUT_AT_SPLIT
    parts = Counter(part_of(e["id"]) for e in ENTRIES)
    assert parts["heldout"] >= 0.4 * len(ENTRIES) and parts["dev"] >= 0.4 * len(ENTRIES)


WRITTEN = load_synthetic()


@pytest.mark.parametrize("entry", WRITTEN, ids=[e["id"] for e in WRITTEN])
def test_every_written_training_request_quotes_its_items_and_its_label_agrees(entry):
    assert entry["text"].strip() and entry["reason"] and entry["items"]
    for item in entry["items"]:
        assert normalised(item["text"]) in normalised(entry["text"]), item["text"]
        assert taxonomy.TASKS[item["task"]].model == item["model"]
    models = {item["model"] for item in entry["items"]}
    assert entry["label"] == ("hybrid" if models == {"bpo", "kpo"} else models.pop())


def test_written_requests_are_kept_apart_from_the_collected_ones_and_never_scored():
    ids = [e["id"] for e in WRITTEN]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("S") for i in ids)
    assert not set(ids) & {e["id"] for e in ENTRIES}
    assert {e["part"] for e in WRITTEN} == {"synthetic"}
    assert {e["part"] for e in ENTRIES} == {"dev", "heldout"}  # corpus_eval scores load() only


ITEM_LABELS = labelled_items()
BY_ID = {e["id"]: e for e in ENTRIES}
ALLOWED = {"bpo": {"bpo", "none"}, "kpo": {"kpo", "none"}, "hybrid": {"bpo", "kpo", "none"}}


def test_work_items_are_labelled_for_development_entries_only():
    assert ITEM_LABELS, "corpus/items/ holds the labelled work items"
    assert all(BY_ID[i]["part"] == "dev" for i in ITEM_LABELS)  # never a held-out entry
    assert not any("item_labels" in e for e in ENTRIES if e["part"] == "heldout")


@pytest.mark.parametrize("entry_id", sorted(ITEM_LABELS))
def test_each_labelled_item_quotes_its_request_and_stays_within_its_label(entry_id):
    entry = BY_ID[entry_id]
    text = normalised(normalise(entry["text"]))  # as the reader sees it: straight quotes
    for item, label in ITEM_LABELS[entry_id].items():
        assert item in text, item
        assert label in ALLOWED[entry["label"]], (item, label)
