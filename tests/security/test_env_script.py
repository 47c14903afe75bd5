"""scripts/env.sh, sourced on its own: its defaults stay inside the project and it never changes
the mode of a folder it did not create (a bare `source scripts/env.sh` once locked /var to 0700,
and PostgreSQL, which lives under /var, died at its next checkpoint)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def source_env(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """Copy env.sh into a project, source it from another folder, and return what it exported."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "env.sh", project / "scripts" / "env.sh")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    # A guard, should env.sh regress: chmod outside this test's folder is refused, not run.
    guard = (
        'chmod() { case "$*" in *"$GUARD"*) command chmod "$@" ;; *) echo "refused: chmod $*" >&2; return 1 ;; esac; }'
    )
    script = guard + '; source "$1" && printf "%s\\n" "$STATE_DIR" "$PYTHONPATH"'
    done = subprocess.run(
        ["bash", "-c", script, "-", str(project / "scripts" / "env.sh")],
        cwd=elsewhere,
        env={**clean, "GUARD": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    state_dir, python_path = done.stdout.splitlines()
    return {"STATE_DIR": state_dir, "PYTHONPATH": python_path, "project": str(project)}


def test_sourced_without_project_root_the_state_stays_in_the_project_and_is_private(tmp_path: Path) -> None:
    out = source_env(tmp_path, {})
    state = Path(out["STATE_DIR"])
    assert state == Path(out["project"]) / "var"
    assert state.is_dir() and state.stat().st_mode & 0o777 == 0o700
    assert out["PYTHONPATH"] == out["project"]


def test_an_existing_folder_the_operator_chose_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared-state"
    shared.mkdir()
    shared.chmod(0o755)
    out = source_env(tmp_path, {"STATE_DIR": str(shared)})
    assert out["STATE_DIR"] == str(shared)
    assert shared.stat().st_mode & 0o777 == 0o755


def test_a_folder_it_creates_for_the_operator_is_private(tmp_path: Path) -> None:
    new = tmp_path / "new" / "state"
    source_env(tmp_path, {"STATE_DIR": str(new)})
    assert new.stat().st_mode & 0o777 == 0o700
