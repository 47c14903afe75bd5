"""The reader model is retrained when, and only when, what it depends on changes (`inputs_hash`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from advisor.reading import arbiter

ROOT = Path(__file__).resolve().parents[2]


def test_every_module_the_reading_and_its_training_import_is_in_the_hash():
    program = (
        "import json, sys; import advisor.reading, advisor.reading.arbiter, scripts.train_reader; "
        "print(json.dumps([getattr(m, '__file__', None) for n, m in sys.modules.items() "
        "if n.split('.')[0] in ('advisor', 'scripts')]))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()[-1]
    )
    sources = [ROOT / s for s in arbiter.READING_SOURCES]
    files = [Path(f).resolve() for f in loaded if f]
    assert any(f.name == "nlp.py" for f in files)  # the check itself sees the reading's modules
    missing = [str(f.relative_to(ROOT)) for f in files if not any(f == s or s in f.parents for s in sources)]
    assert not missing, f"add to arbiter.READING_SOURCES: {missing}"


def test_an_edit_outside_the_reading_keeps_the_model_and_one_inside_retrains_it(tmp_path, monkeypatch):
    for source in (*arbiter.READING_SOURCES, "advisor/guidance.py"):
        target = tmp_path / source
        origin = ROOT / source
        if origin.is_dir():
            for path in origin.rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts:
                    (tmp_path / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
                    (tmp_path / path.relative_to(ROOT)).write_bytes(path.read_bytes())
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(origin.read_bytes())
    monkeypatch.setattr(arbiter, "ROOT", tmp_path)
    monkeypatch.setattr(arbiter, "files", lambda directory=None: [])
    before = arbiter.inputs_hash()
    with (tmp_path / "advisor/guidance.py").open("a") as f:
        f.write("\n# a writer's edit\n")
    assert arbiter.inputs_hash() == before
    with (tmp_path / "advisor/lexicon/words.yml").open("a") as f:
        f.write("\n# a vocabulary edit\n")
    assert arbiter.inputs_hash() != before
