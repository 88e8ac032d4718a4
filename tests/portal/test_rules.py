"""Rules about how the project's code is put together, checked over its source with ``ast``.

Each test reads the source files of the project's apps and fails with the file, line and
what to do instead, so a rule broken in review is broken in CI first.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("portal", "plans", "peer_mentors", "chat", "content")


def _modules(*apps: str):
    """(path relative to the project, parsed module) for each source file of ``apps``."""
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            yield relative.as_posix(), ast.parse(path.read_text(), filename=str(path))


def _name(node: ast.expr) -> str | None:
    """``settings`` for both ``settings`` and ``django.conf.settings``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


# Settings --------------------------------------------------------------------------------


def _settings_fallbacks(tree: ast.Module):
    """Lines that read a setting with a fallback: ``getattr(settings, "X", default)``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and node.args
            and _name(node.args[0]) == "settings"
        ):
            yield node.lineno


def test_settings_are_read_as_declared_in_portal_settings():
    """Every setting is declared once, in portal/settings.py, so code reads ``settings.X``
    and a default is never repeated (or contradicted) where it is used."""
    offenders = [
        f"{path}:{line}: declare the setting in portal/settings.py and read settings.X"
        for path, tree in _modules(*APPS)
        for line in _settings_fallbacks(tree)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_settings_rule_catches_a_fallback():
    tree = ast.parse(
        "from django.conf import settings\n"
        "LIMIT = getattr(settings, 'LIMIT', 3)\n"
        "ON = hasattr(django.conf.settings, 'ON')\n"
    )
    assert list(_settings_fallbacks(tree)) == [2, 3]
