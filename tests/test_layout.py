"""Test helpers have one home, tests/helpers/: no module imports a conftest or a test module.

pytest finds fixtures in conftest.py files by itself; a helper that a test imports belongs
in tests/helpers/, where every app's tests can import it by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("tests", "benchmarks")


def _imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, dotted name) for every module or name a source imports, relative ones resolved."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _is_conftest_or_test_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split(".")).with_suffix(".py")
    return path.is_file() and (path.name == "conftest.py" or path.name.startswith("test_"))


def offences(source: str, package: str) -> list[str]:
    return [
        f"line {line}: {dotted}"
        for line, dotted in _imported(source, package)
        if _is_conftest_or_test_module(dotted)
    ]


def test_no_module_imports_a_conftest_or_a_test_module():
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            package = ".".join(path.relative_to(ROOT).parent.parts)
            found += [
                f"{path.relative_to(ROOT)} {offence}"
                for offence in offences(path.read_text(), package)
            ]
    assert not found, "Move what these import to tests/helpers/:\n" + "\n".join(found)


def test_the_check_sees_conftest_and_test_module_imports():
    source = (
        "from tests.chat.conftest import send\n"
        "from .conftest import goals\n"
        "from . import conftest\n"
        "import tests.content.test_blocks\n"
        "from tests.helpers.chat import send\n"
        "from tests import factories\n"
    )
    assert offences(source, "tests.plans") == [
        "line 1: tests.chat.conftest",
        "line 2: tests.plans.conftest",
        "line 3: tests.plans.conftest",
        "line 4: tests.content.test_blocks",
    ]
