"""`python -m serving <rasa arguments>`: the Rasa CLI with the turn guard installed.

    RASA_AUTH_TOKEN=... python -m serving run --model models/advisor-....tar.gz --enable-api ...

Everything after `-m serving` goes to Rasa unchanged, with these additions for `run`:

* the HTTP API never runs without a token: with `--enable-api` and no `--auth-token`, the
  token is taken from RASA_AUTH_TOKEN (so it does not show in `ps` output), and when that
  is unset too, the server refuses to start. Options must be written in full: argparse
  would otherwise take `--enable` for `--enable-api` (and the check could be sidestepped);
* the turn guard of serving/guard.py (a short reply instead of silence when a turn fails);
* a turn knows when its conversation lock expires (serving/lock_store.py) and the tracker
  store's retries end before that; a tracker read that gave up fails the turn instead of
  running it on an empty tracker (serving/tracker_store.py);
* every log record is redacted (emails; leads/redact.py), whichever handler writes it;
* files it creates (the SQLite tracker database) are the owner's only (leads/files.py);
* the speed-ups of serving/speedups.py, on Rasa 3.6.21 only; ADVISOR_SPEEDUPS chooses which (`0`: none);
* the channels of serving/channels.py under the names `rest`, `socketio` and `slack`: one
  conversation per channel and sender, REST only with a token, socket.io sessions issued
  by the server;
* the HTTP API percent-decodes the conversation id in its paths (serving/http_api.py), so a
  conversation whose id a URL must encode (`rest:acme team 1`) can be read and changed.
"""

from __future__ import annotations

import argparse
import os
import sys

from leads.files import private_umask
from leads.redact import install as redact_logs
from serving import channels, guard, http_api, speedups

GUARDED_OPTIONS = ("--enable-api", "--auth-token")
"""Options whose abbreviations are refused: argparse would read `--enable` as `--enable-api`,
so the token check must not depend on spelling. Rasa's parser accepts no abbreviation either."""


def _abbreviated(argv: list[str]) -> tuple[str, str] | None:
    """The first argument that abbreviates one of GUARDED_OPTIONS, with that option."""
    for arg in argv:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        for option in GUARDED_OPTIONS:
            if name.startswith("--") and len(name) > 2 and name != option and option.startswith(name):
                return arg, option
    return None


def _given_token(argv: list[str]) -> str | None:
    """The value of -t/--auth-token in `argv`, "" when it is empty, None when it is absent."""
    for index, arg in enumerate(argv):
        if arg in ("-t", "--auth-token"):
            return argv[index + 1] if index + 1 < len(argv) else ""
        if arg.startswith("--auth-token="):
            return arg.split("=", 1)[1]
        if arg.startswith("-t") and not arg.startswith("--"):
            return arg[2:]
    return None


def with_token(argv: list[str], env: dict[str, str] | os._Environ) -> list[str]:
    """`argv` (Rasa's arguments) with the API token added; SystemExit if the API would be open."""
    if not argv or argv[0] != "run":
        return argv
    abbreviated = _abbreviated(argv)
    if abbreviated:
        raise SystemExit(f"serving: write {abbreviated[1]} in full, not {abbreviated[0]} (abbreviations are refused)")
    if "--enable-api" not in argv:
        return argv
    given = _given_token(argv)
    if given is not None:
        if not given.strip():
            raise SystemExit("serving: --auth-token is empty: the HTTP API never runs without a token")
        return argv
    token = env.get("RASA_AUTH_TOKEN", "")
    if not token.strip():
        raise SystemExit("serving: --enable-api without a token: set RASA_AUTH_TOKEN (or pass --auth-token)")
    return [*argv, "--auth-token", token]


def without_abbreviations(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """`parser` and all its sub-command parsers with abbreviated long options turned off."""
    parser.allow_abbrev = False
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(p): p for p in action.choices.values()}.values():
                without_abbreviations(sub)
    return parser


def main() -> None:
    args = with_token(sys.argv[1:], os.environ)
    redact_logs()  # before anything logs
    private_umask()  # the tracker database and anything else this process writes: owner only
    guard.install()
    try:
        speedups.install()
    except ValueError as exc:  # ADVISOR_SPEEDUPS names an unknown speed-up
        raise SystemExit(f"serving: {exc}") from None
    from serving import lock_store, tracker_store

    lock_store.install()
    tracker_store.install()
    channels.install()
    http_api.install()
    import rasa.__main__ as rasa_cli

    original = rasa_cli.create_argument_parser  # Rasa's parser, with options only in full
    rasa_cli.create_argument_parser = lambda: without_abbreviations(original())
    rasa_main = rasa_cli.main

    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
