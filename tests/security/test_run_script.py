"""scripts/run.sh (`make run`): what it passes to the servers and what it prints.

The real script runs in a copy of the project whose `.venv/bin/python` is a recorder: it
writes down the arguments and the RASA_AUTH_TOKEN each server would get. The recorder of
`python -m serving run` exits at once (once the web server is recorded, when there is one), which
ends run.sh like a crash would; the others wait.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PASSED = ("SALES_TOKEN", "RASA_URL", "LEADS_DB_PATH", "LEADS_DELIVERIES_PATH")
"""Environment variables the recorder writes down for each server."""
RECORDER = f"""#!{sys.executable}
import json, os, sys
args = sys.argv[1:]
if args[:1] == ["-c"]:
    os.execv({sys.executable!r}, [{sys.executable!r}, *args])  # the token generator: real Python
if args[:2] == ["-m", "serving.config"]:  # renders credentials or endpoints
    print("var/rendered.yml")
    sys.exit(0)
with open(os.environ["RECORD"], "a") as record:
    seen = {{name: os.environ.get(name) for name in {PASSED!r}}}
    record.write(json.dumps({{"args": args, "token": os.environ.get("RASA_AUTH_TOKEN"), "env": seen}}) + "\\n")
if args[:2] != ["-m", "serving"] or args[2:3] != ["run"]:
    os.execv("/bin/sleep", ["sleep", "60"])  # the action server: runs until run.sh stops it
if os.path.exists("web/serve.py"):  # end run.sh only once the web server (started after Rasa) is recorded
    import time
    deadline = time.monotonic() + 30
    while "web/serve.py" not in open(os.environ["RECORD"]).read() and time.monotonic() < deadline:
        time.sleep(0.05)
"""


def run_script(
    tmp_path: Path, env: dict[str, str], web: bool = False
) -> tuple[subprocess.CompletedProcess, list[dict]]:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    if web:  # run.sh starts web/serve.py only when it is there
        (project / "web").mkdir()
        (project / "web" / "serve.py").touch()
    for name in ("run.sh", "env.sh"):
        shutil.copy(ROOT / "scripts" / name, project / "scripts" / name)
    (project / "scripts" / "model_hash.sh").write_text("#!/bin/sh\necho 0123\n", encoding="utf-8")
    (project / "scripts" / "model_hash.sh").chmod(0o755)
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDER, encoding="utf-8")
    python.chmod(0o755)
    for name in ("Makefile", "README.md", "a.txt"):  # what a stray `*` would expand to
        (project / name).touch()
    record = tmp_path / "record.jsonl"
    unset = ("RASA_AUTH_TOKEN", "CORS_ORIGINS", "STATE_DIR", *PASSED, "LEADS_DB_URL", "LEADS_OUTBOX_PATH", "RASA_HOST")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run(
        ["bash", str(project / "scripts" / "run.sh")],
        cwd=project,
        env={**base, "RECORD": str(record), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    calls = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    return done, calls


def rasa_call(calls: list[dict]) -> dict:
    return next(call for call in calls if call["args"][:3] == ["-m", "serving", "run"])


def cors_of(args: list[str]) -> list[str]:
    return args[args.index("--cors") + 1 :]


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        ("*", ["*"]),
        ("https://a.example https://b.example", ["https://a.example", "https://b.example"]),
        ("https://shop.example/?", ["https://shop.example/?"]),
    ],
)
def test_cors_origins_are_split_at_spaces_and_never_expanded(tmp_path: Path, origins: str, expected: list[str]) -> None:
    _, calls = run_script(tmp_path, {"CORS_ORIGINS": origins, "RASA_AUTH_TOKEN": "given"})
    assert cors_of(rasa_call(calls)["args"]) == expected


def test_a_generated_api_token_goes_to_an_owner_only_file_not_the_output(tmp_path: Path) -> None:
    done, calls = run_script(tmp_path, {})
    token = rasa_call(calls)["token"]
    assert token and len(token) >= 24
    token_file = tmp_path / "project" / "var" / "api-token"
    assert token_file.read_text(encoding="utf-8").strip() == token
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert token not in done.stdout + done.stderr
    assert str(token_file) in done.stdout
    assert "--auth-token" not in rasa_call(calls)["args"]  # nor in `ps` output


def test_a_given_api_token_is_used_and_not_written(tmp_path: Path) -> None:
    done, calls = run_script(tmp_path, {"RASA_AUTH_TOKEN": "from-the-environment"})
    assert rasa_call(calls)["token"] == "from-the-environment"
    assert not (tmp_path / "project" / "var" / "api-token").exists()
    assert "from-the-environment" not in done.stdout + done.stderr


def test_the_web_server_gets_what_the_sales_console_needs_and_no_token_is_printed(tmp_path: Path) -> None:
    sales_token = "sales-token-from-the-environment"
    done, calls = run_script(tmp_path, {"SALES_TOKEN": sales_token, "RASA_PORT": "5123"}, web=True)
    web = next(call for call in calls if call["args"][:1] == ["web/serve.py"])
    actions = next(call for call in calls if call["args"][:2] == ["-m", "serving.actions"])
    state = tmp_path / "project" / "var"
    assert web["env"] == {
        "SALES_TOKEN": sales_token,
        "RASA_URL": "http://127.0.0.1:5123",
        "LEADS_DB_PATH": str(state / "leads.db"),
        "LEADS_DELIVERIES_PATH": str(state / "leads_deliveries.jsonl"),
    }
    assert web["token"] == rasa_call(calls)["token"]  # the API token, for the transcripts
    # The action server writes the leads and the deliveries the console reads and adds to.
    assert actions["env"]["LEADS_DB_PATH"] == web["env"]["LEADS_DB_PATH"]
    assert actions["env"]["LEADS_DELIVERIES_PATH"] == web["env"]["LEADS_DELIVERIES_PATH"]
    assert "/sales" in done.stdout
    assert sales_token not in done.stdout + done.stderr
