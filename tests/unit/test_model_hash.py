"""scripts/model_hash.sh: the model's name changes with what Rasa trains on, and only with that.

The domain is the directory domain/; Rasa merges its YAML files that have a domain key and skips the
rest (the sentences the code composes). A writer's edit to those must not force a retrain, and an edit
to anything Rasa reads must.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from rasa.shared.core.domain import Domain

ROOT = Path(__file__).resolve().parents[2]


def model_hash(root: Path, *args: str) -> str:
    done = subprocess.run([str(root / "scripts" / "model_hash.sh"), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_domain_files_hashed_are_the_ones_rasa_reads() -> None:
    listed = {line for line in model_hash(ROOT, "--list").splitlines() if line.startswith("domain/")}
    rasa_reads = {str(p.relative_to(ROOT)) for p in (ROOT / "domain").rglob("*.yml") if Domain.is_domain_file(p)}
    assert listed == rasa_reads == {"domain/structure.yml", "domain/texts/responses.yml"}


def test_a_composed_sentence_does_not_retrain_but_a_fixed_reply_does(tmp_path: Path) -> None:
    for name in ("scripts/model_hash.sh", "config.yml", "requirements.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    for folder in ("domain", "data", "components"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = model_hash(tmp_path)
    assert before == model_hash(ROOT), "the copy hashes like the repository"

    cost = tmp_path / "domain" / "texts" / "cost.yml"
    cost.write_text(cost.read_text(encoding="utf-8") + "\n# a writer's note\n", encoding="utf-8")
    (tmp_path / "domain" / "texts" / "README.md").write_text("Rewritten guide.\n", encoding="utf-8")
    assert model_hash(tmp_path) == before

    responses = tmp_path / "domain" / "texts" / "responses.yml"
    text = responses.read_text(encoding="utf-8")
    responses.write_text(text.replace("Please try again in a moment.", "Please try again shortly."), encoding="utf-8")
    changed = model_hash(tmp_path)
    assert changed != before

    (tmp_path / "domain" / "extra.yml").write_text("intents:\n  - chit_chat\n", encoding="utf-8")
    assert model_hash(tmp_path) not in (before, changed)
    assert "domain/extra.yml" in model_hash(tmp_path, "--list").splitlines()
