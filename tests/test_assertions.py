"""The test suite's own hygiene: an assertion that cannot fail checks nothing.

Read from the source of every test module (ast): an ``assert`` on a constant, or on an
``or`` one of whose operands is a call to a helper of the same module that can only
return a true constant (``assert client.login(...) or _force(client, user)`` was one).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def _always_true(function: ast.FunctionDef) -> bool:
    returns = [n for n in ast.walk(function) if isinstance(n, ast.Return)]
    return bool(returns) and all(
        isinstance(r.value, ast.Constant) and bool(r.value.value) for r in returns
    )


def assertions_that_cannot_fail(source: str) -> list[int]:
    tree = ast.parse(source)
    always_true = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and _always_true(node)
    }

    def cannot_fail(test: ast.expr) -> bool:
        if isinstance(test, ast.Constant):
            return bool(test.value)
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            return any(cannot_fail(value) for value in test.values)
        return isinstance(test, ast.Call) and getattr(test.func, "id", None) in always_true

    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Assert) and cannot_fail(node.test)
    ]


def test_the_check_finds_what_it_is_for():
    source = (
        "def _force(client):\n    client.force_login()\n    return True\n\n"
        "def test():\n    assert client.login() or _force(client)\n    assert 'x'\n"
        "    assert a or b\n    assert f() or g()\n"
    )
    assert assertions_that_cannot_fail(source) == [6, 7]


@pytest.mark.parametrize(
    "path", sorted(TESTS.rglob("*.py")), ids=lambda p: str(p.relative_to(TESTS))
)
def test_no_assertion_that_cannot_fail(path: Path):
    assert assertions_that_cannot_fail(path.read_text()) == []
