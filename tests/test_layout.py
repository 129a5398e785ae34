"""Tests share code only through `tests/support/`: no module under tests/ imports a test module
or a conftest.py. Fixtures still come from conftest.py, by name, as pytest injects them."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SUPPORT = "tests.support"


def module_name(path: Path) -> str:
    return ".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts)).removesuffix(".__init__")


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in `path`, in functions too; for `from tests
    import x` the module is `tests.x`."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module == "tests" or not node.module:
                out += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                out.append((node.lineno, module))
    return out


def forbidden(module: str) -> bool:
    parts = module.split(".")
    if "conftest" in parts:
        return True
    return parts[0] == "tests" and not (module == SUPPORT or module.startswith(SUPPORT + "."))


def test_tests_import_shared_code_only_from_tests_support():
    offences = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, module in imported(path)
        if forbidden(module)
    ]
    assert offences == [], "move what is shared into tests/support/:\n" + "\n".join(offences)
