#!/usr/bin/env python3
"""Write the endpoints file `rasa run` uses from the committed endpoints.yml template.

    python scripts/endpoints.py                       # endpoints.yml -> var/endpoints.yml,
                                                      # prints that path on stdout
    python scripts/endpoints.py --template T --out -   # print instead of writing

Why: Rasa expands `${VAR}` in endpoints.yml when it starts and refuses to start when a
referenced variable is unset, and substitution alone cannot leave a section out. The lock
store and the event broker must only be configured when their servers exist, so
scripts/run.sh and the test stacks run this script first and start Rasa with its output.

Rules:

* Every `${VAR}` is kept as it is: Rasa expands it from the environment at start-up, so
  no secret and no URL with a password in it is written to disk.
* A section with a switch is dropped unless one of its switch variables is set:
  `lock_store` needs LOCK_STORE_URL or REDIS_HOST, `event_broker` needs EVENT_BROKER_URL.
* A key whose variables are unset or empty is dropped, so Rasa's default applies (list
  items likewise; a list left empty is dropped). The `url` of a section that is kept is
  required: leaving it unset is an error, not a silent default.
* LOCK_STORE_URL (`redis://host[:port][/db]`, `rediss://` for TLS) is split into the
  url/port/db/use_ssl keys Rasa's Redis lock store wants. A password in it is refused:
  put it in REDIS_PASSWORD.
* EVENT_BROKER_URL may be a host name or `amqp[s]://[user@]host[:port][/vhost]`; the
  latter is written with an explicit port (Rasa's pika broker appends its default port
  to a URL that lacks it). A password in it is refused: put it in EVENT_BROKER_PASSWORD.
  The broker needs a user name (EVENT_BROKER_USERNAME or the URL's) and a password.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from config_render import load_template, write_output  # a sibling file: scripts/ is not a package

ROOT = Path(__file__).resolve().parents[1]
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

SWITCHES: dict[str, tuple[str, ...]] = {
    "lock_store": ("LOCK_STORE_URL", "REDIS_HOST"),
    "event_broker": ("EVENT_BROKER_URL",),
}

_DROP = object()


class EndpointsError(Exception):
    """The environment configures an endpoint only half-way, or puts a secret in a URL."""


def _resolve(value: Any, env: Mapping[str, str]) -> Any:
    """The value unchanged, or _DROP when one of its variables is unset or empty."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            resolved = _resolve(item, env)
            if resolved is not _DROP:
                out[key] = resolved
        return out
    if isinstance(value, list):
        items = [item for item in (_resolve(v, env) for v in value) if item is not _DROP]
        return items if items else _DROP
    if isinstance(value, str) and any(not env.get(name) for name in VAR.findall(value)):
        return _DROP
    return value


def _redis_from_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise EndpointsError(f"LOCK_STORE_URL must look like redis://host:6379/1, got {url!r}")
    if parts.password:
        raise EndpointsError("LOCK_STORE_URL must not contain a password: set REDIS_PASSWORD instead")
    settings: dict[str, Any] = {"url": parts.hostname, "port": parts.port or 6379}
    db = parts.path.strip("/")
    if db:
        if not db.isdigit():
            raise EndpointsError(f"LOCK_STORE_URL: the database must be a number, got {db!r}")
        settings["db"] = int(db)
    if parts.scheme == "rediss":
        settings["use_ssl"] = True
    return settings


def _amqp_from_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.password:
        raise EndpointsError(
            "EVENT_BROKER_URL must not contain a password: set EVENT_BROKER_PASSWORD instead"
        )
    if not parts.hostname:
        raise EndpointsError(f"EVENT_BROKER_URL has no host: {url!r}")
    port = parts.port or (5671 if parts.scheme == "amqps" else 5672)
    settings: dict[str, Any] = {"url": f"{parts.scheme}://{parts.hostname}:{port}{parts.path}", "port": port}
    if parts.username:
        settings["username"] = parts.username
    return settings


def _lock_store(section: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    if env.get("LOCK_STORE_URL"):
        for key in ("url", "port", "db", "use_ssl"):
            section.pop(key, None)
        section.update(_redis_from_url(env["LOCK_STORE_URL"]))
    return section


def _event_broker(section: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    url = env.get("EVENT_BROKER_URL", "")
    if url.startswith(("amqp://", "amqps://")):
        parsed = _amqp_from_url(url)
        if "username" in parsed and "username" in section:
            parsed.pop("username")  # EVENT_BROKER_USERNAME wins over the URL's user
        section.update(parsed)
    missing = [key for key in ("username", "password") if key not in section]
    if missing:
        names = {"username": "EVENT_BROKER_USERNAME", "password": "EVENT_BROKER_PASSWORD"}
        raise EndpointsError(
            "EVENT_BROKER_URL is set but " + " and ".join(names[key] for key in missing) + " not"
        )
    return section


SPECIAL = {"lock_store": _lock_store, "event_broker": _event_broker}


def render(template: dict[str, Any], env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the endpoints to write and, per dropped section, why it was dropped."""
    if not isinstance(template, dict):
        raise EndpointsError("the endpoints template must be a mapping of endpoint names")
    result: dict[str, Any] = {}
    dropped: dict[str, str] = {}
    for name, settings in template.items():
        switches = SWITCHES.get(name, ())
        if switches and not any(env.get(var) for var in switches):
            dropped[name] = f"{' or '.join(switches)} not set"
            continue
        resolved = _resolve(settings, env)
        if resolved is _DROP:
            dropped[name] = "its variables are not set"
            continue
        if isinstance(resolved, dict) and name in SPECIAL:
            resolved = SPECIAL[name](resolved, env)
        if isinstance(settings, dict) and "url" in settings and "url" not in (resolved or {}):
            names = " or ".join(VAR.findall(str(settings["url"]))) or "url"
            raise EndpointsError(f"'{name}' needs {names} (scripts/env.sh sets the defaults)")
        result[name] = resolved
    return result, dropped


def dump(endpoints: dict[str, Any]) -> str:
    header = (
        "# Generated by scripts/endpoints.py from endpoints.yml: edit that file instead.\n"
        "# ${...} values are expanded by Rasa from the environment at start-up.\n"
    )
    body = yaml.safe_dump(endpoints, sort_keys=False, default_flow_style=False) if endpoints else "{}\n"
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--template", type=Path, default=ROOT / "endpoints.yml")
    parser.add_argument(
        "--out", default=str(ROOT / "var" / "endpoints.yml"), help="file to write, or - for stdout"
    )
    args = parser.parse_args(argv)

    template = load_template(args.template)
    try:
        endpoints, dropped = render(template, os.environ)
    except EndpointsError as exc:
        print(f"endpoints: error: {exc}", file=sys.stderr)
        return 2
    text = dump(endpoints)
    write_output(text, args.out)
    print(f"endpoints: configured: {', '.join(endpoints) or 'none'}", file=sys.stderr)
    for name, reason in dropped.items():
        print(f"endpoints: '{name}' left out ({reason})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
