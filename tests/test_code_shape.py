"""The service stays in pieces a reader can hold: no function in `app/service/` over 60 lines, no
constructor there over 8 parameters, and the service's entry point (`solve.py`) under 300 lines.
Each rule is shown failing on a planted file."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[1] / "app" / "service"
MAX_FUNCTION_LINES = 60
MAX_CONSTRUCTOR_PARAMS = 8


def oversized(source: str) -> list[str]:
    """Each function over the line limit, and each `__init__` over the parameter limit."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        lines = (node.end_lineno or node.lineno) - node.lineno + 1
        if lines > MAX_FUNCTION_LINES:
            found.append(f"{node.name}: {lines} lines")
        params = len(node.args.posonlyargs) + len(node.args.args) - 1 + len(node.args.kwonlyargs)
        if node.name == "__init__" and params > MAX_CONSTRUCTOR_PARAMS:
            found.append(f"{node.name}: {params} parameters")
    return found


def test_no_function_or_constructor_in_the_service_is_oversized() -> None:
    found = {path.name: oversized(path.read_text()) for path in sorted(SERVICE.glob("*.py"))}
    assert not {name: what for name, what in found.items() if what}


def test_the_service_entry_point_stays_short() -> None:
    assert len((SERVICE / "solve.py").read_text().splitlines()) < 300


def test_a_planted_long_function_and_a_wide_constructor_are_found() -> None:
    long_function = "def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    wide = "class C:\n    def __init__(self, " + ", ".join(f"a{i}" for i in range(9)) + "):\n        pass\n"
    assert oversized(long_function) == [f"f: {MAX_FUNCTION_LINES + 1} lines"]
    assert oversized(wide) == ["__init__: 9 parameters"]
    assert not oversized("class C:\n    def __init__(self, a, b, *, c):\n        pass\n")
