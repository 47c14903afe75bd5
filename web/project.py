"""The project's packages (leads/, advisor/) importable from web/: `python web/serve.py` puts
only web/ on sys.path. The modules of the web server call :func:`on_path` before they import
them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def on_path() -> None:
    """Put the project root on sys.path, once."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
