"""The packages' layers (ARCHITECTURE.md): core holds no business rule and knows neither
the domain nor the web; the domain never knows how people reach it (the web).

Read from the source (ast), imports inside functions included, so a new module is checked
with nothing to list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

MCF = Path(settings.BASE_DIR) / "mcf"
# A package: the packages it must never import.
FORBIDDEN = {
    "mcf.core": ("mcf.domain", "mcf.web", "mcf.demo"),
    "mcf.domain": ("mcf.web", "mcf.demo"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(MCF.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module that ``module`` imports, relative imports resolved, ``from a import b``
    as both ``a`` and ``a.b`` (b may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def violations(package: str) -> list[str]:
    folder = MCF.parent.joinpath(*package.split("."))
    return sorted(
        f"{module_name(path)} imports {name}"
        for path in folder.rglob("*.py")
        for name in imported(
            path.read_text(), module_name(path), is_package=path.name == "__init__.py"
        )
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])
    )


def test_the_check_reads_relative_and_late_imports():
    source = "from ...web import forms\n\ndef f():\n    from mcf.web.titulaire import views\n"
    found = imported(source, "mcf.domain.accounts.actions")
    assert {"mcf.web.forms", "mcf.web.titulaire.views"} <= found
    assert "mcf.domain.accounts.models" in imported(
        "from .models import User", "mcf.domain.accounts.x"
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above(package):
    assert violations(package) == []
