"""scripts/chromium.sh (`make install`): Debian's Chromium for the browser tests, or the command to get it.

The script runs with a PATH of stand-ins: `id` says who we are, `apt-get` writes down how it
was called (and fails when told to), `chromium` is there or not.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "chromium.sh"


def run(
    tmp_path: Path, *, uid: int, apt: str | None, chromium: bool = False, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    tools = {"id": f"#!/bin/sh\necho {uid}\n"}
    if apt is not None:
        status = 1 if apt == "fails" else 0
        tools["apt-get"] = f'#!/bin/sh\necho "$*" >> {calls}\nexit {status}\n'
    if chromium:
        tools["chromium"] = "#!/bin/sh\n"
    for name, text in tools.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    done = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={"PATH": str(bin_dir), **(env or {})},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []


def test_nothing_happens_when_chromium_is_there(tmp_path: Path) -> None:
    done, calls = run(tmp_path, uid=0, apt="works", chromium=True)
    assert (done.returncode, done.stdout, calls) == (0, "", [])


def test_a_chromium_named_by_the_environment_counts(tmp_path: Path) -> None:
    browser = tmp_path / "my-chromium"
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    browser.chmod(0o755)
    done, calls = run(tmp_path, uid=0, apt="works", env={"CHROMIUM": str(browser)})
    assert (done.returncode, done.stdout, calls) == (0, "", [])


def test_as_root_with_apt_get_it_installs_debians_chromium_quietly(tmp_path: Path) -> None:
    done, calls = run(tmp_path, uid=0, apt="works")
    assert done.returncode == 0
    assert calls == ["update -qq", "install -y -qq chromium"]


def test_when_apt_get_fails_it_says_what_to_run_and_the_install_goes_on(tmp_path: Path) -> None:
    done, calls = run(tmp_path, uid=0, apt="fails")
    assert done.returncode == 0 and calls == ["update -qq"]
    assert "Run: apt-get update && apt-get install -y chromium" in done.stdout


@pytest.mark.parametrize(
    ("apt", "command"),
    [("works", "sudo apt-get update && sudo apt-get install -y chromium"), (None, "export CHROMIUM=/path/to/chromium")],
)
def test_otherwise_it_prints_exactly_what_to_run(tmp_path: Path, apt: str | None, command: str) -> None:
    done, calls = run(tmp_path, uid=1000, apt=apt)
    assert done.returncode == 0 and calls == []
    assert command in done.stdout and "browser tests" in done.stdout


def test_make_install_runs_it_and_ci_relies_on_make() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/chromium.sh" in install
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith("make test") and "apt-get" not in ci
