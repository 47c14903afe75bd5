"""The vocabulary is data: every entry is valid, maps to a known task, and a bad file is named."""

from __future__ import annotations

import pytest

from advisor import cues, lexicon, taxonomy


def test_every_task_has_a_known_category_and_model():
    for key, task in taxonomy.TASKS.items():
        assert task.category in taxonomy.CATEGORIES, key
        assert task.model in (taxonomy.BPO, taxonomy.KPO), key
        assert task.phrases, key


def test_every_cue_list_belongs_to_a_known_task():
    assert set(cues.CUES) <= set(taxonomy.TASKS)
    assert all(weight > 0 for weights in cues.CUES.values() for weight in weights.values())


def test_goals_have_labels_and_skills_have_words():
    assert set(taxonomy.GOALS) == set(taxonomy.GOAL_LABELS)
    assert all(taxonomy.SKILLS.values())


def test_a_malformed_entry_is_reported_with_its_file_and_entry(tmp_path, monkeypatch):
    (tmp_path / "tasks.yml").write_text(
        "categories:\n  bpo_x: {model: bpo, label: x}\n"
        "tasks:\n  payroll:\n    label: payroll\n    category: bpo_nope\n    phrases: [payroll]\n"
    )
    monkeypatch.setattr(lexicon, "HERE", tmp_path)
    lexicon.load.cache_clear()
    lexicon.tasks.cache_clear()
    try:
        with pytest.raises(lexicon.LexiconError, match=r"tasks\.yml: tasks\.payroll: unknown category 'bpo_nope'"):
            lexicon.tasks()
    finally:
        monkeypatch.undo()
        lexicon.load.cache_clear()
        lexicon.tasks.cache_clear()
    assert lexicon.tasks()["tasks"]  # the real file loads again


def test_a_missing_word_list_is_named():
    with pytest.raises(lexicon.LexiconError, match=r"words\.yml: no_such_list"):
        lexicon.words("no_such_list")


@pytest.mark.parametrize(
    "labels, joined",
    [
        ([], ""),
        (["data entry"], "data entry"),
        (["data entry", "research"], "data entry and research"),
        (["data entry", "payroll", "research"], "data entry, payroll and research"),
        # A label with its own "and" keeps its pair together: a comma sets the last one apart.
        (["HR and payroll", "accounting and bookkeeping"], "HR and payroll, and accounting and bookkeeping"),
        (["data entry", "HR and payroll", "research"], "data entry, HR and payroll, and research"),
    ],
)
def test_labels_join_so_each_reads_as_one(labels, joined):
    assert taxonomy.join_labels(labels) == joined
