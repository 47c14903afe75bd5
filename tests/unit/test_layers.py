"""Who may import whom: the domain packages stay free of Rasa, and advice actions of lead actions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names; `from actions import funnel` gives actions.funnel)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("package", ["advisor", "leads"])
def test_the_domain_packages_import_no_rasa(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        rasa = {name for name in imported_modules(path) if name.split(".")[0] in ("rasa", "rasa_sdk")}
        assert not rasa, f"{path.relative_to(ROOT)} imports {sorted(rasa)}"


@pytest.mark.parametrize("module", ["advice", "funnel", "lead_record"])
def test_advice_and_funnel_do_not_import_the_lead_actions(module: str) -> None:
    names = imported_modules(ROOT / "actions" / f"{module}.py")
    assert not names & {"actions.leads", "actions.lead_form"}, f"actions/{module}.py imports a lead action module"
