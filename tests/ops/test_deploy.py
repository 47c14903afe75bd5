"""deploy/: the Compose file is valid against the Compose Specification and keeps its promises.

No Docker engine runs here, so nothing is started: the file is validated against the
Compose Specification's JSON schema (deploy/compose-spec.schema.json, the copy that the
dclint 3.1.0 linter ships) and checked for the settings deploy/README.md relies on.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.support.ops_support import ROOT

DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
SECRET_NAME = re.compile(r"(PASS|PASSWORD|TOKEN|SECRET|AUTH)$")


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads((DEPLOY / "compose-spec.schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(COMPOSE), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_it_runs_rasa_the_action_server_postgresql_redis_and_the_web_page() -> None:
    assert {"rasa", "actions", "web", "postgres", "redis"} <= set(SERVICES)
    assert SERVICES["rabbitmq"].get("profiles") == ["events"], "the event broker is opt-in"


def test_only_rasa_and_the_web_page_are_published_and_only_on_loopback() -> None:
    for name, service in SERVICES.items():
        ports = service.get("ports", [])
        if name in ("rasa", "web"):
            assert ports and all(str(p).startswith("127.0.0.1:") for p in ports), name
        else:
            assert not ports, f"{name} must not be published"
    assert COMPOSE["networks"]["backend"].get("internal") is True
    for name in ("postgres", "redis"):
        assert SERVICES[name]["networks"] == ["backend"], name
    assert SERVICES["actions"]["networks"] == ["backend", "egress"]


def test_the_action_server_can_reach_the_crm_and_slack_and_only_it_uses_that_network() -> None:
    """Lead deliveries leave the host: the action server needs a network with a route out."""
    egress = COMPOSE["networks"]["egress"] or {}
    assert egress.get("internal") is not True, "an internal network has no route to the CRM or Slack"
    on_egress = {name for name, service in SERVICES.items() if "egress" in service.get("networks", [])}
    assert on_egress == {"actions"}
    assert not SERVICES["actions"].get("ports"), "outbound only: nothing published"
    assert "actions-var:/app/var" in SERVICES["actions"]["volumes"], "the delivery queue must outlive the container"


def test_the_sales_console_reads_the_leads_and_leaves_sending_to_the_action_server() -> None:
    web = SERVICES["web"]
    assert web["environment"]["SALES_TOKEN"] == "${SALES_TOKEN:-}", "off unless the operator sets a token"
    assert web["environment"]["LEADS_DB_URL"] == SERVICES["actions"]["environment"]["LEADS_DB_URL"]
    assert "backend" in web["networks"] and "egress" not in web["networks"]
    assert "actions-var:/app/var" in web["volumes"], "lead.updated is queued where the action server sends from"


def test_secrets_come_only_from_the_environment_and_are_required() -> None:
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            text = str(value)
            if SECRET_NAME.search(key) or "@" in text:  # a secret, or a URL with credentials
                assert "${" in text, f"{name}.{key} holds a literal secret"
    rasa = SERVICES["rasa"]["environment"]
    assert rasa["RASA_AUTH_TOKEN"].startswith("${RASA_AUTH_TOKEN:?"), "no token, no start"
    assert rasa["CORS_ORIGINS"].startswith("${CORS_ORIGINS:?"), "no wildcard CORS default"
    assert ":?" in rasa["TRACKER_URL"] and ":?" in rasa["REDIS_PASSWORD"]


def test_every_service_has_a_pinned_image_or_the_project_build_and_a_healthcheck() -> None:
    for name, service in SERVICES.items():
        image = service.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image ({image!r})"
        assert "healthcheck" in service, name
    for dependency in ("postgres", "redis", "actions"):
        assert SERVICES["rasa"]["depends_on"][dependency]["condition"] == "service_healthy"


def test_the_rasa_container_requires_a_token_and_never_puts_it_on_the_command_line() -> None:
    entrypoint = (DEPLOY / "entrypoint.sh").read_text(encoding="utf-8")
    rasa_role = entrypoint.split("rasa)", 1)[1].split(";;", 1)[0]
    assert "${RASA_AUTH_TOKEN:?" in rasa_role
    assert "--enable-api" in rasa_role and "--cors" in rasa_role
    assert "--auth-token" not in rasa_role
    assert "python -m serving run" in rasa_role and "python -m serving.actions" in entrypoint
    subprocess.run(["sh", "-n", str(DEPLOY / "entrypoint.sh")], check=True)


def test_the_image_trains_its_own_model_and_runs_as_a_non_root_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "RUN rasa train" in dockerfile, "the model is built with the pinned Rasa, never downloaded"
    assert "RUN PYTHON=python scripts/encoder.sh" in dockerfile, "the reader's encoder comes from the pinned wheel"
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    for image in re.findall(r"^FROM\s+(\S+)", dockerfile, re.MULTILINE):
        assert ":" in image and not image.endswith(":latest"), image


@pytest.mark.parametrize("name", ["docker-compose.yml", "Dockerfile", "entrypoint.sh", "README.md"])
def test_the_deploy_files_exist(name: str) -> None:
    assert (DEPLOY / name).is_file()


# --- what goes into the image ---------------------------------------------------------------

SENSITIVE = [  # secrets, personal data, local tools: must never reach the build context
    ".env",
    "deploy/.env",
    "deploy/.env.production",
    "var/tracker.db",
    "var/leads.db",
    "var/leads_outbox.jsonl",
    "var/leads_deliveries.jsonl",
    "var/credentials.yml",
    "var/api-token",
    ".venv/bin/python",
    ".venv-audit/bin/python",
    ".git/config",
    "models/advisor-0123.tar.gz",
    "results/bench.json",
    "web/node_modules/socket.io-client/package.json",
    ".rasa/cache/x",
    "tests/slack/fake_slack.py",
    "leads/__pycache__/store.cpython-310.pyc",
]
NEEDED_FILES = [  # what deploy/Dockerfile copies, trains from and runs
    "deploy/Dockerfile",
    "requirements.txt",
    "requirements-encoder.txt",
    "scripts/encoder.sh",
    "web/package.json",
    "web/package-lock.json",
    "deploy/entrypoint.sh",
    "config.yml",
    "domain/structure.yml",
    "domain/texts/responses.yml",
    "credentials.yml",
    "endpoints.yml",
    "web/serve.py",
    "web/widget.js",
    "web/widget.css",
    "web/index.html",
    "web/brief.py",
    "web/brief.css",
    "web/brief.js",
    "deploy/example.env",
]
NEEDED_DIRS = ["actions", "advisor", "components", "leads", "serving", "scripts", "data", "domain", "rates"]


def dockerignore_patterns() -> list[str]:
    """.dockerignore read the way the Docker SDK reads it (docker.api.build)."""
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def build_context(tmp_path: Path) -> set[str]:
    """The files Docker would send: the repository's files plus SENSITIVE ones, filtered by
    .dockerignore with the Docker SDK's matcher (the rules `docker build` applies)."""
    from docker.utils.build import exclude_paths

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in [*tracked.stdout.split(), *SENSITIVE]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return exclude_paths(str(tmp_path), dockerignore_patterns(), dockerfile="deploy/Dockerfile")


def test_compose_builds_from_the_repository_root() -> None:
    for name in ("rasa", "actions", "web"):
        build = SERVICES[name]["build"]
        assert (DEPLOY / build["context"]).resolve() == ROOT and build["dockerfile"] == "deploy/Dockerfile"


def test_the_build_context_holds_no_secrets_state_or_local_tools(tmp_path: Path) -> None:
    sent = build_context(tmp_path)
    assert [name for name in SENSITIVE if name in sent] == []
    for top in (".venv", ".git", "var", "models", "results", "tests", ".rasa"):
        assert not any(name == top or name.startswith(top + "/") for name in sent), top


def test_the_build_context_holds_everything_the_image_needs(tmp_path: Path) -> None:
    sent = build_context(tmp_path)
    assert [name for name in NEEDED_FILES if name not in sent] == []
    tracked = subprocess.run(
        ["git", "ls-files", *NEEDED_DIRS], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked and [name for name in tracked if name not in sent] == []


def git_ignores(name: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False).returncode == 0


def test_env_files_are_ignored_by_git() -> None:
    for name in ("deploy/.env", ".env", "deploy/.env.production"):
        assert git_ignores(name), name
    assert not git_ignores("deploy/example.env")
