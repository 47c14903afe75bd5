"""`python -m serving <rasa arguments>`: the Rasa CLI with the turn guard installed.

    RASA_AUTH_TOKEN=... python -m serving run --model models/advisor-....tar.gz --enable-api ...

Everything after `-m serving` goes to Rasa unchanged, with these additions for `run`:

* the HTTP API never runs without a token: with `--enable-api` and no `--auth-token`, the
  token is taken from RASA_AUTH_TOKEN (so it does not show in `ps` output), and when that
  is unset too, the server refuses to start;
* the turn guard of serving/guard.py (a short reply instead of silence when a turn fails);
* the speed-ups of serving/speedups.py (no repeated JSON-schema meta-check per action call);
* the channels of serving/channels.py under the names `rest`, `socketio` and `slack`: one
  conversation per channel and sender, REST only with a token, socket.io sessions issued
  by the server.
"""

from __future__ import annotations

import os
import sys

from serving import channels, guard, speedups


def with_token(argv: list[str], env: dict[str, str] | os._Environ) -> list[str]:
    """`argv` (Rasa's arguments) with the API token added; SystemExit if the API would be open."""
    if not argv or argv[0] != "run" or "--enable-api" not in argv:
        return argv
    if any(arg in ("-t", "--auth-token") or arg.startswith("--auth-token=") for arg in argv):
        return argv
    token = env.get("RASA_AUTH_TOKEN", "")
    if not token:
        raise SystemExit("serving: --enable-api without a token: set RASA_AUTH_TOKEN (or pass --auth-token)")
    return [*argv, "--auth-token", token]


def main() -> None:
    args = with_token(sys.argv[1:], os.environ)
    guard.install()
    speedups.install()
    channels.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
