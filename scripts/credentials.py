#!/usr/bin/env python3
"""Write the credentials file `rasa run` uses from the committed credentials.yml template.

    python scripts/credentials.py                      # credentials.yml -> var/credentials.yml,
                                                       # prints that path on stdout
    python scripts/credentials.py --template T --out -  # print instead of writing

Why: Rasa expands `${VAR}` in credentials.yml when it starts, and refuses to start when a
referenced variable is unset. The Slack channel must only be on when its secrets exist, so
`make run` runs this script first and starts Rasa with the file it writes.

Rules, applied to each top-level section (one section = one channel):

* `${VAR}` where VAR looks like a secret (its name ends in TOKEN, SECRET, PASSWORD or KEY)
  is kept as it is: Rasa expands it from the environment at start-up, so no secret is ever
  written to disk. If such a variable is unset or empty, the whole section is dropped:
  e.g. no SLACK_TOKEN and SLACK_SIGNING_SECRET -> no Slack channel. If only some of a
  section's secrets are set, that is a mistake and the script stops with an error.
* `${VAR}` whose name ends in PROXY (SLACK_PROXY) is an optional secret: a proxy URL can
  carry a user name and password. It is kept as a reference like the secrets above, but
  when it is unset only its key is dropped, not the section.
* Any other `${VAR}` (SLACK_CHANNEL, SLACK_USE_THREADS, ...) is replaced by its value,
  with `true`/`false` and numbers read as YAML booleans/numbers; when it is unset or empty the key
  is dropped and Rasa's default applies.
* Everything else is copied unchanged.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from config_render import load_template, write_output  # a sibling file: scripts/ is not a package

ROOT = Path(__file__).resolve().parents[1]
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|KEY)$")
OPTIONAL_SECRET_NAME = re.compile(r"PROXY$")

_DROP = object()


class CredentialsError(Exception):
    """The environment sets a channel up only half-way."""


def is_secret(name: str) -> bool:
    """Never written to disk: kept as a `${VAR}` reference for Rasa to expand."""
    return bool(SECRET_NAME.search(name) or OPTIONAL_SECRET_NAME.search(name))


def is_required_secret(name: str) -> bool:
    """A secret that switches its section on (set) or off (unset)."""
    return bool(SECRET_NAME.search(name))


def _secrets_in(value: Any) -> list[str]:
    """The required secrets referenced in `value`."""
    if isinstance(value, str):
        return [name for name in VAR.findall(value) if is_required_secret(name)]
    if isinstance(value, dict):
        return [name for item in value.values() for name in _secrets_in(item)]
    if isinstance(value, list):
        return [name for item in value for name in _secrets_in(item)]
    return []


def _resolve(value: Any, env: Mapping[str, str]) -> Any:
    """Substitute non-secret variables; return _DROP when one of them is unset."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            resolved = _resolve(item, env)
            if resolved is not _DROP:
                out[key] = resolved
        return out
    if isinstance(value, list):
        return [item for item in (_resolve(v, env) for v in value) if item is not _DROP]
    if not isinstance(value, str) or not VAR.search(value):
        return value
    names = VAR.findall(value)
    if any(not is_required_secret(name) and not env.get(name) for name in names):
        return _DROP  # an optional setting (or optional secret) that is not set
    substituted = VAR.sub(lambda m: m.group(0) if is_secret(m.group(1)) else env[m.group(1)], value)
    if any(is_secret(name) for name in names):
        return substituted  # still holds ${SECRET}: Rasa expands it at start-up
    if VAR.fullmatch(value):
        return _scalar(substituted)
    return substituted


def _scalar(text: str) -> Any:
    """`true`/`false`/numbers become YAML booleans/numbers; anything else stays a string."""
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return parsed if isinstance(parsed, (bool, int, float)) else text


def render(template: dict[str, Any], env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the credentials to write and, per dropped section, why it was dropped."""
    if not isinstance(template, dict):
        raise CredentialsError("the credentials template must be a mapping of channel names")
    result: dict[str, Any] = {}
    dropped: dict[str, str] = {}
    for section, settings in template.items():
        secrets = sorted(set(_secrets_in(settings)))
        missing = [name for name in secrets if not env.get(name)]
        if missing and len(missing) == len(secrets):
            dropped[section] = f"{' and '.join(missing)} not set"
            continue
        if missing:
            present = [name for name in secrets if name not in missing]
            raise CredentialsError(
                f"channel '{section}': {', '.join(present)} set but {', '.join(missing)} not; "
                f"set all of {', '.join(secrets)} or none"
            )
        resolved = _resolve(settings, env)
        result[section] = None if resolved is _DROP or resolved == {} else resolved
    return result, dropped


def dump(credentials: dict[str, Any]) -> str:
    header = (
        "# Generated by scripts/credentials.py from credentials.yml: edit that file instead.\n"
        "# ${...} values are expanded by Rasa from the environment at start-up.\n"
    )
    if not credentials:
        return header + "{}\n"
    body = yaml.safe_dump(credentials, sort_keys=False, default_flow_style=False, allow_unicode=True)
    # `rest: null` reads better as `rest:`
    body = re.sub(r"^([A-Za-z0-9_.]+): null$", r"\1:", body, flags=re.MULTILINE)
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--template", type=Path, default=ROOT / "credentials.yml")
    parser.add_argument(
        "--out", default=str(ROOT / "var" / "credentials.yml"), help="file to write, or - for stdout"
    )
    args = parser.parse_args(argv)

    template = load_template(args.template)
    try:
        credentials, dropped = render(template, os.environ)
    except CredentialsError as exc:
        print(f"credentials: error: {exc}", file=sys.stderr)
        return 2
    text = dump(credentials)
    write_output(text, args.out)
    enabled = ", ".join(credentials) or "none"
    print(f"credentials: channels enabled: {enabled}", file=sys.stderr)
    for section, reason in dropped.items():
        print(f"credentials: channel '{section}' disabled ({reason})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
